package io.aix.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Score versions waiting for a bulk job (table {@code bulk_write}) and the jobs running (table
 * {@code bulk_job}); see V13__bulk_writeback.sql. Set-based: each step is one statement per 200
 * rows, never one per record.
 */
@ApplicationScoped
public class BulkWriteStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One score version to write: the CRM's columns, and the record as read (for dead letters). */
  public record Waiting(int version, Map<String, Object> fields, io.aix.lead.CrmRecord record) {
    String crmId() {
      return record.key().crmId();
    }
  }

  /** A version a job took: what goes into the job's upload. */
  public record Taken(String crmId, int version, Map<String, Object> fields) {}

  /** A record the CRM refused for good, with its code and message. */
  public record Refused(String crmId, String code, String message) {}

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static Uni<Mutiny.Session> session() {
    return Panache.getSession();
  }

  private static Uni<Integer> inTransaction(String sql, Object... params) {
    return Panache.withTransaction(() -> session().chain(s -> PreparedSql.update(s, sql, params)));
  }

  /**
   * Queues versions for a bulk job, and notes on each lead that its version is being written (as
   * the REST path does before its call): a newer waiting version replaces an older one.
   */
  public Uni<Void> enqueue(String profileId, String object, List<Waiting> rows, Instant now) {
    if (rows.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    String insert =
        "insert into bulk_write (profile_id, crm_object, crm_id, version, fields, payload,"
            + " crm_modified_at, queued_at) select * from (values %s) as v"
            + " on conflict (profile_id, crm_object, crm_id) do update set version ="
            + " excluded.version, fields = excluded.fields, payload = excluded.payload,"
            + " crm_modified_at = excluded.crm_modified_at, attempts = 0"
            + " where bulk_write.version < excluded.version";
    String writing =
        "update lead l set writing_version = greatest(l.writing_version, v.version)"
            + " from (values %s) as v(profile_id, crm_object, crm_id, version)"
            + " where l.profile_id = v.profile_id and l.crm_object = v.crm_object"
            + " and l.crm_id = v.crm_id";
    // The lead rows first, then the queue's, each in key order: the bulk writer's settle locks
    // lead rows before it deletes queue rows, and the other order deadlocked with it (51 times in a
    // million-lead re-score; each retried, but time lost).
    List<Waiting> sorted =
        rows.stream().sorted(java.util.Comparator.comparing(Waiting::crmId)).toList();
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        BatchSql.execute(
                                s,
                                writing,
                                new String[] {"varchar", "varchar", "varchar", "integer"},
                                sorted,
                                r -> new Object[] {profileId, object, r.crmId(), r.version()})
                            .chain(
                                () ->
                                    BatchSql.execute(
                                        s,
                                        insert,
                                        new String[] {
                                          "varchar",
                                          "varchar",
                                          "varchar",
                                          "integer",
                                          "text",
                                          "text",
                                          "timestamptz",
                                          "timestamptz"
                                        },
                                        sorted,
                                        r ->
                                            new Object[] {
                                              profileId,
                                              object,
                                              r.crmId(),
                                              r.version(),
                                              json(r.fields()),
                                              WorkQueue.payload(r.record()),
                                              at(r.record().modifiedAt()),
                                              at(now)
                                            }))));
  }

  /**
   * A newer version of these records is about to be written over REST: an older version waiting for
   * a bulk job is dropped (it would land after the newer one); yields the ids whose older version a
   * running job already holds, which must follow that job instead (see BulkWriteStage).
   */
  public Uni<java.util.Set<String>> supersede(
      String profileId, String object, List<String> crmIds) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(java.util.Set.of());
    }
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        PreparedSql.update(
                                s,
                                "delete from bulk_write where profile_id = $1 and crm_object = $2"
                                    + " and crm_id = any($3) and job_id is null",
                                profileId,
                                object,
                                crmIds.toArray(String[]::new))
                            .chain(
                                () ->
                                    PreparedSql.rows(
                                        s,
                                        "select crm_id from bulk_write where profile_id = $1"
                                            + " and crm_object = $2 and crm_id = any($3)",
                                        profileId,
                                        object,
                                        crmIds.toArray(String[]::new)))
                            .map(
                                rows -> {
                                  java.util.Set<String> held = new java.util.HashSet<>();
                                  rows.forEach(r -> held.add((String) r[0]));
                                  return held;
                                })));
  }

  /**
   * The version each of these records has waiting for, or in, a bulk job: a write the bulk writer
   * holds durably and settles from the job's results (retried or dead-lettered there).
   */
  public Uni<Map<String, Integer>> pendingVersions(
      String profileId, String object, List<String> crmIds) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return Panache.withSession(
        () ->
            session()
                .chain(
                    s ->
                        PreparedSql.rows(
                            s,
                            "select crm_id, version from bulk_write where profile_id = $1"
                                + " and crm_object = $2 and crm_id = any($3)",
                            profileId,
                            object,
                            crmIds.toArray(String[]::new)))
                .map(
                    rows -> {
                      Map<String, Integer> out = new java.util.HashMap<>();
                      rows.forEach(r -> out.put((String) r[0], ((Number) r[1]).intValue()));
                      return out;
                    }));
  }

  /** Rows a bulk read queued for a profile's object that the workers have not finished. */
  public Uni<Long> bulkQueued(String profileId, String object) {
    return NativeSql.<Number>single(
            "select count(*) from work_item where profile_id = :p and crm_object = :o"
                + " and stream = :s",
            Map.of("p", profileId, "o", object, "s", object + ":" + WorkQueue.BULK_SOURCE))
        .map(Number::longValue);
  }

  /** The record ids a job was sent with (until it is settled). */
  public Uni<List<String>> jobRows(String profileId, String object, String jobId) {
    return NativeSql.<String>list(
        "select crm_id from bulk_write where profile_id = :p and crm_object = :o and job_id = :j",
        Map.of("p", profileId, "o", object, "j", jobId));
  }

  /** A time stamp column's value as an Instant (null stays null). */
  public static Instant instant(Object value) {
    return value == null ? null : NativeSql.instant(value);
  }

  /** Versions waiting (in no job) for a profile's object, and how old the oldest is. */
  public Uni<Object[]> waiting(String profileId, String object) {
    return NativeSql.<Object[]>list(
            "select count(*), min(queued_at), coalesce(avg(length(fields)), 0) from bulk_write"
                + " where profile_id = :p and crm_object = :o and job_id is null",
            Map.of("p", profileId, "o", object))
        .map(rows -> rows.get(0));
  }

  /**
   * Rows a job takes per transaction. The rows it takes are locked until that transaction commits,
   * and a user's change to one of them waits for it (to replace the version the row holds): taken
   * in one transaction, a job of 185,000 rows held such a change for seconds. (One statement per
   * step: {@link BatchSql}'s rows per statement.)
   */
  public static final int TAKE_CHUNK = BatchSql.CHUNK;

  /**
   * Records a new job with this writer's lease, then gives it up to {@code limit} waiting versions,
   * oldest first, in transactions of {@link #TAKE_CHUNK} rows. The job carries AIX's id ({@code
   * jobId}) until the CRM names it ({@link #named}); a writer that stops before that leaves the job
   * unnamed, and its rows wait again once its lease has run out.
   */
  public Uni<List<Taken>> take(
      String profileId,
      String object,
      String jobId,
      int limit,
      String owner,
      Instant leaseUntil,
      Instant now) {
    Uni<List<Taken>> rows =
        inTransaction(
                "insert into bulk_job (job_id, profile_id, crm_object, records, started_at,"
                    + " lease_owner, lease_until) values ($1, $2, $3, 0, $4, $5, $6)",
                jobId,
                profileId,
                object,
                at(now),
                owner,
                at(leaseUntil))
            .chain(() -> takeChunks(profileId, object, jobId, limit, new ArrayList<>(), null));
    return rows.call(
        taken ->
            inTransaction(
                "update bulk_job set records = $1 where job_id = $2", taken.size(), jobId));
  }

  /**
   * The next chunk of waiting rows, after the last one taken ({@code after}: its queued_at and
   * record id; null for the first), until {@code limit} rows are taken or none waits.
   */
  private Uni<List<Taken>> takeChunks(
      String profileId, String object, String jobId, int limit, List<Taken> taken, Object[] after) {
    int n = Math.min(TAKE_CHUNK, limit - taken.size());
    if (n <= 0) {
      return Uni.createFrom().item(taken);
    }
    // By row address (a TID scan): a join on the key planned over a table not analysed yet
    // became a nested loop of seq scans, minutes for 20,000 rows. After the last row taken, in the
    // order of the index bulk_write_waiting (V14): each chunk reads its own entries from where the
    // last one ended. Record ids compare byte by byte (collation "C"), as this class compares them
    // to find a chunk's last row, whatever the database's collation.
    String sql =
        "update bulk_write b set job_id = $1, job_version = b.version where b.ctid = any(array("
            + "select ctid from bulk_write where profile_id = $2 and crm_object = $3 and job_id is"
            + " null"
            + (after == null ? "" : " and (queued_at, crm_id collate \"C\") > ($5, $6)")
            + " order by queued_at, crm_id collate \"C\" limit $4 for update skip locked))"
            + " returning b.crm_id, b.version, b.fields, b.queued_at";
    Object[] params =
        after == null
            ? new Object[] {jobId, profileId, object, n}
            : new Object[] {jobId, profileId, object, n, after[0], after[1]};
    // Parsed on the event loop a chunk at a time: a whole job's rows (185,000) parsed at once held
    // every other statement of the process for seconds.
    return Panache.withTransaction(() -> session().chain(s -> PreparedSql.rows(s, sql, params)))
        .chain(
            rows -> {
              Object[] last = after;
              for (Object[] r : rows) {
                taken.add(
                    new Taken((String) r[0], ((Number) r[1]).intValue(), fields((String) r[2])));
                OffsetDateTime queued = at(instant(r[3]));
                if (last == null
                    || queued.isAfter((OffsetDateTime) last[0])
                    || (queued.isEqual((OffsetDateTime) last[0])
                        && ((String) r[0]).compareTo((String) last[1]) > 0)) {
                  last = new Object[] {queued, r[0]};
                }
              }
              return rows.size() < n
                  ? Uni.createFrom().item(taken)
                  : takeChunks(profileId, object, jobId, limit, taken, last);
            });
  }

  /**
   * The rows of a job whose record has a newer version waiting (a user's change, written over REST
   * while the job ran): the job may have put the older score back after that write.
   */
  public Uni<List<String>> superseded(String profileId, String object, String jobId) {
    return NativeSql.<String>list(
        "select crm_id from bulk_write where profile_id = :p and crm_object = :o and job_id = :j"
            + " and version > job_version",
        Map.of("p", profileId, "o", object, "j", jobId));
  }

  /**
   * As {@link #take}, but only these records' waiting versions: rows written at once, outside a CRM
   * job ({@code jobId} names the write, so that a writer that stops leaves them to wait again).
   */
  public Uni<List<Taken>> takeOnly(
      String profileId,
      String object,
      String jobId,
      List<String> crmIds,
      String owner,
      Instant leaseUntil,
      Instant now) {
    if (crmIds.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return Panache.withTransaction(
        () ->
            session()
                .chain(
                    s ->
                        PreparedSql.rows(
                                s,
                                "update bulk_write set job_id = $1, job_version = version where"
                                    + " profile_id = $2 and crm_object = $3 and crm_id = any($4)"
                                    + " and job_id is null returning crm_id, version, fields",
                                jobId,
                                profileId,
                                object,
                                crmIds.toArray(String[]::new))
                            .call(
                                rows ->
                                    PreparedSql.update(
                                        s,
                                        "insert into bulk_job (job_id, profile_id, crm_object,"
                                            + " records, started_at, lease_owner, lease_until)"
                                            + " values ($1, $2, $3, $4, $5, $6, $7)",
                                        jobId,
                                        profileId,
                                        object,
                                        rows.size(),
                                        at(now),
                                        owner,
                                        at(leaseUntil)))
                            .map(
                                rows -> {
                                  List<Taken> out = new ArrayList<>(rows.size());
                                  for (Object[] r : rows) {
                                    out.add(
                                        new Taken(
                                            (String) r[0],
                                            ((Number) r[1]).intValue(),
                                            fields((String) r[2])));
                                  }
                                  return out;
                                })));
  }

  /** The CRM's id for a job AIX started (its rows keep AIX's id). */
  public Uni<Void> named(String jobId, String crmJobId) {
    return inTransaction("update bulk_job set crm_job_id = $1 where job_id = $2", crmJobId, jobId)
        .replaceWithVoid();
  }

  /** A job this writer looks after: AIX's id, and the CRM's (null until the CRM named it). */
  public record Job(String id, String crmId) {}

  /**
   * The jobs of a profile's object that this writer may look after: its own, and those whose
   * writer's lease ran out (a replica that stopped); each is leased to this writer until {@code
   * leaseUntil}.
   */
  public Uni<List<Job>> leaseJobs(
      String profileId, String object, String owner, Instant leaseUntil, Instant now) {
    return NativeSql.<Object[]>transactionalList(
            "update bulk_job set lease_owner = :owner, lease_until = :until where profile_id = :p"
                + " and crm_object = :o and (lease_owner = :owner or lease_until < :now)"
                + " returning job_id, crm_job_id",
            Map.<String, Object>of(
                "owner",
                owner,
                "until",
                at(leaseUntil),
                "p",
                profileId,
                "o",
                object,
                "now",
                at(now)))
        .map(rows -> rows.stream().map(r -> new Job((String) r[0], (String) r[1])).toList());
  }

  /**
   * Rows settled per transaction. A settle locks the lead rows it marks until it commits, and a
   * user's change to one of them waits for that: settled in one transaction, a job of 185,000 rows
   * held its leads for 14 s and was most of the change-to-score tail during a backfill. (One
   * statement per step: {@link BatchSql}'s rows per statement.)
   */
  static final int SETTLE_CHUNK = BatchSql.CHUNK;

  /**
   * Settles a finished job: written versions are marked written (lead and score); refused ones
   * become dead letters (stage {@code writeback}, replayable); the rest (a retriable refusal, an
   * unprocessed row, a whole job that failed, a row the results did not name) wait for the next
   * job, or become dead letters once they have been tried {@code maxAttempts} times. A newer
   * version that arrived meanwhile waits in any case.
   *
   * <p>In transactions of {@link #SETTLE_CHUNK} rows, each in record id order (the order a worker
   * locks them in, see {@link #enqueue}), and the job's end in a last one. A writer that stops
   * half-way leaves the job, and the rows not settled yet, to the writer that takes its lease over;
   * settling a row twice changes nothing (a retry's count aside).
   *
   * @return rows written, dead-lettered, sent back to wait
   */
  public Uni<int[]> settle(
      String profileId,
      String object,
      String jobId,
      List<String> written,
      List<Refused> refused,
      Map<String, String> retryReasons,
      int maxAttempts,
      Instant now) {
    return settle(profileId, object, jobId, written, refused, retryReasons, null, maxAttempts, now);
  }

  /**
   * As above; a {@code wholeFailure} (the job failed or was aborted) counts an attempt for every
   * row of the job, and is the reason its exhausted rows are dead-lettered with.
   */
  public Uni<int[]> settle(
      String profileId,
      String object,
      String jobId,
      List<String> written,
      List<Refused> refused,
      Map<String, String> retryReasons,
      String wholeFailure,
      int maxAttempts,
      Instant now) {
    // Looked up by the primary key (a join on job_id alone was planned as a nested loop of scans
    // over a table not analysed yet). Profile ids, object names and job ids are plain names; only
    // such characters are kept, so nothing else reaches the SQL text.
    String key =
        "b.profile_id = '"
            + plain(profileId)
            + "' and b.crm_object = '"
            + plain(object)
            + "' and b.crm_id = v.crm_id and b.job_id = '"
            + plain(jobId)
            + "'";
    List<String> writtenIds = written.stream().sorted().toList();
    List<String[]> refusedRows = new ArrayList<>();
    refused.stream()
        .sorted(java.util.Comparator.comparing(Refused::crmId))
        .forEach(r -> refusedRows.add(new String[] {r.crmId(), r.code(), clean(r.message())}));
    List<String[]> retryRows = new ArrayList<>();
    new java.util.TreeMap<>(retryReasons)
        .forEach((id, reason) -> retryRows.add(new String[] {id, clean(reason)}));
    Uni<Void> steps = Uni.createFrom().voidItem();
    steps = inChunks(steps, writtenIds, chunk -> markWritten(key, chunk));
    steps = inChunks(steps, refusedRows, chunk -> deadLetter(key, chunk));
    steps =
        inChunks(
            steps,
            retryRows,
            chunk ->
                session()
                    .chain(
                        s ->
                            BatchSql.execute(
                                s,
                                "update bulk_write b set attempts = b.attempts + 1 from"
                                    + " (values %s) as v(crm_id, reason) where "
                                    + key,
                                new String[] {"varchar", "text"},
                                chunk,
                                r -> new Object[] {r[0], r[1]})));
    int writtenCount = written.size();
    int refusedCount = refused.size();
    return steps.chain(
        () ->
            Panache.withTransaction(
                () ->
                    session()
                        .chain(
                            s ->
                                finish(s, jobId, wholeFailure, maxAttempts)
                                    .map(
                                        ended ->
                                            new int[] {
                                              writtenCount, refusedCount + ended[0], ended[1]
                                            }))));
  }

  /** {@code step} after {@code steps}, once per {@link #SETTLE_CHUNK} rows, each a transaction. */
  private static <T> Uni<Void> inChunks(
      Uni<Void> steps, List<T> rows, java.util.function.Function<List<T>, Uni<Void>> step) {
    for (int from = 0; from < rows.size(); from += SETTLE_CHUNK) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + SETTLE_CHUNK));
      steps = steps.chain(() -> Panache.withTransaction(() -> step.apply(chunk)));
    }
    return steps;
  }

  /** Written versions: marked on lead and score, and their rows gone (a newer one stays). */
  private Uni<Void> markWritten(String key, List<String> ids) {
    String markLead =
        "update lead l set written_version = greatest(l.written_version, b.job_version)"
            + " from bulk_write b, (values %s) as v(crm_id) where "
            + key
            + " and l.profile_id = b.profile_id"
            + " and l.crm_object = b.crm_object and l.crm_id = b.crm_id";
    String markScore =
        "update score s set written_at = now() from bulk_write b, (values %s) as v(crm_id)"
            + " where "
            + key
            + " and s.profile_id = b.profile_id"
            + " and s.crm_object = b.crm_object and s.crm_id = b.crm_id and s.version = b.job_version";
    String[] types = {"varchar"};
    return session()
        .chain(
            s ->
                BatchSql.execute(s, markLead, types, ids, id -> new Object[] {id})
                    .chain(
                        () -> BatchSql.execute(s, markScore, types, ids, id -> new Object[] {id}))
                    .chain(
                        () -> BatchSql.execute(s, done(key), types, ids, id -> new Object[] {id})));
  }

  /** Refused versions: dead letters with the CRM's code and message, their rows gone. */
  private Uni<Void> deadLetter(String key, List<String[]> rows) {
    String deadLetter =
        "insert into dead_letter (profile_id, crm_object, crm_id, stage, error_code, reason,"
            + " payload, created_at, crm_modified_at) select b.profile_id, b.crm_object, b.crm_id,"
            + " 'writeback', v.code, v.reason, b.payload, now(), b.crm_modified_at from bulk_write b,"
            + " (values %s) as v(crm_id, code, reason) where "
            + key;
    List<String> ids = rows.stream().map(r -> r[0]).toList();
    return session()
        .chain(
            s ->
                BatchSql.execute(
                        s,
                        deadLetter,
                        new String[] {"varchar", "varchar", "text"},
                        rows,
                        r -> new Object[] {r[0], r[1], r[2]})
                    .chain(
                        () ->
                            BatchSql.execute(
                                s,
                                done(key),
                                new String[] {"varchar"},
                                ids,
                                id -> new Object[] {id})));
  }

  private static String done(String key) {
    return "delete from bulk_write b using (values %s) as v(crm_id) where "
        + key
        + " and b.version = b.job_version";
  }

  /**
   * The job's end: a whole failure counts an attempt for each row left; rows tried too often become
   * dead letters with the last reason; every other row left waits again; the job is gone.
   *
   * @return rows dead-lettered here, rows sent back to wait
   */
  private Uni<int[]> finish(Mutiny.Session s, String jobId, String wholeFailure, int maxAttempts) {
    return (wholeFailure == null
            ? Uni.createFrom().item(0)
            : s.createNativeQuery("update bulk_write set attempts = attempts + 1 where job_id = :j")
                .setParameter("j", jobId)
                .executeUpdate())
        .chain(
            () ->
                s.createNativeQuery(
                        "insert into dead_letter (profile_id, crm_object, crm_id,"
                            + " stage, error_code, reason, payload, created_at,"
                            + " crm_modified_at) select profile_id, crm_object,"
                            + " crm_id, 'writeback', 'BULK_RETRIES_EXHAUSTED',"
                            + " 'still not written after ' || attempts || ' bulk"
                            + " jobs' || :why, payload, now(), crm_modified_at"
                            + " from bulk_write where job_id = :j and attempts"
                            + " >= :max and version = job_version")
                    .setParameter("why", wholeFailure == null ? "" : ": " + clean(wholeFailure))
                    .setParameter("j", jobId)
                    .setParameter("max", maxAttempts)
                    .executeUpdate())
        .chain(
            dead ->
                s.createNativeQuery(
                        "delete from bulk_write where job_id = :j and attempts"
                            + " >= :max and version = job_version")
                    .setParameter("j", jobId)
                    .setParameter("max", maxAttempts)
                    .executeUpdate()
                    .replaceWith(dead))
        .chain(
            dead ->
                s.createNativeQuery(
                        "update bulk_write set job_id = null, job_version = null where job_id = :j")
                    .setParameter("j", jobId)
                    .executeUpdate()
                    .chain(
                        waiting ->
                            s.createNativeQuery("delete from bulk_job where job_id = :j")
                                .setParameter("j", jobId)
                                .executeUpdate()
                                .replaceWith(new int[] {dead, waiting})));
  }

  private static String plain(String name) {
    return name.replaceAll("[^A-Za-z0-9_.-]", "");
  }

  private static String clean(String text) {
    return String.valueOf(text).replace("\u0000", "\\u0000");
  }

  private static String json(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> fields(String json) {
    try {
      Map<String, Object> out =
          JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("bulk_write.fields is not JSON: " + e.getMessage(), e);
    }
  }
}
