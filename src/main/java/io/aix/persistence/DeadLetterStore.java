package io.aix.persistence;

import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Dead letters for the people who fix what caused them: list, inspect, and replay one or all. A
 * replay puts the record back into the work queue as the version it was (so a corrected mapping or
 * a relaxed CRM validation rule gets another go at it) and marks the dead letter replayed, in one
 * transaction; if it fails again, it comes back as a new dead letter with the new reason.
 */
@ApplicationScoped
public class DeadLetterStore {

  /** Dead letters, newest first; {@code profileId} null for every profile. */
  public Uni<List<DeadLetterEntity>> list(String profileId, boolean includeReplayed, int limit) {
    String where =
        (profileId == null ? "1 = 1" : "profileId = :p")
            + (includeReplayed ? "" : " and replayedAt is null");
    return Panache.withSession(
        () -> {
          var query = DeadLetterEntity.<DeadLetterEntity>find(where + " order by id desc");
          if (profileId != null) {
            query =
                DeadLetterEntity.<DeadLetterEntity>find(
                    where + " order by id desc",
                    io.quarkus.panache.common.Parameters.with("p", profileId));
          }
          return query.page(0, limit).list();
        });
  }

  public Uni<Optional<DeadLetterEntity>> get(long id) {
    return Panache.withSession(
        () -> DeadLetterEntity.<DeadLetterEntity>findById(id).map(Optional::ofNullable));
  }

  /**
   * Replays the given dead letters (those not replayed yet); {@code ids} empty replays every open
   * one of {@code profileId}. Yields how many went back into the queue.
   */
  public Uni<Integer> replay(String profileId, List<Long> ids, Instant now) {
    return Panache.withTransaction(
        () ->
            (ids.isEmpty()
                    ? DeadLetterEntity.<DeadLetterEntity>list(
                        "profileId = ?1 and replayedAt is null", profileId)
                    : DeadLetterEntity.<DeadLetterEntity>list(
                        "id in ?1 and replayedAt is null", ids))
                .chain(letters -> newerVersions(letters).map(newer -> requeue(letters, newer, now)))
                .chain(
                    records ->
                        Panache.getSession()
                            .chain(s -> WorkQueue.enqueue(s, records, now))
                            .replaceWith(records.size())));
  }

  /**
   * Back into the queue, unless AIX processed a newer version of the record since: replaying the
   * old one would put stale data over it. Either way the dead letter counts as replayed.
   */
  private static List<CrmRecord> requeue(
      List<DeadLetterEntity> letters, java.util.Map<String, Instant> newer, Instant now) {
    List<CrmRecord> records = new ArrayList<>();
    for (DeadLetterEntity d : letters) {
      if (d.crmId == null) {
        continue; // a malformed change event names no record: kept for inspection, not replayed
      }
      d.replayedAt = now.atOffset(ZoneOffset.UTC);
      Instant version =
          d.crmModifiedAt != null ? d.crmModifiedAt.toInstant() : d.createdAt.toInstant();
      Instant processed = newer.get(d.profileId + "/" + d.crmObject + "/" + d.crmId);
      if (processed == null || !processed.isAfter(version)) {
        records.add(
            new CrmRecord(
                new LeadKey(d.profileId, d.crmObject, d.crmId),
                version,
                false,
                WorkQueue.parse(d.payload)));
      }
    }
    return records;
  }

  /** The version of each dead letter's record AIX stored last, keyed profile/object/id. */
  private static Uni<java.util.Map<String, Instant>> newerVersions(List<DeadLetterEntity> letters) {
    List<String> ids =
        letters.stream().map(d -> d.crmId).filter(java.util.Objects::nonNull).distinct().toList();
    if (ids.isEmpty()) {
      return Uni.createFrom().item(java.util.Map.of());
    }
    return Panache.getSession()
        .chain(
            s ->
                s.<Object[]>createNativeQuery(
                        "select profile_id || '/' || crm_object || '/' || crm_id, crm_modified_at"
                            + " from lead where crm_id in (:ids)")
                    .setParameter("ids", ids)
                    .getResultList())
        .map(
            rows -> {
              java.util.Map<String, Instant> out = new java.util.HashMap<>();
              for (Object[] r : rows) {
                out.put((String) r[0], NativeSql.instant(r[1]));
              }
              return out;
            });
  }
}
