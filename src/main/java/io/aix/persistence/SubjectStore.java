package io.aix.persistence;

import io.aix.lead.LeadKey;
import io.aix.privacy.Subject;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Everything AIX holds on one person, found by email, for export and erasure. A person is found in
 * the leads by their mapped email, and in the work queue and the dead letters by the raw record
 * that carries it (a record that failed mapping has no lead row). Every table holding a CRM record
 * id is covered; the audit log and the tombstones hold only hashes.
 */
@ApplicationScoped
public class SubjectStore {
  /**
   * Tables keyed by (profile, object, record id), and how their rows are matched to a record. The
   * erasure test scans every column of every table, so a table added later without a line here
   * fails it.
   */
  private static final Map<String, String> BY_RECORD =
      Map.of(
          "score", "profile_id = :p and crm_object = :o and crm_id = :id",
          "lead_task", "profile_id = :p and crm_object = :o and crm_id = :id",
          "engagement_signal", "profile_id = :p and crm_object = :o and crm_id = :id",
          "inbound_event", "profile_id = :p and crm_object = :o and crm_id = :id",
          "dead_letter", "profile_id = :p and crm_object = :o and crm_id = :id",
          "lead_feedback", "profile_id = :p and crm_object = :o and crm_id = :id",
          "dry_run_write", "profile_id = :p and crm_object = :o and crm_id = :id",
          "processed_event", "profile_id = :p and event_key like :idkey escape '\\'",
          "lead", "profile_id = :p and crm_object = :o and crm_id = :id");

  /** The records that hold this person: leads by email, queued and refused records by payload. */
  public Uni<List<LeadKey>> records(Subject subject) {
    String sql =
        "select profile_id, crm_object, crm_id from lead"
            + " where lower(trim(mapped_values::jsonb ->> 'email')) = :e"
            + " union select profile_id, crm_object, crm_id from work_item where payload ilike :raw"
            + " union select profile_id, crm_object, crm_id from dead_letter"
            + " where crm_id is not null and payload ilike :raw"
            + " order by 1, 2, 3";
    return NativeSql.<Object[]>list(sql, Map.of("e", subject.email(), "raw", rawPattern(subject)))
        .map(
            rows ->
                rows.stream()
                    .map(r -> new LeadKey((String) r[0], (String) r[1], (String) r[2]))
                    .toList());
  }

  /** The email a stored lead carries, if AIX holds the lead. */
  public Uni<Optional<String>> email(LeadKey key) {
    return NativeSql.<String>list(
            "select mapped_values::jsonb ->> 'email' from lead"
                + " where profile_id = :p and crm_object = :o and crm_id = :id",
            Map.of("p", key.profileId(), "o", key.crmObject(), "id", key.crmId()))
        .map(rows -> rows.stream().filter(e -> e != null && !e.isBlank()).findFirst());
  }

  /** Of these hashes, the erased ones. */
  public static Uni<Set<String>> erased(Mutiny.Session s, Collection<String> hashes) {
    if (hashes.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return PreparedSql.rows(
            s,
            "select subject_hash from erased_subject where subject_hash = any($1)",
            (Object) new LinkedHashSet<>(hashes).toArray(String[]::new))
        .map(
            rows -> {
              Set<String> erased = new HashSet<>();
              rows.forEach(r -> erased.add((String) r[0]));
              return erased;
            });
  }

  public Uni<Boolean> isErased(Subject subject) {
    return NativeSql.<Object>list(
            "select 1 from erased_subject where subject_hash = :h", Map.of("h", subject.hash()))
        .map(rows -> !rows.isEmpty());
  }

  /**
   * Notes the person as erased, so intake drops them from now on. Takes the intake lock
   * exclusively: a checkpoint that began before this commits first, and its rows are then visible
   * to {@link #erase}; one that begins after sees the tombstone.
   */
  public Uni<Void> tombstone(Subject subject, Instant now) {
    return Panache.withTransaction(
            () ->
                Panache.getSession()
                    .chain(
                        s ->
                            s.createNativeQuery("select pg_advisory_xact_lock(:k)")
                                .setParameter("k", WorkQueue.INTAKE_LOCK)
                                .getSingleResult()
                                .chain(
                                    () ->
                                        s.createNativeQuery(
                                                "insert into erased_subject (subject_hash, erased_at)"
                                                    + " values (:h, :t) on conflict do nothing")
                                            .setParameter("h", subject.hash())
                                            .setParameter("t", now.atOffset(ZoneOffset.UTC))
                                            .executeUpdate())))
        .replaceWithVoid();
  }

  /**
   * One pass of an erasure: deletes every row of these records, and the person's raw records in the
   * queue and the dead letters, except queue rows a worker holds right now. Yields rows deleted per
   * table and how many records are still in a worker's hands; the caller repeats the pass once they
   * are done, which then removes what those workers wrote.
   */
  public Uni<Pass> erase(List<LeadKey> records, Optional<Subject> subject, Instant now) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s -> {
                      Map<String, Integer> deleted = new LinkedHashMap<>();
                      Uni<Void> chain = Uni.createFrom().voidItem();
                      for (LeadKey k : records) {
                        chain = chain.chain(() -> eraseQueued(s, k, now, deleted));
                        chain = chain.chain(() -> forgetInOffsets(s, k, deleted));
                        for (Map.Entry<String, String> t : BY_RECORD.entrySet()) {
                          chain =
                              chain.chain(
                                  () ->
                                      bindRecord(
                                              s.createNativeQuery(
                                                  "delete from "
                                                      + t.getKey()
                                                      + " where "
                                                      + t.getValue()),
                                              t.getValue(),
                                              k)
                                          .executeUpdate()
                                          .invoke(n -> deleted.merge(t.getKey(), n, Integer::sum))
                                          .replaceWithVoid());
                        }
                      }
                      if (subject.isPresent()) {
                        String raw = rawPattern(subject.get());
                        chain =
                            chain.chain(
                                () ->
                                    s.createNativeQuery(
                                            "delete from dead_letter where payload ilike :raw")
                                        .setParameter("raw", raw)
                                        .executeUpdate()
                                        .invoke(n -> deleted.merge("dead_letter", n, Integer::sum))
                                        .replaceWithVoid());
                      }
                      return chain.chain(
                          () ->
                              inFlight(s, records, now)
                                  .map(
                                      busy ->
                                          new Pass(
                                              deleted.entrySet().stream()
                                                  .filter(e -> e.getValue() > 0)
                                                  .collect(
                                                      LinkedHashMap::new,
                                                      (m, e) -> m.put(e.getKey(), e.getValue()),
                                                      Map::putAll),
                                              busy)));
                    }));
  }

  /** Rows deleted per table in one pass, and records a worker still holds. */
  public record Pass(Map<String, Integer> deleted, int inFlight) {}

  private static Mutiny.MutationQuery bindRecord(Mutiny.MutationQuery q, String where, LeadKey k) {
    q.setParameter("p", k.profileId());
    if (where.contains(":o")) {
      q.setParameter("o", k.crmObject());
    }
    if (where.contains(":idkey")) {
      q.setParameter("idkey", likeEscape(k.crmId()) + "@%");
    } else {
      q.setParameter("id", k.crmId());
    }
    return q;
  }

  private static Uni<Void> eraseQueued(
      Mutiny.Session s, LeadKey k, Instant now, Map<String, Integer> deleted) {
    return s.createNativeQuery(
            "delete from work_item where profile_id = :p and crm_object = :o and crm_id = :id"
                + " and (lease_until is null or lease_until < :now)")
        .setParameter("p", k.profileId())
        .setParameter("o", k.crmObject())
        .setParameter("id", k.crmId())
        .setParameter("now", now.atOffset(ZoneOffset.UTC))
        .executeUpdate()
        .invoke(n -> deleted.merge("work_item", n, Integer::sum))
        .replaceWithVoid();
  }

  /**
   * A stream's watermark names the last record it read: (stamp, id). The id is dropped, keeping the
   * stamp; the next poll re-reads the few records of that stamp, which intake de-duplicates.
   */
  private static Uni<Void> forgetInOffsets(
      Mutiny.Session s, LeadKey k, Map<String, Integer> deleted) {
    return s.createNativeQuery(
            "update source_offset set position = left(position, length(position) - length(:id))"
                + " where profile_id = :p and right(position, length(:id) + 1) = :bar")
        .setParameter("p", k.profileId())
        .setParameter("id", k.crmId())
        .setParameter("bar", "|" + k.crmId())
        .executeUpdate()
        .invoke(n -> deleted.merge("source_offset", n, Integer::sum))
        .replaceWithVoid();
  }

  private static Uni<Integer> inFlight(Mutiny.Session s, List<LeadKey> records, Instant now) {
    Uni<Integer> count = Uni.createFrom().item(0);
    for (LeadKey k : records) {
      count =
          count.chain(
              sum ->
                  s.<Number>createNativeQuery(
                          "select count(*) from work_item where profile_id = :p"
                              + " and crm_object = :o and crm_id = :id and lease_until >= :now")
                      .setParameter("p", k.profileId())
                      .setParameter("o", k.crmObject())
                      .setParameter("id", k.crmId())
                      .setParameter("now", now.atOffset(ZoneOffset.UTC))
                      .getSingleResult()
                      .map(n -> sum + n.intValue()));
    }
    return count;
  }

  /** A JSON string value equal to the email, in any case, inside a stored raw record. */
  private static String rawPattern(Subject subject) {
    return "%\"" + likeEscape(subject.email()) + "\"%";
  }

  private static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  // ---------------------------------------------------------------- export

  /**
   * Everything AIX holds on the person, record by record: the mapped fields, every score with its
   * reasons, tasks, refused and queued raw records, as JSON text of one array.
   */
  public Uni<String> export(Subject subject) {
    return records(subject)
        .chain(
            keys ->
                Panache.withSession(
                    () ->
                        Panache.getSession()
                            .chain(
                                s -> {
                                  List<String> out = new ArrayList<>();
                                  Uni<Void> chain = Uni.createFrom().voidItem();
                                  for (LeadKey k : keys) {
                                    chain =
                                        chain.chain(
                                            () ->
                                                exportRecord(s, k)
                                                    .invoke(out::add)
                                                    .replaceWithVoid());
                                  }
                                  return chain.replaceWith(() -> "[" + String.join(",", out) + "]");
                                })));
  }

  private static final String WHERE = " where profile_id = :p and crm_object = :o and crm_id = :id";

  /** Each part of a record's export: a JSON array of its rows, camel-cased. */
  private static final String EXPORT =
      "select json_build_object('profile', cast(:p as text), 'object', cast(:o as text),"
          + " 'crmId', cast(:id as text),"
          + " 'lead', (select row_to_json(t) from (select mapped_values::jsonb as fields,"
          + " crm_modified_at as \"crmModifiedAt\", updated_at as \"updatedAt\","
          + " deleted_at as \"deletedAt\" from lead"
          + WHERE
          + ") t),"
          + " 'scores', (select coalesce(json_agg(t order by t.version), '[]') from (select version,"
          + " score, grade, probability, fit, engagement, top_factors as \"topFactors\","
          + " model_version as \"modelVersion\", scored_at as \"scoredAt\","
          + " written_at as \"writtenAt\" from score"
          + WHERE
          + ") t),"
          + " 'feedback', (select coalesce(json_agg(t), '[]') from (select feedback, score,"
          + " score_version as \"scoreVersion\", model_version as \"modelVersion\","
          + " given_at as \"givenAt\" from lead_feedback"
          + WHERE
          + ") t),"
          + " 'tasks', (select coalesce(json_agg(t), '[]') from (select kind, body,"
          + " crm_task_id as \"crmTaskId\", created_at as \"createdAt\","
          + " closed_at as \"closedAt\" from lead_task"
          + WHERE
          + ") t),"
          + " 'signals', (select coalesce(json_agg(t order by t.\"occurredAt\"), '[]') from"
          + " (select signal_id as \"id\", type, occurred_at as \"occurredAt\","
          + " received_at as \"receivedAt\", source, detail from engagement_signal"
          + WHERE
          + ") t),"
          + " 'deadLetters', (select coalesce(json_agg(t), '[]') from (select stage,"
          + " error_code as \"code\", reason, payload, created_at as \"createdAt\","
          + " replayed_at as \"replayedAt\" from dead_letter"
          + WHERE
          + ") t),"
          + " 'queued', (select coalesce(json_agg(t), '[]') from (select stream, payload,"
          + " enqueued_at as \"enqueuedAt\", attempts, last_error as \"lastError\""
          + " from work_item"
          + WHERE
          + ") t))::text";

  private static Uni<String> exportRecord(Mutiny.Session s, LeadKey k) {
    return s.<String>createNativeQuery(EXPORT)
        .setParameter("p", k.profileId())
        .setParameter("o", k.crmObject())
        .setParameter("id", k.crmId())
        .getSingleResult();
  }
}
