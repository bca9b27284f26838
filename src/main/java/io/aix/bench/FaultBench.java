package io.aix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The reliability suite: AIX as a real process (the packaged application) against an in-process
 * sandbox org and a database of its own, under the faults users meet.
 *
 * <ol>
 *   <li>SIGKILL at random points of a run, again and again, each time restarted: lost = leads whose
 *       latest change never reached the CRM, duplicates = writes that set a record's AIX fields to
 *       the values they already had.
 *   <li>A share of API calls failing at random (429, 503, connection resets, timeouts): every lead
 *       written, and the API calls against a fault-free run of the same leads.
 *   <li>PostgreSQL restarted in the middle of a run: AIX reconnects and finishes.
 *   <li>Fuzzed records: none crashes AIX, each refused one is a dead letter with its reason, each
 *       good one is scored.
 * </ol>
 */
public final class FaultBench {
  static final String PROFILE = "bench-faults";

  /** How big each part is. */
  public record Scale(
      int leads, int kills, int faultLeads, double faultRate, int pgLeads, int fuzzed) {
    public static Scale full() {
      return new Scale(10_000, 10, 5_000, 0.2, 3_000, 10_000);
    }
  }

  public record Kills(int kills, int leads, long lost, long duplicates, double seconds) {}

  public record Faults(
      double rate, int leads, long cleanCalls, long faultyCalls, long lost, long duplicates) {
    public double callsRatio() {
      return cleanCalls == 0 ? 0 : (double) faultyCalls / cleanCalls;
    }
  }

  /** {@code skipped} says why when this machine cannot restart PostgreSQL. */
  public record PgRestart(int leads, long lost, double seconds, String skipped) {}

  public record Fuzz(
      int fuzzed,
      long deadLettered,
      long scored,
      long misclassified,
      long unaccounted,
      long crashes,
      Map<String, long[]> byMutation) {}

  public record Result(Kills kills, Faults faults, PgRestart pg, Fuzz fuzz) {
    public long lost() {
      return kills.lost() + faults.lost() + pg.lost() + fuzz.unaccounted();
    }

    public long duplicates() {
      return kills.duplicates() + faults.duplicates();
    }
  }

  private final AixProcesses aix;
  private final PrintStream log;
  private final String dbHost;
  private final SalesforceOrg org =
      new SalesforceOrg(AixProcesses.CLIENT_ID, AixProcesses.CLIENT_SECRET, Clock.systemUTC());

  public FaultBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this.aix =
        new AixProcesses(jar, configSource, dbHost, dbPort, dbUser, "aix_faults", PROFILE, log);
    this.log = log;
    this.dbHost = dbHost;
  }

  static String profile(String every) {
    return profile(every, 200);
  }

  static String profile(String every, int writeBatch) {
    return AixProcesses.salesforceProfile(
        PROFILE, "The reliability benchmark's sandbox org", every, writeBatch);
  }

  static final int FAULT_WRITE_BATCH = 20;

  /** Crashed work comes back after this lease, not after the default five minutes. */
  private static final Map<String, String> FAST_LEASE = Map.of("aix.queue.lease", "15s");

  public Result run(Scale scale) throws Exception {
    try (SalesforceSandbox sandbox = new SalesforceSandbox(org, 0).start()) {
      String url = sandbox.baseUrl();
      Kills kills = kills(url, scale);
      Faults faults = faults(url, scale);
      PgRestart pg = pgRestart(url, scale);
      Fuzz fuzz = fuzz(url, scale);
      return new Result(kills, faults, pg, fuzz);
    } finally {
      if (System.getenv("AIX_BENCH_KEEP_DB") == null) {
        aix.dropDatabase();
      }
    }
  }

  // ------------------------------------------------------------------------------ (a) kill -9

  private Kills kills(String url, Scale scale) throws Exception {
    log.printf(
        "(a) %d leads in %d waves, SIGKILL at a random point of each, restart...%n",
        scale.leads(), scale.kills());
    fresh();
    aix.writeConfig(profile("1s"));
    LeadGenerator generator = new LeadGenerator(2027, Clock.systemUTC());
    Random random = new Random(2027);
    List<String> ids = new ArrayList<>();
    Map<String, Instant> updated = new HashMap<>();
    long started = System.nanoTime();
    // No faults here: a batch takes well under a second, so a killed process's leases may lapse
    // after 5 s.
    Map<String, String> lease = Map.of("aix.queue.lease", "5s");
    AixProcesses.Child child = aix.start(1, url, lease).get(0);
    int wave = Math.max(1, scale.leads() / scale.kills());
    for (int k = 1; k <= scale.kills(); k++) {
      for (int i = 0; i < wave; i++) {
        ids.add(org.insert("Lead", generator.lead()));
      }
      // Changes to leads AIX has seen: each must be scored again, kill or no kill.
      for (int i = 0; i < wave / 10 && ids.size() > wave; i++) {
        String id = ids.get(random.nextInt(ids.size() - wave));
        org.update(
            "Lead",
            id,
            Map.of(
                "Title",
                random.nextBoolean() ? "Chief Executive Officer" : "Intern",
                "NumberOfEmployees",
                1 + random.nextInt(50_000)));
        updated.put(id, SalesforceOrgTime.modstamp(org.record("Lead", id)));
      }
      // A random point of this wave's processing: once a random share of it is in the org, or
      // a little later (between a write and its confirmation, between batches, mid-poll).
      List<String> waveIds = ids.subList(ids.size() - wave, ids.size());
      int target = 1 + random.nextInt(Math.max(1, wave - 1));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && countScored(waveIds) < target) {
        Thread.sleep(5);
      }
      Thread.sleep(random.nextInt(150));
      aix.kill(child);
      log.printf("  kill %d of %d: %s%n", k, scale.kills(), progress(ids.size()));
      child = aix.start(1, url, lease).get(0);
    }
    awaitSettled(ids, Duration.ofMinutes(5));
    double seconds = (System.nanoTime() - started) / 1e9;
    long lost = lost(ids, updated);
    long duplicates = org.redundantWrites();
    aix.stop(List.of(child));
    log.printf(
        "(a) %d kills: lost %d, duplicate writes %d, %.1f s%n",
        scale.kills(), lost, duplicates, seconds);
    return new Kills(scale.kills(), ids.size(), lost, duplicates, seconds);
  }

  /** Reads a record's SystemModstamp the way the org wrote it. */
  private static final class SalesforceOrgTime {
    static Instant modstamp(JsonNode record) {
      String s =
          record.path("SystemModstamp").asText().replaceFirst("([+-]\\d{2})(\\d{2})$", "$1:$2");
      return s.endsWith("Z") ? Instant.parse(s) : java.time.OffsetDateTime.parse(s).toInstant();
    }
  }

  // ------------------------------------------------------------------------------ (b) faults

  private Faults faults(String url, Scale scale) throws Exception {
    log.printf(
        "(b) %d leads without faults, then with %.0f%% of calls failing...%n",
        scale.faultLeads(), scale.faultRate() * 100);
    long clean = callsFor(url, scale.faultLeads(), 0);
    long faulty = callsFor(url, scale.faultLeads(), scale.faultRate());
    List<String> ids = org.records("Lead").stream().map(r -> r.path("Id").asText()).toList();
    long lost = lost(ids, Map.of());
    long duplicates = org.redundantWrites();
    org.faults().clear();
    Faults f = new Faults(scale.faultRate(), scale.faultLeads(), clean, faulty, lost, duplicates);
    log.printf(
        "(b) calls: %d fault-free, %d with faults (ratio %.2f); lost %d, duplicate writes %d%n",
        clean, faulty, f.callsRatio(), lost, duplicates);
    return f;
  }

  /** One run over the same seeded leads; the API requests it took to write them all. */
  private long callsFor(String url, int leads, double rate) throws Exception {
    fresh();
    // Polled once, at start: idle polls would make the longer run look costlier. Writes of 20
    // make enough calls for the ratio to mean something at small scale.
    aix.writeConfig(profile("1h", FAULT_WRITE_BATCH));
    List<String> ids = seed(new LeadGenerator(7, Clock.systemUTC()), leads);
    org.faults().randomly(rate, 2500);
    Map<String, String> props = new LinkedHashMap<>(FAST_LEASE);
    props.put("aix.crm.timeout", "2s");
    AixProcesses.Child child = aix.start(1, url, props).get(0);
    awaitSettled(ids, Duration.ofMinutes(5));
    long calls = org.requests();
    aix.stop(List.of(child));
    return calls;
  }

  // ------------------------------------------------------------------------ (c) PostgreSQL

  private PgRestart pgRestart(String url, Scale scale) throws Exception {
    String version = postgresVersion();
    if (version == null) {
      String why = "pg_ctlcluster is not available, or PostgreSQL is not on this machine";
      log.printf("(c) skipped: %s%n", why);
      return new PgRestart(scale.pgLeads(), 0, 0, why);
    }
    log.printf("(c) %d leads, PostgreSQL restarted in the middle...%n", scale.pgLeads());
    fresh();
    // Small, slow writes, so that the run is still going when PostgreSQL goes down.
    aix.writeConfig(profile("1s", 20));
    List<String> ids = seed(new LeadGenerator(11, Clock.systemUTC()), scale.pgLeads());
    org.faults().latency(60);
    long started = System.nanoTime();
    AixProcesses.Child child = aix.start(1, url, FAST_LEASE).get(0);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && countScored(ids) < ids.size() / 10) {
      Thread.sleep(10);
    }
    log.printf("  restarting PostgreSQL %s (%s)%n", version, progress(ids.size()));
    Process restart =
        new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart")
            .redirectErrorStream(true)
            .start();
    if (!restart.waitFor(60, TimeUnit.SECONDS) || restart.exitValue() != 0) {
      throw new IllegalStateException(
          "pg_ctlcluster restart failed: " + new String(restart.getInputStream().readAllBytes()));
    }
    awaitDatabase();
    org.faults().latency(0);
    awaitSettled(ids, Duration.ofMinutes(3));
    double seconds = (System.nanoTime() - started) / 1e9;
    boolean alive = child.process().isAlive();
    long lost = lost(ids, Map.of()) + (alive ? 0 : 1);
    aix.stop(List.of(child));
    log.printf(
        "(c) PostgreSQL restarted: AIX %s, lost %d, finished in %.1f s%n",
        alive ? "reconnected and finished" : "DIED", lost, seconds);
    return new PgRestart(scale.pgLeads(), lost, seconds, null);
  }

  /** The local cluster's version when it can be restarted from here, else null. */
  private String postgresVersion() {
    if (!(dbHost.equals("127.0.0.1") || dbHost.equals("localhost"))) {
      return null;
    }
    try {
      Process which = new ProcessBuilder("sh", "-c", "command -v pg_ctlcluster").start();
      if (which.waitFor() != 0) {
        return null;
      }
      try (var versions = Files.list(Path.of("/etc/postgresql"))) {
        return versions.map(p -> p.getFileName().toString()).sorted().findFirst().orElse(null);
      }
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void awaitDatabase() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        aix.count("select 1");
        return;
      } catch (SQLException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("PostgreSQL did not come back within 60 s");
  }

  // ------------------------------------------------------------------------------- (d) fuzz

  private Fuzz fuzz(String url, Scale scale) throws Exception {
    log.printf("(d) %d fuzzed records...%n", scale.fuzzed());
    fresh();
    aix.writeConfig(profile("1h"));
    FuzzLeads generator = new FuzzLeads(99);
    Map<String, FuzzLeads.Fuzzed> byId = new LinkedHashMap<>();
    for (int i = 0; i < scale.fuzzed(); i++) {
      FuzzLeads.Fuzzed f = generator.next();
      byId.put(org.insert("Lead", f.fields()), f);
    }
    AixProcesses.Child child = aix.start(1, url, FAST_LEASE).get(0);
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    Map<String, String> dead = Map.of();
    Set<String> scored = Set.of();
    while (System.nanoTime() < deadline && child.process().isAlive()) {
      dead = deadLetters();
      scored = scoredIds();
      if (dead.size() + scored.size() >= byId.size()
          && aix.count("select count(*) from work_item") == 0) {
        break;
      }
      Thread.sleep(250);
    }
    long crashes =
        (child.process().isAlive() ? 0 : 1)
            + child.log().lines().filter(l -> l.contains("Unexpected failure")).count();
    aix.stop(List.of(child));
    long misclassified = 0;
    long unaccounted = 0;
    Map<String, long[]> byMutation = new TreeMap<>();
    for (Map.Entry<String, FuzzLeads.Fuzzed> e : byId.entrySet()) {
      FuzzLeads.Fuzzed f = e.getValue();
      long[] counts = byMutation.computeIfAbsent(f.mutation(), m -> new long[3]);
      String reason = dead.get(e.getKey());
      if (reason != null) {
        counts[0]++;
        if (f.expect() == FuzzLeads.Expect.ACCEPT || reason.isBlank()) {
          misclassified++;
        }
      } else if (scored.contains(e.getKey())) {
        counts[1]++;
        if (f.expect() == FuzzLeads.Expect.REJECT) {
          misclassified++;
        }
      } else {
        counts[2]++;
        unaccounted++;
      }
    }
    log.println("  mutation: dead-lettered / scored / neither");
    byMutation.forEach((m, c) -> log.printf("  %-32s %6d %6d %6d%n", m, c[0], c[1], c[2]));
    log.printf(
        "(d) %d fuzzed: %d dead-lettered with a reason, %d scored, %d misclassified, %d"
            + " unaccounted, %d crashes%n",
        byId.size(), dead.size(), scored.size(), misclassified, unaccounted, crashes);
    return new Fuzz(
        byId.size(), dead.size(), scored.size(), misclassified, unaccounted, crashes, byMutation);
  }

  private Map<String, String> deadLetters() throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Connection c = aix.db();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select crm_id, reason from dead_letter")) {
      while (r.next()) {
        out.put(r.getString(1), r.getString(2));
      }
    }
    return out;
  }

  private long countScored(List<String> ids) {
    return ids.stream().filter(id -> org.record("Lead", id).hasNonNull("AIX_Score__c")).count();
  }

  private Set<String> scoredIds() {
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode r : org.records("Lead")) {
      if (r.hasNonNull("AIX_Score__c")) {
        out.add(r.path("Id").asText());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------- common

  private void fresh() throws SQLException {
    org.reset();
    aix.resetDatabase();
  }

  private List<String> seed(LeadGenerator generator, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    return ids;
  }

  /**
   * Until every lead is scored in the org, the work queue is empty and every score AIX computed is
   * confirmed written; or the timeout.
   */
  private void awaitSettled(List<String> ids, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (scoredIds().containsAll(ids)
            && aix.count("select count(*) from work_item") == 0
            && aix.count("select count(*) from lead where written_version < score_version") == 0) {
          return;
        }
      } catch (SQLException e) {
        // PostgreSQL is restarting: look again.
      }
      Thread.sleep(200);
    }
    log.printf("  not settled after %s: %s%n", timeout, progress(ids.size()));
  }

  /**
   * Leads not scored in the org, changed leads whose change AIX never processed, and scores AIX
   * computed that never reached the org.
   */
  private long lost(List<String> ids, Map<String, Instant> updated) throws SQLException {
    Set<String> scored = scoredIds();
    long lost = ids.stream().filter(id -> !scored.contains(id)).count();
    Map<String, Instant> processed = new HashMap<>();
    try (Connection c = aix.db();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select crm_id, crm_modified_at from lead")) {
      while (r.next()) {
        processed.put(r.getString(1), r.getTimestamp(2).toInstant());
      }
    }
    for (Map.Entry<String, Instant> u : updated.entrySet()) {
      Instant seen = processed.get(u.getKey());
      if (seen == null || seen.isBefore(u.getValue())) {
        lost++;
      }
    }
    lost += aix.count("select count(*) from lead where written_version < score_version");
    return lost;
  }

  private String progress(int seeded) {
    try {
      return String.format(
          "%d seeded, %d scored in the org, %d queued",
          seeded, scoredIds().size(), aix.count("select count(*) from work_item"));
    } catch (SQLException e) {
      return seeded + " seeded (database unavailable)";
    }
  }
}
