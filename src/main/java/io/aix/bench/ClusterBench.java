package io.aix.bench;

import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scale-out, proven locally: AIX processes (the packaged application, {@code serve}) against one
 * PostgreSQL database and one shared sandbox org, electing leaders with the file lock cluster
 * service. Measures the time for N leads with one process and with three, checks that exactly one
 * of the three polls and how many of them scored leads from the shared work queue, kills that one
 * with SIGKILL, and measures how long until another has picked up new leads; counts leads never
 * scored (lost) and scores written twice (duplicates).
 *
 * <p>Then the same 1-vs-3 timing with every CRM call slowed by the org ({@link
 * io.aix.sandbox.SandboxFaults#latency}), as a remote CRM is, and claims of {@link
 * #LATENCY_BOUND_BATCHES} records, so that waiting on writeback calls, not CPU, takes most of the
 * time (with 50 a claim, 250 ms a call added under a second to 400 leads). The work queue ({@code
 * FOR UPDATE SKIP LOCKED}) then lets three processes wait on six writebacks at once instead of two.
 * The CPU-bound ratio says little on a machine whose cores the JVMs share; this one says whether
 * replicas help when the CRM is the bottleneck.
 */
public final class ClusterBench {
  static final String PROFILE = "bench-salesforce";
  static final String POLLER = "Consumer started: timer://aix-poll-" + PROFILE + "-Lead";

  /** The figures of one run. */
  public record Result(
      double oneProcessSeconds,
      double threeProcessSeconds,
      int leaders,
      int workers,
      double takeoverSeconds,
      long lost,
      long duplicates,
      LatencyBound latencyBound) {
    public double throughputRatio() {
      return oneProcessSeconds / threeProcessSeconds;
    }
  }

  /**
   * The 1-vs-3 timing with every CRM call {@code latencyMillis} slower.
   *
   * @param lost leads of these runs never scored
   * @param duplicates scores these runs wrote twice
   */
  public record LatencyBound(
      int latencyMillis,
      int leads,
      double oneProcessSeconds,
      double threeProcessSeconds,
      long lost,
      long duplicates) {
    public double throughputRatio() {
      return oneProcessSeconds / threeProcessSeconds;
    }
  }

  private final AixProcesses aix;
  private final PrintStream log;
  private final SalesforceOrg org =
      new SalesforceOrg(AixProcesses.CLIENT_ID, AixProcesses.CLIENT_SECRET, Clock.systemUTC());
  private final List<String> ids = new ArrayList<>();
  private LeadGenerator generator = new LeadGenerator(2026, Clock.systemUTC());

  public ClusterBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this.aix =
        new AixProcesses(jar, configSource, dbHost, dbPort, dbUser, "aix_bench", PROFILE, log);
    this.log = log;
  }

  private static boolean polls(AixProcesses.Child c) {
    return c.log().contains(POLLER);
  }

  /**
   * @param latencyLeads leads per phase of the latency-bound timing
   * @param latencyMillis what the org adds to each API call in that timing
   */
  public Result run(int leads, int latencyLeads, int latencyMillis) throws Exception {
    aix.writeConfig(PROFILE_YAML);
    try (SalesforceSandbox sandbox = new SalesforceSandbox(org, 0).start()) {
      String url = sandbox.baseUrl();

      log.printf("one process, %d leads...%n", leads);
      aix.resetDatabase();
      List<AixProcesses.Child> one = aix.start(1, url, SMALL_BATCHES);
      double t1 = timeToScore(leads);
      log.printf("(%d duplicate writes with one process)%n", org.redundantWrites());
      aix.stop(one);

      log.printf("three processes, %d leads...%n", leads);
      org.reset();
      ids.clear();
      aix.resetDatabase();
      List<AixProcesses.Child> three = aix.start(3, url, SMALL_BATCHES);
      double t3 = timeToScore(leads);
      awaitCheckpointed(leads);
      int leaders = (int) three.stream().filter(ClusterBench::polls).count();
      // Every process works the queue, the leader and the others alike.
      int workers = (int) aix.count("select count(distinct scored_by) from score");
      AixProcesses.Child leader =
          three.stream().filter(ClusterBench::polls).findFirst().orElseThrow();

      log.printf(
          "killing the poller (process %d) with SIGKILL (%d duplicate writes so far; %s)...%n",
          leader.index(), org.redundantWrites(), state());
      long killed = System.nanoTime();
      leader.process().destroyForcibly().waitFor();
      List<String> after = seed(Math.max(10, leads / 10));
      awaitScored(after, Duration.ofSeconds(60));
      double takeover = (System.nanoTime() - killed) / 1e9;
      long lost = ids.stream().filter(id -> !scored(id)).count();
      long duplicates = org.redundantWrites();
      aix.stop(three);

      LatencyBound latencyBound = latencyBound(url, latencyLeads, latencyMillis);
      return new Result(t1, t3, leaders, workers, takeover, lost, duplicates, latencyBound);
    } finally {
      if (System.getenv("AIX_BENCH_KEEP_DB") == null) {
        aix.dropDatabase();
      }
    }
  }

  private LatencyBound latencyBound(String url, int leads, int latencyMillis) throws Exception {
    double[] seconds = new double[2];
    long lost = 0;
    long duplicates = 0;
    for (int processes : new int[] {1, 3}) {
      log.printf(
          "%s, %d leads, every CRM call %d ms slower...%n",
          processes == 1 ? "one process" : "three processes", leads, latencyMillis);
      org.reset(); // also clears the faults: the latency is set after it
      ids.clear();
      aix.resetDatabase();
      org.faults().latency(latencyMillis);
      List<AixProcesses.Child> children = aix.start(processes, url, LATENCY_BOUND_BATCHES);
      long callsBefore = org.apiCalls();
      seconds[processes == 1 ? 0 : 1] = timeToScore(leads);
      log.printf(
          "(%.2f s, %d API calls, %d of them writes)%n",
          seconds[processes == 1 ? 0 : 1], org.apiCalls() - callsBefore, org.writeCalls());
      lost += ids.stream().filter(id -> !scored(id)).count();
      duplicates += org.redundantWrites();
      aix.stop(children);
    }
    org.faults().clear();
    return new LatencyBound(latencyMillis, leads, seconds[0], seconds[1], lost, duplicates);
  }

  /** Batches of 50: enough of them for three processes to share even a CI-sized run. */
  static final Map<String, String> SMALL_BATCHES = Map.of("aix.queue.batch", "50");

  /** Batches of 5: a writeback call per 5 leads, so that the CRM's latency dominates. */
  static final Map<String, String> LATENCY_BOUND_BATCHES = Map.of("aix.queue.batch", "5");

  static final String PROFILE_YAML =
      AixProcesses.salesforceProfile(
          PROFILE, "The cluster benchmark's shared sandbox org", "1s", 200);

  private List<String> seed(int n) {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      created.add(org.insert("Lead", generator.lead()));
    }
    ids.addAll(created);
    return created;
  }

  /** Seeds N leads into the running cluster and times until every one is scored in the org. */
  private double timeToScore(int leads) throws InterruptedException {
    long started = System.nanoTime();
    awaitScored(seed(leads), Duration.ofMinutes(5));
    return (System.nanoTime() - started) / 1e9;
  }

  private boolean scored(String id) {
    return org.record("Lead", id).hasNonNull("AIX_Score__c");
  }

  private void awaitScored(List<String> batch, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> waiting = new ArrayList<>(batch);
    while (!waiting.isEmpty() && System.nanoTime() < deadline) {
      waiting.removeIf(this::scored);
      if (!waiting.isEmpty()) {
        Thread.sleep(20);
      }
    }
  }

  /**
   * Waits until the work queue is empty and every score is confirmed written, so that the kill
   * lands between cycles: the takeover is measured on new leads. (Kills in the middle of work are
   * the reliability benchmark's subject.)
   */
  private void awaitCheckpointed(int leads) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline
        && (aix.count("select count(*) from work_item") > 0
            || aix.count("select count(*) from lead where written_version >= score_version")
                < leads)) {
      Thread.sleep(50);
    }
  }

  /** What the cluster has stored, for the log. */
  private String state() throws SQLException {
    return aix.count("select count(*) from lead")
        + " leads stored, "
        + aix.count("select count(*) from work_item")
        + " queued";
  }
}
