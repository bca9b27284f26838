package io.aix.pipeline;

import io.aix.connector.BulkScoreWrites;
import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.GuardedConnector;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.persistence.AuditLog;
import io.aix.persistence.BulkWriteStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.WorkQueue;
import io.aix.profile.CrmProfile;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Mass writebacks in bulk jobs. The scores of records a bulk read brought (a backfill) and of a
 * re-score from stored state above the bulk threshold (after a model promotion): source {@code
 * bulk} in the work queue, are not written 200 per call: the writeback hands them here ({@link
 * #divert}), they wait in {@code bulk_write}, and a writer on each replica ({@link #tick}) sends
 * them in jobs of up to {@code aix.bulk.job-records} once that many wait, once no bulk-read record
 * is left in the work queue, or once the oldest has waited {@code aix.bulk.max-wait}; a few rows
 * (what three REST calls carry) are written over REST instead, as a job costs more calls. One job
 * per profile and object runs at a time per writer; a job's results settle every row: written,
 * dead-lettered with the CRM's error, or sent again (a retriable refusal, an unprocessed row, a
 * failed job) up to {@code aix.queue.max-attempts} jobs. Nothing is lost to a crash: rows and jobs
 * are in PostgreSQL, and a job whose writer stopped is taken over when its lease runs out.
 *
 * <p>Records from the real-time paths (change events, webhooks, small polls) never wait here: they
 * keep the REST path and its seconds.
 */
@ApplicationScoped
public class BulkWriteStage {
  private static final Logger LOG = Logger.getLogger(BulkWriteStage.class);

  @Inject ConnectorRegistry connectors;
  @Inject BulkWriteStore store;
  @Inject AuditLog audit;
  @Inject PollCoverage coverage;

  @ConfigProperty(name = "aix.bulk.job-records", defaultValue = "250000")
  int jobRecords;

  /**
   * The longest a score waits for its job while a bulk read still brings rows. Long enough for a
   * job to fill while a million-lead read is scored (a worker scores about 1,000 leads a second
   * here, a job takes up to 250,000): at 2 minutes the million-lead backfill went out in 12 jobs of
   * 40,000 to 165,000 rows, each job its calls and its poll reading the job's echoes back.
   */
  @ConfigProperty(name = "aix.bulk.max-wait", defaultValue = "5m")
  Duration maxWait;

  @ConfigProperty(name = "aix.bulk.lease", defaultValue = "10m")
  Duration lease;

  @ConfigProperty(name = "aix.queue.max-attempts", defaultValue = "10")
  int maxAttempts;

  private volatile boolean running;

  @Inject io.aix.persistence.TableStats tableStats;

  /** When the tables' statistics were last looked at (epoch ms). */
  private volatile long statsAt;

  /** How often the busy tables' statistics are looked at while intake runs. */
  static final long STATS_EVERY_MILLIS = 15_000;

  /** Per running job: when to look next (epoch ms) and the pause after that. */
  private final Map<String, long[]> looks = new java.util.concurrent.ConcurrentHashMap<>();

  /** Per job this writer started: its rows and when it started (epoch ms). */
  private final Map<String, long[]> started = new java.util.concurrent.ConcurrentHashMap<>();

  /** The last jobs' pace: when to look first at the next. */
  private final io.aix.connector.JobPace pace = new io.aix.connector.JobPace();

  /** The latest first look that a pace from the CRM's own processing times may set. */
  static final long MAX_FIRST_LOOK_MILLIS = 300_000;

  /** The longest pause between two looks at a running job. */
  static final long MAX_LOOK_PAUSE_MILLIS = 60_000;

  /** Starts the writer (with the workers); until then {@link #tick} does nothing. */
  public void start() {
    running = true;
  }

  public void stop() {
    running = false;
  }

  /** The connector's bulk ability, if it has one (through the connector's guard). */
  static Optional<BulkScoreWrites> bulk(CrmConnector connector) {
    if (connector instanceof GuardedConnector g) {
      return g.bulk();
    }
    return connector instanceof BulkScoreWrites b ? Optional.of(b) : Optional.empty();
  }

  /**
   * Takes the works a bulk read brought off the REST path: their versions wait for a bulk job.
   *
   * <p>A real-time version (a user's change) always goes over REST at once. If an older version of
   * its record waits for a job, that one is dropped. If a running job holds the older one, the job
   * may land after the REST write and put the older score back; so the newer version also follows
   * that job (it waits in the record's row, and is written over REST again as soon as the job is
   * settled), and the CRM ends on it. A user sees the new score within seconds either way, not
   * after the job.
   *
   * @return the works handed over (their status stays {@code SCORED}: stored, not yet shown)
   */
  public List<LeadWork> divert(CrmConnector connector, String object, List<LeadWork> works) {
    Optional<BulkScoreWrites> bulk = bulk(connector);
    if (bulk.isEmpty()) {
      return List.of();
    }
    String profileId = connector.profile().id();
    List<String> live =
        works.stream()
            .filter(w -> !WorkQueue.BULK_SOURCE.equals(w.source()))
            .map(w -> w.lead().key().crmId())
            .toList();
    Set<String> inJobs = ReactiveBridge.await(() -> store.supersede(profileId, object, live));
    List<LeadWork> diverted =
        works.stream().filter(w -> WorkQueue.BULK_SOURCE.equals(w.source())).toList();
    List<LeadWork> waiting = new ArrayList<>(diverted);
    works.stream()
        .filter(
            w ->
                !WorkQueue.BULK_SOURCE.equals(w.source())
                    && inJobs.contains(w.lead().key().crmId()))
        .forEach(waiting::add);
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<BulkWriteStore.Waiting> rows = new ArrayList<>(waiting.size());
    for (LeadWork w : waiting) {
      rows.add(
          new BulkWriteStore.Waiting(
              w.scoreVersion(),
              bulk.get().bulkRow(object, new ScoreWrite(w.lead().key().crmId(), w.score())),
              w.record()));
    }
    ReactiveBridge.await(() -> store.enqueue(profileId, object, rows, Instant.now()));
    return diverted;
  }

  @Scheduled(
      every = "${aix.bulk.tick:2s}",
      delayed = "${aix.bulk.tick:2s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void tick() {
    if (!running) {
      return;
    }
    // A backfill fills the queue and lead tables faster than autovacuum analyses them.
    if (System.currentTimeMillis() - statsAt > STATS_EVERY_MILLIS) {
      refreshStats();
    }
    for (CrmProfile profile : connectors.activeProfiles()) {
      CrmConnector connector;
      try {
        connector = connectors.connector(profile.id());
      } catch (RuntimeException e) {
        continue;
      }
      Optional<BulkScoreWrites> bulk = bulk(connector);
      if (bulk.isEmpty() || !profile.writeback().enabled()) {
        continue;
      }
      for (CrmProfile.ObjectSync object : profile.objects()) {
        try {
          flush(profile.id(), object.name(), bulk.get(), Instant.now());
        } catch (RuntimeException e) {
          LOG.warnf(
              e,
              "%s %s: bulk writeback step failed; tried again shortly",
              profile.id(),
              object.name());
        }
      }
    }
  }

  /**
   * One step for a profile's object: settles its finished jobs, and starts a job when enough waits.
   * Public for tests, which drive it without the scheduler.
   *
   * @return whether anything was started or settled
   */
  public boolean flush(String profileId, String object, BulkScoreWrites bulk, Instant now) {
    List<BulkWriteStore.Job> jobs =
        ReactiveBridge.await(
            () -> store.leaseJobs(profileId, object, WorkStage.OWNER, now.plus(lease), now));
    boolean acted = false;
    for (BulkWriteStore.Job job : jobs) {
      acted |= settle(profileId, object, bulk, job, now);
    }
    if (!jobs.isEmpty()) {
      return acted; // one job at a time: big jobs, few calls
    }
    Object[] waiting = ReactiveBridge.await(() -> store.waiting(profileId, object));
    long count = ((Number) waiting[0]).longValue();
    if (count == 0) {
      return acted;
    }
    Instant oldest = io.aix.persistence.BulkWriteStore.instant(waiting[1]);
    int perJob = rowsPerJob(bulk, ((Number) waiting[2]).doubleValue());
    boolean full = count >= perJob;
    boolean stale = oldest != null && oldest.plus(maxWait).isBefore(now);
    // A read still under way brings more rows: the job waits to fill (the workers catching up
    // with a read's pages made a million-lead re-score send seven jobs instead of four). On a
    // replica that does not poll, only the queue tells.
    boolean readDone =
        !full
            && !stale
            && !coverage.bulkReading(profileId, object, now)
            && ReactiveBridge.await(() -> store.bulkQueued(profileId, object)) == 0;
    if (!full && !stale && !readDone) {
      return acted;
    }
    if (count <= restRows(bulk)) {
      writeNow(profileId, object, bulk, null, (int) count, now);
      return true;
    }
    start(profileId, object, bulk, perJob, now);
    return true;
  }

  /**
   * REST calls that cost less than a job: a job is at least four calls (create, upload, close, a
   * look), and its start and a tick's wait besides.
   */
  static final int REST_CALLS = 3;

  /** The most rows written at once over REST instead of in a job: 0 where the CRM cannot. */
  static int restRows(BulkScoreWrites bulk) {
    return bulk.maxRowsPerWrite() * REST_CALLS;
  }

  /**
   * Writes waiting versions at once through the CRM's record API instead of a job: the oldest
   * {@code limit} ones, or those of {@code only} records. Settled as a job's rows are (written,
   * dead-lettered with the CRM's error, or waiting again); a writer that stops half-way leaves them
   * to wait again (their provisional job's lease runs out).
   */
  private void writeNow(
      String profileId,
      String object,
      BulkScoreWrites bulk,
      List<String> only,
      int limit,
      Instant now) {
    String provisional = "pending-" + UUID.randomUUID();
    List<BulkWriteStore.Taken> taken =
        ReactiveBridge.await(
            () ->
                only == null
                    ? store.take(
                        profileId,
                        object,
                        provisional,
                        limit,
                        WorkStage.OWNER,
                        now.plus(lease),
                        now)
                    : store.takeOnly(
                        profileId,
                        object,
                        provisional,
                        only.subList(0, Math.min(only.size(), limit)),
                        WorkStage.OWNER,
                        now.plus(lease),
                        now));
    List<String> written = new ArrayList<>();
    List<BulkWriteStore.Refused> refused = new ArrayList<>();
    Map<String, String> retry = new LinkedHashMap<>();
    int batch = Math.max(1, bulk.maxRowsPerWrite());
    for (int from = 0; from < taken.size(); from += batch) {
      List<BulkScoreWrites.BulkRow> rows = new ArrayList<>();
      for (BulkWriteStore.Taken t : taken.subList(from, Math.min(taken.size(), from + batch))) {
        rows.add(new BulkScoreWrites.BulkRow(t.crmId(), t.fields()));
      }
      try {
        for (WriteOutcome outcome : bulk.writeRows(object, rows)) {
          if (outcome instanceof WriteOutcome.Written w) {
            written.add(w.crmId());
          } else if (outcome instanceof WriteOutcome.Failed f) {
            if (f.failure().kind() == CrmFailure.Kind.PERMANENT) {
              refused.add(
                  new BulkWriteStore.Refused(f.crmId(), f.failure().code(), f.failure().message()));
            } else {
              retry.put(f.crmId(), f.failure().toString());
            }
          }
        }
      } catch (CrmCallException e) {
        LOG.warnf(
            "%s %s: writing %d score(s) over REST failed (%s); they wait for the next try",
            profileId, object, rows.size(), e.failure());
        // A call refused before it was sent costs no attempt.
        if (!e.failure().notSent()) {
          rows.forEach(r -> retry.put(r.crmId(), e.failure().toString()));
        }
      }
    }
    int[] settled =
        ReactiveBridge.await(
            () ->
                store.settle(
                    profileId, object, provisional, written, refused, retry, maxAttempts, now));
    if (taken.isEmpty()) {
      return;
    }
    report(
        profileId,
        object,
        "over REST instead of a bulk job ("
            + (only == null
                ? "too few for a job"
                : "newer than a job that may have put older ones back")
            + ")",
        settled);
  }

  /** A settled job's or REST write's outcome: an audit entry and a log line. */
  private void report(String profileId, String object, String how, int[] settled) {
    String outcome =
        settled[0]
            + " score(s) written "
            + how
            + ", "
            + settled[1]
            + " dead-lettered, "
            + settled[2]
            + " to send again";
    audit.appendQuietly(
        AuditLog.SYSTEM,
        AuditLog.Action.CRM_WRITE,
        profileId + "/" + object,
        outcome + ", by " + WorkStage.OWNER);
    LOG.infof("%s %s: %s", profileId, object, outcome);
  }

  /**
   * Rows for the next job: {@code aix.bulk.job-records}, or fewer if the CRM bounds the bytes of a
   * job's failed rows. A failed row echoes the row's CSV, which weighs less than its stored JSON
   * (no field names), with the record id and the CRM's error: the JSON's length and 200 bytes is a
   * safe estimate.
   */
  int rowsPerJob(BulkScoreWrites bulk, double averageJsonBytes) {
    long bytes = bulk.maxJobBytes();
    if (bytes == Long.MAX_VALUE) {
      return jobRecords;
    }
    return (int) Math.max(1, Math.min(jobRecords, bytes / (averageJsonBytes + 200)));
  }

  private void start(
      String profileId, String object, BulkScoreWrites bulk, int limit, Instant now) {
    // AIX's id for the job, on its rows; the CRM's id is kept on the job once the CRM named it.
    String aixId = "job-" + UUID.randomUUID();
    List<BulkWriteStore.Taken> taken =
        ReactiveBridge.await(
            () ->
                store.take(profileId, object, aixId, limit, WorkStage.OWNER, now.plus(lease), now));
    if (taken.isEmpty()) {
      ReactiveBridge.await(
          () ->
              store.settle(
                  profileId, object, aixId, List.of(), List.of(), Map.of(), maxAttempts, now));
      return;
    }
    Set<String> columns = new LinkedHashSet<>();
    List<BulkScoreWrites.BulkRow> rows = new ArrayList<>(taken.size());
    for (BulkWriteStore.Taken t : taken) {
      columns.addAll(t.fields().keySet());
      rows.add(new BulkScoreWrites.BulkRow(t.crmId(), t.fields()));
    }
    String jobId;
    try {
      jobId = bulk.startJob(object, List.copyOf(columns), rows);
    } catch (CrmCallException e) {
      LOG.warnf(
          "%s %s: starting a bulk job of %d score(s) failed (%s); they wait for the next",
          profileId, object, taken.size(), e.failure());
      Map<String, String> retry = new LinkedHashMap<>();
      taken.forEach(t -> retry.put(t.crmId(), e.failure().toString()));
      // A call refused before it was sent costs no attempt.
      Map<String, String> counted = e.failure().notSent() ? Map.of() : retry;
      ReactiveBridge.await(
          () ->
              store.settle(
                  profileId, object, aixId, List.of(), List.of(), counted, maxAttempts, now));
      return;
    }
    // The job runs once its upload is closed: its time counts from now, not from the tick (a
    // 185,000-row upload takes seconds).
    long closedAt = System.currentTimeMillis();
    ReactiveBridge.await(() -> store.named(aixId, jobId));
    started.put(aixId, new long[] {taken.size(), closedAt});
    long first = pace.firstLook(taken.size(), MAX_LOOK_PAUSE_MILLIS);
    if (first >= 0) {
      // The first look when the last jobs' pace says this one ends: a look is a call, and a job of
      // 185,000 rows looked at after 2, 6, 14 and 30 s cost four where one does.
      long wait = Math.min(MAX_FIRST_LOOK_MILLIS, first);
      looks.put(aixId, new long[] {closedAt + Math.max(2_000, wait), 2_000});
    } else {
      // No pace yet (a process's first job): after 5 s, then 10 s doubling. From 2 s doubling, the
      // first 185,000-row job of a backfill was looked at five times.
      looks.put(aixId, new long[] {closedAt + 5_000, 10_000});
    }
    LOG.infof(
        "%s %s: bulk job %s started with %d score(s)", profileId, object, jobId, taken.size());
  }

  /**
   * The pause before the next look at a running job, each look an API call. When the CRM counts the
   * rows it processed and this writer knows the job's size and start, the pause is the time the
   * job's own pace says it needs to finish; otherwise (or before any row is processed) 2 s, then
   * doubling; either way 2 s to {@link #MAX_LOOK_PAUSE_MILLIS}.
   *
   * @param doubling the pause by doubling
   * @param job this writer's {@code {rows, started at}} of the job, or null
   */
  static long nextLook(long doubling, long processed, long[] job, long nowMillis) {
    long pause = doubling;
    if (job != null && processed > 0 && processed < job[0] && nowMillis > job[1]) {
      double perRow = (double) (nowMillis - job[1]) / processed;
      pause = (long) (perRow * (job[0] - processed));
    }
    return Math.max(2_000, Math.min(MAX_LOOK_PAUSE_MILLIS, pause));
  }

  private void refreshStats() {
    statsAt = System.currentTimeMillis();
    try {
      List<String> analysed = ReactiveBridge.await(tableStats::refreshStale);
      if (!analysed.isEmpty()) {
        LOG.debugf("statistics refreshed for %s", analysed);
      }
      ReactiveBridge.await(tableStats::vacuumBloated);
    } catch (RuntimeException e) {
      LOG.debugf(e, "refreshing table statistics failed; the planner keeps the older ones");
    }
  }

  /**
   * Looks at a job, and settles it once it is done.
   *
   * @param job AIX's id (on the job's rows) and the CRM's (for the calls and the log)
   */
  private boolean settle(
      String profileId, String object, BulkScoreWrites bulk, BulkWriteStore.Job job, Instant now) {
    String aixId = job.id();
    String jobId = job.crmId();
    if (jobId == null) {
      // Its writer stopped before the CRM named the job (or half-way through a write over REST):
      // its rows wait again.
      ReactiveBridge.await(
          () ->
              store.settle(
                  profileId, object, aixId, List.of(), List.of(), Map.of(), maxAttempts, now));
      return true;
    }
    long[] look = looks.computeIfAbsent(aixId, id -> new long[] {0, 2_000});
    if (now.toEpochMilli() < look[0]) {
      return false;
    }
    BulkScoreWrites.JobState state;
    BulkScoreWrites.Results results;
    List<String> sent = null;
    try {
      state = bulk.job(jobId);
      if (!state.done()) {
        long pause = nextLook(look[1], state.processed(), started.get(aixId), now.toEpochMilli());
        look[0] = now.toEpochMilli() + pause;
        look[1] = Math.min(MAX_LOOK_PAUSE_MILLIS, look[1] * 2);
        return false;
      }
      results = state.failedWhole() ? null : bulk.results(jobId, state);
      if (results != null && results.othersWritten()) {
        sent = ReactiveBridge.await(() -> store.jobRows(profileId, object, aixId));
        if (sent.size() != state.processed()) {
          // The CRM processed a different number of rows than this job holds now: its counts
          // prove nothing about them, so every row's outcome is read.
          LOG.infof(
              "%s %s: bulk job %s processed %d row(s), %d sent: reading every row's result",
              profileId, object, jobId, state.processed(), sent.size());
          results = bulk.results(jobId, state.withoutCounts());
          sent = null;
        }
      }
      looks.remove(aixId);
      long[] mine = started.remove(aixId);
      if (mine != null && state.done() && !state.failedWhole()) {
        if (state.processingMillis() > 0) {
          pace.observed(mine[0], state.processingMillis());
        } else {
          pace.lookedDone(mine[0], now.toEpochMilli() - mine[1]);
        }
      }
    } catch (CrmCallException e) {
      LOG.debugf("%s %s: bulk job %s not readable now (%s)", profileId, object, jobId, e.failure());
      return false;
    }
    List<String> written = new ArrayList<>();
    List<BulkWriteStore.Refused> refused = new ArrayList<>();
    Map<String, String> retry = new LinkedHashMap<>();
    if (results == null) {
      // The whole job failed or was aborted: every row counts an attempt and is tried again.
      LOG.warnf(
          "%s %s: bulk job %s %s: %s", profileId, object, jobId, state.state(), state.error());
    } else {
      written.addAll(results.written());
      for (WriteOutcome.Failed f : results.failed()) {
        CrmFailure failure = f.failure();
        if (failure.kind() == CrmFailure.Kind.PERMANENT) {
          refused.add(new BulkWriteStore.Refused(f.crmId(), failure.code(), failure.message()));
        } else {
          retry.put(f.crmId(), failure.toString());
        }
      }
      results.unprocessed().forEach(id -> retry.put(id, "unprocessed by bulk job " + jobId));
      if (sent != null) {
        // The CRM counted them: every row neither failed nor unprocessed was written.
        Set<String> notWritten = new java.util.HashSet<>(retry.keySet());
        refused.forEach(r -> notWritten.add(r.crmId()));
        sent.stream().filter(id -> !notWritten.contains(id)).forEach(written::add);
      }
    }
    String whole =
        results == null ? "bulk job " + jobId + " " + state.state() + ": " + state.error() : null;
    // A user's change to a record the job held was written over REST while it ran; the job may have
    // landed after that write and put the older score back. Written again at once, not after the
    // next job (minutes away, and a job's calls for a handful of rows).
    List<String> superseded =
        restRows(bulk) > 0
            ? ReactiveBridge.await(() -> store.superseded(profileId, object, aixId))
            : List.of();
    // Settling joins the job's rows with the lead and score tables: plan it on current numbers.
    refreshStats();
    int[] settled =
        ReactiveBridge.await(
            () ->
                store.settle(
                    profileId, object, aixId, written, refused, retry, whole, maxAttempts, now));
    report(profileId, object, "by bulk job " + jobId, settled);
    if (!superseded.isEmpty()) {
      writeNow(profileId, object, bulk, superseded, restRows(bulk), now);
    }
    return true;
  }
}
