package io.aix.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.Offset;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.aix.pipeline.LeadWork;
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
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The durable work queue between intake and the workers ({@code work_item}), one row per record.
 *
 * <ul>
 *   <li>{@link #accept} (intake, on the leader): the page's new versions, their change keys and the
 *       stream's offset, in one transaction. A record already waiting is replaced by its newer
 *       version, so a busy record is processed once at its latest state.
 *   <li>{@link #claim} (workers, on every replica): leases a batch with {@code FOR UPDATE SKIP
 *       LOCKED}, so replicas never take the same rows; a lease that runs out (a crashed worker)
 *       makes its rows available again.
 *   <li>{@link #complete}: in one transaction, dead letters and tombstones, finished rows deleted,
 *       rows to retry given back with their next attempt time. A row whose record changed while it
 *       was leased is given back instead of deleted, so the newer version is processed too.
 * </ul>
 */
@ApplicationScoped
public class WorkQueue {
  @Inject Pool pool;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ITEM_COLUMNS = {
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "boolean",
    "text",
    "timestamptz",
    "timestamptz"
  };
  private static final String[] PROCESSED_COLUMNS = {
    "varchar", "varchar", "varchar", "timestamptz", "timestamptz"
  };
  private static final String[] DONE_COLUMNS = {"bigint", "integer"};
  private static final String[] RETRY_COLUMNS = {
    "bigint", "integer", "integer", "timestamptz", "text"
  };

  /**
   * One leased row.
   *
   * @param attempts earlier attempts that ended in a retriable failure
   */
  /**
   * One leased row.
   *
   * @param enqueuedAt when this version of the record was queued: how long it has been waiting
   */
  public record Item(
      long id, int revision, String stream, CrmRecord record, int attempts, Instant enqueuedAt) {
    /** {@code poll} or {@code push}: the intake that brought this version. */
    public String source() {
      return stream.substring(stream.indexOf(':') + 1);
    }
  }

  /** What became of one leased row. */
  public sealed interface Outcome {
    Item item();

    /** Processed (written, unchanged, rejected or tombstoned): the row goes. */
    record Done(Item item) implements Outcome {}

    /** A retriable failure: the row comes back at {@code notBefore}. */
    record Retry(Item item, Instant notBefore, boolean countsAsAttempt, String error)
        implements Outcome {}
  }

  /** The order rows of work_item are locked in by a transaction that writes several. */
  private static final Comparator<CrmRecord> IN_LOCK_ORDER =
      Comparator.comparing((CrmRecord r) -> r.key().crmObject())
          .thenComparing(r -> r.key().crmId());

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** Source of the rows a bulk read queues: their scores go back in bulk jobs too. */
  public static final String BULK_SOURCE = "bulk";

  /**
   * What a page's checkpoint did: the versions queued, the position stored now, and the records
   * left out as asking for no work (AIX's own writes coming back, versions older than AIX's).
   */
  public record Accepted(int fresh, String position, int upToDate) {}

  /**
   * Intake's checkpoint: queues the records (minus versions this stream accepted before, unless
   * named in {@code rescore}), notes their change keys, moves the offset (or only marks the stream
   * alive), and prunes keys the overlapping window can no longer return. With {@code bulkRead}, the
   * rows are queued with source {@link #BULK_SOURCE} (their offsets and change keys still belong to
   * {@code stream}), so the writeback sends their scores in bulk jobs; a newer version from another
   * source takes its source with it.
   *
   * <p>A page of a read expects the stored position to be {@code expected} (where the read began,
   * or where its previous page left it; null: no expectation): the offset moves only if it still
   * is. Anything else means someone reset or rewound it since (a change event gap rewinds it, an
   * operator forgets it), and a read in flight must not undo that by storing where it got to. An
   * absent position counts as the beginning. Yields how many versions were new and the position
   * stored after the page, to expect at the next one.
   */
  public Uni<Accepted> accept(
      String profileId,
      String stream,
      List<CrmRecord> records,
      Set<String> rescore,
      Map<String, String> subjectHashes,
      Optional<Offset> newOffset,
      Instant pruneBefore,
      Instant now,
      boolean bulkRead,
      String expected,
      Set<String> upToDate) {
    String queued = bulkRead ? stream.substring(0, stream.indexOf(':') + 1) + BULK_SOURCE : stream;
    List<String> keys = records.stream().map(CrmRecord::changeKey).toList();
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        intakeLock(s)
                            .chain(() -> SubjectStore.erased(s, subjectHashes.values()))
                            .chain(
                                erased ->
                                    seen(s, profileId, stream, keys)
                                        .map(done -> skip(done, erased, subjectHashes)))
                            .chain(
                                done ->
                                    waiting(s, records, upToDate)
                                        .map(
                                            waiting -> {
                                              Set<String> echoes = new HashSet<>(upToDate);
                                              echoes.removeAll(waiting);
                                              return new Skip(done, echoes);
                                            }))
                            .chain(
                                skip -> {
                                  Set<String> done = skip.done();
                                  // The latest version of each record, once.
                                  Map<String, CrmRecord> fresh = new LinkedHashMap<>();
                                  Set<String> echoed = new HashSet<>();
                                  List<CrmRecord> echoes = new ArrayList<>();
                                  for (CrmRecord r : records) {
                                    if ((rescore.contains(r.key().crmId())
                                            || !done.contains(r.changeKey()))
                                        && !done.contains(r.key().crmId())) {
                                      if (skip.upToDate().contains(r.key().crmId())) {
                                        echoed.add(r.key().crmId());
                                        echoes.add(r);
                                        continue;
                                      }
                                      fresh.merge(
                                          r.key().crmId(),
                                          r,
                                          (a, b) ->
                                              b.modifiedAt().isBefore(a.modifiedAt()) ? a : b);
                                    }
                                  }
                                  List<CrmRecord> list = List.copyOf(fresh.values());
                                  // The versions found up to date are taken too: the overlap
                                  // reads them again (an import's 200,000 contacts coming back,
                                  // walked by the next cycle a second time), and each is then
                                  // skipped by its key before intake maps it (takenBefore).
                                  List<CrmRecord> noted = new ArrayList<>(list);
                                  noted.addAll(echoes);
                                  return enqueue(s, queued, list, now)
                                      .chain(() -> noteKeys(s, profileId, stream, noted, now))
                                      .chain(() -> storedPosition(s, profileId, stream))
                                      .chain(
                                          stored -> {
                                            boolean holds =
                                                expected == null || expected.equals(stored);
                                            Optional<Offset> move =
                                                newOffset
                                                    .filter(o -> holds)
                                                    .map(o -> withoutErased(o, done));
                                            // Once broken, the expectation stays broken for the
                                            // rest of the read: it never moves the offset again.
                                            String after =
                                                holds
                                                    ? move.map(Offset::encode).orElse(stored)
                                                    : expected;
                                            return moveOffset(s, profileId, stream, move, now)
                                                .replaceWith(after);
                                          })
                                      .call(() -> prune(s, profileId, stream, pruneBefore))
                                      .map(
                                          after -> new Accepted(list.size(), after, echoed.size()));
                                })));
  }

  /**
   * What a page leaves out: change keys taken before and erased people's record ids ({@code done}),
   * and records up to date that wait nowhere in the queue.
   */
  private record Skip(Set<String> done, Set<String> upToDate) {}

  /**
   * Which of these records (by id; the records are of one object) wait in the queue or are in a
   * worker's hands: a version of them intake found up to date is queued all the same, so that the
   * older version waiting is processed as this one. A re-score of the stored lead waiting is left
   * as it is: it scores the same fields, on its own lane.
   */
  private static Uni<Set<String>> waiting(
      Mutiny.Session s, List<CrmRecord> records, Set<String> ids) {
    if (ids.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    LeadKey any = records.get(0).key();
    return PreparedSql.rows(
            s,
            "select crm_id from work_item where profile_id = $1 and crm_object = $2"
                + " and crm_id = any($3) and change_key <> 'stored'",
            any.profileId(),
            any.crmObject(),
            ids.toArray(String[]::new))
        .map(
            rows -> {
              Set<String> out = new HashSet<>();
              rows.forEach(r -> out.add((String) r[0]));
              return out;
            });
  }

  /**
   * Key of the advisory lock between intake (shared: checkpoints run side by side) and erasure
   * (exclusive, while it writes the tombstone), so no page read before an erasure slips past it.
   */
  public static final long INTAKE_LOCK = 0x41495849_6e74616bL;

  private static Uni<Void> intakeLock(Mutiny.Session s) {
    return PreparedSql.rows(s, "select pg_advisory_xact_lock_shared($1)", INTAKE_LOCK)
        .replaceWithVoid();
  }

  /** A watermark must not name an erased person's record: its id is dropped, its stamp kept. */
  private static Offset withoutErased(Offset offset, Set<String> skipped) {
    return offset instanceof Offset.Watermark w && skipped.contains(w.lastId())
        ? new Offset.Watermark(w.modifiedAt(), "")
        : offset;
  }

  /** Change keys already taken, plus the ids of records whose person was erased: skipped both. */
  private static Set<String> skip(
      Set<String> seen, Set<String> erased, Map<String, String> subjectHashes) {
    if (erased.isEmpty()) {
      return seen;
    }
    Set<String> skip = new HashSet<>(seen);
    subjectHashes.forEach(
        (crmId, hash) -> {
          if (erased.contains(hash)) {
            skip.add(crmId);
          }
        });
    return skip;
  }

  /**
   * The change keys of these records that the stream took before (queued, or found up to date):
   * intake leaves them out before it spends a mapping on them. {@link #accept} asks again in its
   * transaction, so a key taken meanwhile by another checkpoint is still skipped once.
   */
  public Uni<Set<String>> takenBefore(String profileId, String stream, List<CrmRecord> records) {
    List<String> keys = records.stream().map(CrmRecord::changeKey).toList();
    return Panache.withSession(
        () -> Panache.getSession().chain(s -> seen(s, profileId, stream, keys)));
  }

  private static Uni<Set<String>> seen(
      Mutiny.Session s, String profileId, String stream, List<String> keys) {
    if (keys.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return PreparedSql.rows(
            s,
            "select event_key from processed_event where profile_id = $1 and stream = $2"
                + " and event_key = any($3)",
            profileId,
            stream,
            keys.toArray(String[]::new))
        .map(
            rows -> {
              Set<String> seen = new HashSet<>();
              rows.forEach(r -> seen.add((String) r[0]));
              return seen;
            });
  }

  /** Queues records (of any objects) as they are, in a session's transaction. */
  static Uni<Void> enqueue(Mutiny.Session s, List<CrmRecord> records, Instant now) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    Map<String, List<CrmRecord>> byObject = new LinkedHashMap<>();
    records.forEach(
        r -> byObject.computeIfAbsent(r.key().crmObject(), o -> new ArrayList<>()).add(r));
    for (Map.Entry<String, List<CrmRecord>> e : byObject.entrySet()) {
      chain = chain.chain(() -> enqueue(s, e.getKey() + ":replay", e.getValue(), now));
    }
    return chain;
  }

  /**
   * Queues records on a stream; a record already waiting takes the newer version. At the same
   * version, a bulk read's copy does not take the place of a real-time one: a user's change that a
   * running backfill's query also saw stays on the real-time lane and its REST write, instead of
   * waiting for a bulk job (the scale bench's change-to-score p99 was two minutes for this).
   */
  private static Uni<Void> enqueue(
      Mutiny.Session s, String stream, List<CrmRecord> unordered, Instant now) {
    // Rows are locked in record order here and in complete(), so an intake and a worker finishing
    // the same records wait for each other instead of deadlocking (40P01 in a 200,000-contact run:
    // page order here, outcome order there). A batch with both finished and retried rows still
    // locks them in two runs, each in this order; PostgreSQL breaks such a rare cycle, and the
    // intake is retried.
    List<CrmRecord> records = unordered.stream().sorted(IN_LOCK_ORDER).toList();
    return BatchSql.execute(
        s,
        "insert into work_item (profile_id, crm_object, crm_id, stream, change_key, crm_modified_at,"
            + " deleted, payload, enqueued_at, available_at) values %s"
            + " on conflict (profile_id, crm_object, crm_id) do update set"
            + " stream = excluded.stream, change_key = excluded.change_key,"
            + " crm_modified_at = excluded.crm_modified_at, deleted = excluded.deleted,"
            + " payload = excluded.payload, revision = work_item.revision + 1,"
            + " enqueued_at = excluded.enqueued_at,"
            + " available_at = least(work_item.available_at, excluded.available_at), attempts = 0"
            + " where excluded.crm_modified_at > work_item.crm_modified_at"
            + " or (excluded.crm_modified_at = work_item.crm_modified_at"
            + " and (excluded.stream not like '%:"
            + BULK_SOURCE
            + "' or work_item.stream like '%:"
            + BULK_SOURCE
            + "'))",
        ITEM_COLUMNS,
        records,
        r ->
            new Object[] {
              r.key().profileId(),
              r.key().crmObject(),
              r.key().crmId(),
              stream,
              r.changeKey(),
              at(r.modifiedAt()),
              r.deleted(),
              payload(r),
              at(now),
              at(now)
            });
  }

  /**
   * The payload of a re-score from stored state: no CRM fields, the worker scores the lead AIX
   * stored. A dead letter of such a row keeps it, so its replay re-scores the stored lead again
   * (never maps this as a CRM record).
   */
  public static final String STORED = "{\"aix:stored\":true}";

  /** Whether queued fields are {@link #STORED}'s, not a CRM record's. */
  public static boolean isStored(com.fasterxml.jackson.databind.JsonNode fields) {
    return fields.size() == 1 && fields.path("aix:stored").asBoolean(false);
  }

  /** Source (stream suffix) of a small re-score from stored state: on the real-time lane. */
  public static final String STORED_SOURCE = "stored";

  /**
   * One chunk of a re-score from stored state, queued.
   *
   * @param read stored leads the chunk took (some may have had a CRM version waiting already)
   * @param done the request is finished: every lead was queued, and the request deleted
   */
  public record StoredChunk(int read, boolean done) {}

  /**
   * Queues the next {@code limit} leads of a re-score request (ModelStore.promote) after where the
   * last chunk ended, in crm_id order, and moves the request past them, in one transaction. A
   * record that waits in the queue already keeps its CRM version (scored by the current model when
   * it is taken); tombstoned leads are left out. Above {@code bulkAbove} leads the rows take the
   * bulk read's lane and their scores go back in bulk jobs. Empty when nothing is asked.
   */
  public Uni<Optional<StoredChunk>> queueStored(
      String profileId, String object, int bulkAbove, int limit, Instant now) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        PreparedSql.rows(
                                s,
                                "select after_crm_id, total from rescore_request"
                                    + " where profile_id = $1 and crm_object = $2 for update",
                                profileId,
                                object)
                            .chain(
                                req ->
                                    req.isEmpty()
                                        ? Uni.createFrom().item(Optional.<StoredChunk>empty())
                                        : storedChunk(
                                                s,
                                                profileId,
                                                object,
                                                (String) req.get(0)[0],
                                                ((Number) req.get(0)[1]).longValue() > bulkAbove,
                                                limit,
                                                now)
                                            .map(Optional::of))));
  }

  private static Uni<StoredChunk> storedChunk(
      Mutiny.Session s,
      String profileId,
      String object,
      String after,
      boolean bulk,
      int limit,
      Instant now) {
    String stream = object + ":" + (bulk ? BULK_SOURCE : STORED_SOURCE);
    return PreparedSql.rows(
            s,
            "with chunk as (select crm_id, crm_modified_at from lead where profile_id = $1"
                + " and crm_object = $2 and crm_id > $3 and deleted_at is null order by crm_id"
                + " limit $4), queued as (insert into work_item (profile_id, crm_object, crm_id,"
                + " stream, change_key, crm_modified_at, deleted, payload, enqueued_at,"
                + " available_at) select $1, $2, crm_id, $5, 'stored', crm_modified_at, false, $6,"
                + " $7, $7 from chunk order by crm_id on conflict (profile_id, crm_object, crm_id)"
                + " do nothing returning 1) select (select max(crm_id) from chunk),"
                + " (select count(*) from chunk), (select count(*) from queued)",
            profileId,
            object,
            after,
            (long) limit,
            stream,
            STORED,
            at(now))
        .chain(
            rows -> {
              Object[] r = rows.get(0);
              int read = ((Number) r[1]).intValue();
              boolean done = read < limit;
              Uni<Integer> step =
                  done
                      ? PreparedSql.update(
                          s,
                          "delete from rescore_request where profile_id = $1 and crm_object = $2",
                          profileId,
                          object)
                      : PreparedSql.update(
                          s,
                          "update rescore_request set after_crm_id = $3 where profile_id = $1"
                              + " and crm_object = $2",
                          profileId,
                          object,
                          (String) r[0]);
              return step.replaceWith(new StoredChunk(read, done));
            });
  }

  /**
   * Whether a re-score from stored state is under way for an object: asked for and not all queued,
   * or some of its rows still waiting (or in a worker's hands).
   */
  public Uni<Boolean> rescoring(String profileId, String object) {
    return pool.preparedQuery(
            "select exists (select 1 from rescore_request where profile_id = $1 and crm_object = $2)"
                + " or exists (select 1 from work_item where profile_id = $1 and crm_object = $2"
                + " and change_key = 'stored')")
        .execute(Tuple.of(profileId, object))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** A record's fields as stored JSON; PostgreSQL text cannot hold NUL, so it stays escaped. */
  static String payload(CrmRecord r) {
    try {
      return JSON.writeValueAsString(r.fields());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Uni<Void> noteKeys(
      Mutiny.Session s, String profileId, String stream, List<CrmRecord> records, Instant now) {
    return BatchSql.execute(
        s,
        "insert into processed_event (profile_id, stream, event_key, event_time, processed_at)"
            + " values %s on conflict do nothing",
        PROCESSED_COLUMNS,
        records,
        r -> new Object[] {profileId, stream, r.changeKey(), at(r.modifiedAt()), at(now)});
  }

  /**
   * Moves a stream's stored position, in the session's transaction; with no new position, only
   * marks the stream alive.
   */
  static Uni<Void> moveOffset(
      Mutiny.Session s, String profileId, String stream, Optional<Offset> newOffset, Instant now) {
    // No move: still record that the source is alive (the stalled-intake alert reads updated_at).
    String sql =
        newOffset.isPresent()
            ? "insert into source_offset (profile_id, stream, position, updated_at)"
                + " values ($1, $2, $3, $4) on conflict (profile_id, stream)"
                + " do update set position = excluded.position, updated_at = excluded.updated_at"
            : "insert into source_offset (profile_id, stream, position, updated_at)"
                + " values ($1, $2, $3, $4) on conflict (profile_id, stream)"
                + " do update set updated_at = excluded.updated_at";
    return PreparedSql.update(
            s, sql, profileId, stream, newOffset.orElse(Offset.Watermark.START).encode(), at(now))
        .replaceWithVoid();
  }

  /**
   * The stored position of a stream ({@link Offset.Watermark#START} when there is none), its row
   * locked until the transaction ends so that no reset slips in between the look and the move.
   */
  private static Uni<String> storedPosition(Mutiny.Session s, String profileId, String stream) {
    return PreparedSql.rows(
            s,
            "select position from source_offset where profile_id = $1 and stream = $2 for update",
            profileId,
            stream)
        .map(rows -> rows.isEmpty() ? Offset.Watermark.START.encode() : (String) rows.get(0)[0]);
  }

  private static Uni<Void> prune(
      Mutiny.Session s, String profileId, String stream, Instant before) {
    return PreparedSql.update(
            s,
            "delete from processed_event where profile_id = $1 and stream = $2 and event_time < $3",
            profileId,
            stream,
            at(before))
        .replaceWithVoid();
  }

  /**
   * Leases up to {@code limit} available rows of one profile and object for {@code owner} until
   * {@code leaseUntil}, oldest first; rows another worker holds are skipped, not waited for.
   */
  // Real-time rows (change events, webhooks, polls) first, then a bulk read's: a backfill of a
  // million records must not put a user's change a million rows back. Each part is read in its own
  // partial index's order (V13).
  private static final String CLAIM =
      "with available as (select id, 0 as part, available_at from (select id, available_at"
          + " from work_item where profile_id = $3 and crm_object = $4 and stream not like"
          + " '%:bulk' and available_at <= $5 and (lease_until is null or lease_until < $5)"
          + " order by available_at, id limit $6 for update skip locked) live union all select"
          + " id, 1, available_at from (select id, available_at from work_item where profile_id"
          + " = $3 and crm_object = $4 and stream like '%:bulk' and available_at <= $5 and"
          + " (lease_until is null or lease_until < $5) order by available_at, id limit $6"
          + " for update skip locked) bulk)"
          + " update work_item w set lease_owner = $1, lease_until = $2"
          + " where w.id in (select id from available order by part, available_at, id limit $6)"
          + " returning w.id, w.revision, w.stream, w.crm_id, w.crm_modified_at, w.deleted,"
          + " w.payload, w.attempts, w.enqueued_at";

  public Uni<List<Item>> claim(
      String profileId, String object, String owner, int limit, Instant now, Instant leaseUntil) {
    // One statement, so a transaction of its own: the rows are leased when it returns.
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(owner, at(leaseUntil), profileId, object, at(now), (long) limit))
        .map(
            rows -> {
              List<Item> items = new ArrayList<>(rows.size());
              for (Row r : rows) {
                items.add(
                    new Item(
                        r.getLong(0),
                        r.getInteger(1),
                        r.getString(2),
                        new CrmRecord(
                            new LeadKey(profileId, object, r.getString(3)),
                            r.getOffsetDateTime(4).toInstant(),
                            r.getBoolean(5),
                            parse(r.getString(6))),
                        r.getInteger(7),
                        r.getOffsetDateTime(8).toInstant()));
              }
              items.sort(
                  Comparator.comparing((Item i) -> i.record().modifiedAt())
                      .thenComparing(i -> i.record().key().crmId()));
              return items;
            });
  }

  static com.fasterxml.jackson.databind.JsonNode parse(String payload) {
    try {
      return JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable queued payload", e);
    }
  }

  /**
   * Finishes a leased batch in one transaction: dead letters and tombstones of its rejected and
   * deleted records, finished rows deleted (unless their record changed meanwhile), retries given
   * back with their time, and every remaining lease of {@code owner} on these rows released.
   */
  public Uni<Void> complete(
      String profileId, String owner, List<Outcome> outcomes, List<LeadWork> finals, Instant now) {
    List<Outcome.Done> done = new ArrayList<>();
    List<Outcome.Retry> retries = new ArrayList<>();
    // In the lock order of enqueue: deletes and updates lock their rows in values order.
    List<Outcome> ordered =
        outcomes.stream()
            .sorted(Comparator.comparing(o -> o.item().record(), IN_LOCK_ORDER))
            .toList();
    for (Outcome o : ordered) {
      if (o instanceof Outcome.Done d) {
        done.add(d);
      } else {
        retries.add((Outcome.Retry) o);
      }
    }
    List<Long> ids = outcomes.stream().map(o -> o.item().id()).toList();
    List<LeadWork> recorded =
        finals.stream()
            .filter(
                w ->
                    w.status() == LeadWork.Status.REJECTED || w.status() == LeadWork.Status.DELETED)
            .toList();
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    s ->
                        finishAll(s, recorded, now)
                            .chain(
                                () ->
                                    BatchSql.execute(
                                        s,
                                        "delete from work_item w using (values %s) as v(id, revision)"
                                            + " where w.id = v.id and w.revision = v.revision",
                                        DONE_COLUMNS,
                                        done,
                                        d -> new Object[] {d.item().id(), d.item().revision()}))
                            .chain(
                                () ->
                                    BatchSql.execute(
                                        s,
                                        "update work_item w set attempts = w.attempts + v.more,"
                                            + " available_at = v.at, last_error = v.error,"
                                            + " lease_owner = null, lease_until = null"
                                            + " from (values %s) as v(id, revision, more, at, error)"
                                            + " where w.id = v.id and w.revision = v.revision",
                                        RETRY_COLUMNS,
                                        retries,
                                        r ->
                                            new Object[] {
                                              r.item().id(),
                                              r.item().revision(),
                                              r.countsAsAttempt() ? 1 : 0,
                                              at(r.notBefore()),
                                              r.error()
                                            }))
                            .chain(
                                () ->
                                    ids.isEmpty()
                                        ? Uni.createFrom().voidItem()
                                        : PreparedSql.update(
                                                s,
                                                "update work_item set lease_owner = null,"
                                                    + " lease_until = null where id = any($1)"
                                                    + " and lease_owner = $2",
                                                ids.toArray(Long[]::new),
                                                owner)
                                            .replaceWithVoid())));
  }

  private static Uni<Void> finishAll(Mutiny.Session s, List<LeadWork> works, Instant now) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (LeadWork w : works) {
      chain = chain.chain(() -> LeadStore.finishOne(s, w, now)).replaceWithVoid();
    }
    return chain;
  }

  /** Rows waiting per profile and object (leased ones included): the backlog. */
  public Uni<Map<String, Long>> depth() {
    return NativeSql.<Object[]>list(
            "select profile_id || '/' || crm_object, count(*) from work_item group by 1", Map.of())
        .map(
            rows -> {
              Map<String, Long> out = new LinkedHashMap<>();
              for (Object[] r : rows) {
                out.put((String) r[0], ((Number) r[1]).longValue());
              }
              return out;
            });
  }
}
