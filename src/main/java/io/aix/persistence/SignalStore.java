package io.aix.persistence;

import io.aix.lead.EngagementSignal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Engagement signals in PostgreSQL. Accepting a batch is one transaction: signals for records AIX
 * does not hold are refused (named, so the sender can send them again later), signals already
 * stored (same profile and signal id) are counted as duplicates and left as they were, and each new
 * signal leaves a notice in {@code inbound_event} (kind {@code signal}) so the object's push route
 * reads the record and the pipeline scores it again.
 */
@ApplicationScoped
public class SignalStore {
  @Inject Pool pool;

  /** Notice kind of a new signal in {@code inbound_event}. */
  public static final String NOTICE_KIND = "signal";

  private static final String[] COLUMNS = {
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "timestamptz",
    "varchar",
    "varchar"
  };
  private static final String[] NOTICE_COLUMNS = {
    "varchar", "varchar", "varchar", "varchar", "varchar", "timestamptz", "timestamptz"
  };

  /** A signal to store, already validated in form (type, time, lengths). */
  public record Incoming(
      String signalId,
      String profileId,
      String crmObject,
      String crmId,
      EngagementSignal.Type type,
      Instant occurredAt,
      String detail) {
    String recordKey() {
      return profileId + "/" + crmObject + "/" + crmId;
    }
  }

  /**
   * What became of a batch, by position in it.
   *
   * @param accepted positions stored now
   * @param duplicates positions whose signal id was stored before (or earlier in this batch)
   * @param unknown positions refused, with why (the record is not known, or deleted)
   */
  public record Outcome(
      Set<Integer> accepted, Set<Integer> duplicates, Map<Integer, String> unknown) {}

  /** Stores signals; one already stored (same profile and signal id) is left as it was. */
  private static final String INSERT =
      "insert into engagement_signal (profile_id, crm_object, crm_id, signal_id, type,"
          + " occurred_at, received_at, source, detail) values %s"
          + " on conflict (profile_id, signal_id) do nothing";

  private static java.util.function.Function<Incoming, Object[]> row(String source, Instant now) {
    return in ->
        new Object[] {
          in.profileId(),
          in.crmObject(),
          in.crmId(),
          in.signalId(),
          in.type().wire(),
          at(in.occurredAt()),
          at(now),
          source,
          in.detail()
        };
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  public Uni<Outcome> accept(List<Incoming> signals, String source, Instant now) {
    return Panache.withTransaction(
        () -> Panache.getSession().chain(s -> accept(s, signals, source, now)));
  }

  private Uni<Outcome> accept(
      Mutiny.Session s, List<Incoming> signals, String source, Instant now) {
    return knownRecords(s, signals)
        .chain(
            known -> {
              Map<Integer, String> unknown = new LinkedHashMap<>();
              Map<String, Integer> firstById = new LinkedHashMap<>();
              Set<Integer> duplicates = new HashSet<>();
              for (int i = 0; i < signals.size(); i++) {
                Incoming in = signals.get(i);
                Boolean deleted = known.get(in.recordKey());
                if (deleted == null) {
                  unknown.put(
                      i,
                      "unknown record: "
                          + in.profileId()
                          + " has no "
                          + in.crmObject()
                          + " "
                          + in.crmId()
                          + " yet (AIX knows a record once it has read it from the CRM; send"
                          + " the signal again then)");
                } else if (deleted) {
                  unknown.put(
                      i,
                      "the record "
                          + in.crmId()
                          + " was deleted in the CRM; AIX no longer scores it");
                } else if (firstById.putIfAbsent(in.profileId() + "\n" + in.signalId(), i)
                    != null) {
                  duplicates.add(i);
                }
              }
              List<Integer> candidates = List.copyOf(firstById.values());
              List<Incoming> rows = candidates.stream().map(signals::get).toList();
              return BatchSql.<Incoming, String>returning(
                      s,
                      INSERT + " returning profile_id || chr(10) || signal_id",
                      COLUMNS,
                      rows,
                      row(source, now))
                  .chain(
                      stored -> {
                        Set<String> fresh = new HashSet<>(stored);
                        Set<Integer> accepted = new HashSet<>();
                        List<Incoming> notices = new ArrayList<>();
                        for (int i : candidates) {
                          Incoming in = signals.get(i);
                          if (fresh.contains(in.profileId() + "\n" + in.signalId())) {
                            accepted.add(i);
                            notices.add(in);
                          } else {
                            duplicates.add(i);
                          }
                        }
                        return notices(s, notices, now)
                            .replaceWith(new Outcome(accepted, duplicates, unknown));
                      });
            });
  }

  /**
   * Signals read from the CRM with the records being scored: stored once each (their ids are made
   * from record, field and time), without notices, as the records are being scored already.
   */
  public Uni<Void> record(List<Incoming> signals, String source, Instant now) {
    if (signals.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(s -> BatchSql.execute(s, INSERT, COLUMNS, signals, row(source, now))));
  }

  /**
   * Signals made from a CRM's activity records, in one transaction with the activity stream's new
   * position: each new one for a record AIX holds is stored with a notice (the record is read and
   * scored again), those read before are left as they were, and a record AIX has not read yet gets
   * a notice of its own so that it is read (its activity counts from the next read, whose overlap
   * covers it). Yields how many signals were new.
   */
  public Uni<Integer> acceptActivities(
      String profileId,
      String stream,
      List<Incoming> signals,
      String source,
      java.util.Optional<io.aix.connector.Offset> position,
      Instant now) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        knownRecords(s, signals)
                            .chain(
                                known -> {
                                  // Only records AIX holds get signals: an erased person's record
                                  // (kept in the CRM) is never stored again, nor its engagement.
                                  // A record not read yet gets a notice, so it is read now and
                                  // its activity is taken by the next read's overlap.
                                  List<Incoming> held =
                                      signals.stream()
                                          .filter(
                                              in -> Boolean.FALSE.equals(known.get(in.recordKey())))
                                          .toList();
                                  List<Incoming> unread =
                                      signals.stream()
                                          .filter(in -> !known.containsKey(in.recordKey()))
                                          .toList();
                                  return discover(s, unread, now)
                                      .chain(
                                          () ->
                                              BatchSql.<Incoming, String>returning(
                                                  s,
                                                  INSERT + " returning signal_id",
                                                  COLUMNS,
                                                  held,
                                                  row(source, now)));
                                })
                            .chain(
                                stored -> {
                                  java.util.Set<String> fresh = new HashSet<>(stored);
                                  List<Incoming> added =
                                      signals.stream()
                                          .filter(in -> fresh.contains(in.signalId()))
                                          .toList();
                                  Uni<Void> moved =
                                      position.isEmpty()
                                          ? Uni.createFrom().voidItem()
                                          : WorkQueue.moveOffset(
                                              s, profileId, stream, position, now);
                                  return notices(s, added, now)
                                      .chain(() -> moved)
                                      .replaceWith(added.size());
                                })));
  }

  /** Record key to whether it is deleted, for the records these signals name that AIX holds. */
  private static Uni<Map<String, Boolean>> knownRecords(Mutiny.Session s, List<Incoming> signals) {
    Map<String, List<String>> idsByProfileObject = new LinkedHashMap<>();
    for (Incoming in : signals) {
      idsByProfileObject
          .computeIfAbsent(in.profileId() + "/" + in.crmObject(), k -> new ArrayList<>())
          .add(in.crmId());
    }
    Map<String, Boolean> known = new HashMap<>();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Map.Entry<String, List<String>> e : idsByProfileObject.entrySet()) {
      String[] po = e.getKey().split("/", 2);
      chain =
          chain.chain(
              () ->
                  s.<Object[]>createNativeQuery(
                          "select crm_id, deleted_at is not null from lead where profile_id = :p"
                              + " and crm_object = :o and crm_id in (:ids)")
                      .setParameter("p", po[0])
                      .setParameter("o", po[1])
                      .setParameter("ids", List.copyOf(new HashSet<>(e.getValue())))
                      .getResultList()
                      .invoke(
                          rows ->
                              rows.forEach(r -> known.put(e.getKey() + "/" + r[0], (Boolean) r[1])))
                      .replaceWithVoid());
    }
    return chain.replaceWith(known);
  }

  /** Notices for records not read yet, one per record: the push route reads and stores them. */
  private static Uni<Void> discover(Mutiny.Session s, List<Incoming> unread, Instant now) {
    Map<String, Incoming> perRecord = new LinkedHashMap<>();
    unread.forEach(in -> perRecord.putIfAbsent(in.recordKey(), in));
    return BatchSql.execute(
        s,
        "insert into inbound_event (profile_id, event_id, crm_object, crm_id, kind, occurred_at,"
            + " received_at) values %s on conflict (profile_id, event_id) do nothing",
        NOTICE_COLUMNS,
        List.copyOf(perRecord.values()),
        in ->
            new Object[] {
              in.profileId(),
              "activity:" + in.signalId(),
              in.crmObject(),
              in.crmId(),
              "activity",
              at(in.occurredAt()),
              at(now)
            });
  }

  private static Uni<Void> notices(Mutiny.Session s, List<Incoming> fresh, Instant now) {
    return BatchSql.execute(
        s,
        "insert into inbound_event (profile_id, event_id, crm_object, crm_id, kind, occurred_at,"
            + " received_at) values %s on conflict (profile_id, event_id) do nothing",
        NOTICE_COLUMNS,
        fresh,
        in ->
            new Object[] {
              in.profileId(),
              NOTICE_KIND + ":" + in.signalId(),
              in.crmObject(),
              in.crmId(),
              NOTICE_KIND,
              at(in.occurredAt()),
              at(now)
            });
  }

  /**
   * The signals of these records that occurred since {@code since}, newest first, at most {@code
   * perRecord} each: record id to its signals.
   */
  private static final String FOR_RECORDS =
      "select crm_id, seq, type, occurred_at from (select crm_id, seq, type, occurred_at,"
          + " row_number() over (partition by crm_id order by occurred_at desc, seq desc) n"
          + " from engagement_signal where profile_id = $1 and crm_object = $2"
          + " and crm_id = any($3) and occurred_at >= $4) x where n <= $5"
          + " order by crm_id, occurred_at desc, seq desc";

  public Uni<Map<String, List<EngagementSignal>>> forRecords(
      String profileId, String object, List<String> crmIds, Instant since, int perRecord) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return pool.preparedQuery(FOR_RECORDS)
        .execute(
            Tuple.of(profileId, object, crmIds.toArray(String[]::new), at(since), (long) perRecord))
        .map(
            rows -> {
              Map<String, List<EngagementSignal>> out = new HashMap<>();
              for (Row r : rows) {
                EngagementSignal.Type type =
                    EngagementSignal.Type.ofWire(r.getString(2)).orElse(null);
                if (type != null) {
                  out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                      .add(
                          new EngagementSignal(
                              r.getLong(1), type, r.getOffsetDateTime(3).toInstant()));
                }
              }
              return out;
            });
  }

  /** Which of these signal ids a profile holds already. */
  public Uni<Set<String>> known(String profileId, List<String> signalIds) {
    if (signalIds.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return pool.preparedQuery(
            "select signal_id from engagement_signal where profile_id = $1 and signal_id = any($2)")
        .execute(Tuple.of(profileId, signalIds.toArray(String[]::new)))
        .map(
            rows -> {
              Set<String> out = new HashSet<>();
              for (Row r : rows) {
                out.add(r.getString(0));
              }
              return out;
            });
  }

  /** Signals stored for a profile (all of them, when null). */
  public Uni<Long> count(String profileId) {
    return profileId == null
        ? NativeSql.<Number>single("select count(*) from engagement_signal", Map.of())
            .map(Number::longValue)
        : NativeSql.<Number>single(
                "select count(*) from engagement_signal where profile_id = :p",
                Map.of("p", profileId))
            .map(Number::longValue);
  }
}
