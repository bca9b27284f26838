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
          || kind.equals("merged")
          || kind.equals(CHANGE_EVENT_KIND + "DELETE")
          || kind.equals(CHANGE_EVENT_KIND + "GAP_DELETE");
    }
  }

  /**
   * Kind prefix of notices from Salesforce change events: {@code cdc.UPDATE}, {@code cdc.DELETE}.
   */
  public static final String CHANGE_EVENT_KIND = "cdc.";

  /** An event AIX could not act on, kept whole in the dead-letter table with why. */
  public record Rejected(String crmObject, String code, String reason, String payload) {}

  /**
   * One change event taken from a CRM's event stream, in one transaction: its notices (none for
   * AIX's own echo), or its dead letter, and the stream's new position (the event's replay id). A
   * notice already stored (the same event replayed) is left as it was. Yields how many notices were
   * new.
   */
  public Uni<Integer> acceptChangeEvent(
      String profileId,
      String stream,
      List<PushEvent> notices,
      Long replayId,
      java.util.Optional<Rejected> rejected,
      java.util.Optional<io.aix.connector.Offset> position,
      Instant now) {
    String insert =
        "insert into inbound_event (profile_id, event_id, crm_object, crm_id, kind, occurred_at,"
            + " received_at, replay_id) values (:p, :e, :o, :c, :k, :t, :r, :replay)"
            + " on conflict (profile_id, event_id) do nothing";
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s -> {
                      Uni<Integer> fresh = Uni.createFrom().item(0);
                      for (PushEvent n : notices) {
                        fresh =
                            fresh.chain(
                                count ->
                                    s.createNativeQuery(insert)
                                        .setParameter("p", profileId)
                                        .setParameter("e", n.eventId())
                                        .setParameter("o", n.crmObject())
                                        .setParameter("c", n.crmId())
                                        .setParameter("k", n.kind())
                                        .setParameter("t", at(n.occurredAt()))
                                        .setParameter("r", at(n.receivedAt()))
                                        .setParameter("replay", replayId)
                                        .executeUpdate()
                                        .map(added -> count + added));
                      }
                      if (rejected.isPresent()) {
                        Rejected r = rejected.get();
                        fresh =
                            fresh.call(
                                () ->
                                    s.createNativeQuery(
                                            "insert into dead_letter (profile_id, crm_object,"
                                                + " stage, error_code, reason, payload, created_at)"
                                                + " values (:p, :o, 'cdc', :code, :reason,"
                                                + " :payload, :now)")
                                        .setParameter("p", profileId)
                                        .setParameter("o", r.crmObject())
                                        .setParameter("code", r.code())
                                        .setParameter("reason", r.reason())
                                        .setParameter("payload", r.payload())
                                        .setParameter("now", at(now))
                                        .executeUpdate());
                      }
                      if (position.isPresent()) {
                        fresh =
                            fresh.call(
                                () -> WorkQueue.moveOffset(s, profileId, stream, position, now));
                      }
                      return fresh;
                    }));
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
