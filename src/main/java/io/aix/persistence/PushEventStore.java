package io.aix.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The durable queue of change notices a CRM pushed (HubSpot webhooks). A notice is stored before
 * its delivery is acknowledged, de-duplicated by the CRM's event id, and marked processed only
 * after the pipeline has checkpointed the records it named.
 */
@ApplicationScoped
public class PushEventStore {
  private static final String[] COLUMNS = {
    "varchar", "varchar", "varchar", "varchar", "varchar", "timestamptz", "timestamptz"
  };

  /** One pushed notice: which record changed, how, and when. */
  public record PushEvent(
      String profileId,
      String eventId,
      String crmObject,
      String crmId,
      String kind,
      Instant occurredAt,
      Instant receivedAt) {
    /** The CRM erased the person for privacy: AIX erases them too, not just the record. */
    public boolean isPrivacyDeletion() {
      return kind.endsWith(".privacyDeletion");
    }

    public boolean isDeletion() {
      return kind.endsWith(".deletion")
          || kind.endsWith(".privacyDeletion")
          || kind.equals("merged");
    }
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** Queues the events; ones already queued (a redelivery) are left as they are. */
  public Uni<Void> enqueue(List<PushEvent> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String sql =
        "insert into inbound_event (profile_id, event_id, crm_object, crm_id, kind, occurred_at,"
            + " received_at) values %s on conflict (profile_id, event_id) do nothing";
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        BatchSql.execute(
                            s,
                            sql,
                            COLUMNS,
                            events,
                            e ->
                                new Object[] {
                                  e.profileId(),
                                  e.eventId(),
                                  e.crmObject(),
                                  e.crmId(),
                                  e.kind(),
                                  at(e.occurredAt()),
                                  at(e.receivedAt())
                                })));
  }

  /** The oldest unprocessed events of one profile and object, at most {@code limit}. */
  public Uni<List<PushEvent>> pending(String profileId, String object, int limit) {
    String sql =
        "select event_id, crm_id, kind, occurred_at, received_at from inbound_event"
            + " where profile_id = :p and crm_object = :o and processed_at is null"
            + " order by received_at, event_id limit :n for update skip locked";
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        s.<Object[]>createNativeQuery(sql)
                            .setParameter("p", profileId)
                            .setParameter("o", object)
                            .setParameter("n", limit)
                            .getResultList())
                .map(
                    rows -> {
                      List<PushEvent> out = new ArrayList<>(rows.size());
                      for (Object[] r : rows) {
                        out.add(
                            new PushEvent(
                                profileId,
                                (String) r[0],
                                object,
                                (String) r[1],
                                (String) r[2],
                                NativeSql.instant(r[3]),
                                NativeSql.instant(r[4])));
                      }
                      return out;
                    }));
  }

  public Uni<Void> markProcessed(String profileId, List<String> eventIds, Instant now) {
    if (eventIds.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return NativeSql.update(
            "update inbound_event set processed_at = :t where profile_id = :p"
                + " and event_id in (:ids)",
            Map.of("t", at(now), "p", profileId, "ids", eventIds))
        .replaceWithVoid();
  }

  /** Counts of (all, unprocessed) events of a profile. */
  public Uni<long[]> counts(String profileId) {
    return NativeSql.<Object[]>single(
            "select count(*), count(*) filter (where processed_at is null) from inbound_event"
                + " where profile_id = :p",
            Map.of("p", profileId))
        .map(r -> new long[] {((Number) r[0]).longValue(), ((Number) r[1]).longValue()});
  }
}
