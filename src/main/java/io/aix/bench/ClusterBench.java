package io.aix.bench;

import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scale-out, proven locally: AIX processes (the packaged application, {@code serve}) against one
 * PostgreSQL database and one shared sandbox org, electing leaders with the file lock cluster
 * service. Measures the time for N leads with one process and with three, checks that exactly one
 * of the three polls, kills that one with SIGKILL, and measures how long until another has picked
 * up new leads; counts leads never scored (lost) and scores written twice (duplicates).
 */
public final class ClusterBench {
  static final String PROFILE = "bench-salesforce";
  static final String CLIENT_ID = "aix-bench-client";
  static final String CLIENT_SECRET = "aix-bench-secret";
  static final String POLLER = "Consumer started: timer://aix-poll-" + PROFILE + "-Lead";

  /** The figures of one run. */
  public record Result(
      double oneProcessSeconds,
      double threeProcessSeconds,
      int leaders,
      double takeoverSeconds,
      long lost,
      long duplicates) {
    public double throughputRatio() {
      return oneProcessSeconds / threeProcessSeconds;
    }
  }

  private final Path jar;
  private final Path configSource;
  private final Path work;
  private final String dbHost;
  private final int dbPort;
  private final String dbUser;
  private final PrintStream log;
  private final SalesforceOrg org = new SalesforceOrg(CLIENT_ID, CLIENT_SECRET, Clock.systemUTC());
  private final List<String> ids = new ArrayList<>();
  private LeadGenerator generator = new LeadGenerator(2026, Clock.systemUTC());

  public ClusterBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this.jar = jar;
    this.configSource = configSource;
    this.work = Files.createTempDirectory("aix-bench-cluster");
    this.dbHost = dbHost;
    this.dbPort = dbPort;
    this.dbUser = dbUser;
    this.log = log;
  }

  /** One child AIX process and its log. */
  private record Child(int index, Process process, Path logFile) {
    String log() {
      try {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
      } catch (IOException e) {
        return "";
      }
    }

    boolean polls() {
      return log().contains(POLLER);
    }

    boolean started() {
      return log().contains("Intake " + PROFILE + ": polling Lead");
    }
  }

  public Result run(int leads) throws Exception {
    writeConfig();
    try (SalesforceSandbox sandbox = new SalesforceSandbox(org, 0).start()) {
      String url = sandbox.baseUrl();

      log.printf("one process, %d leads...%n", leads);
      resetDatabase();
      List<Child> one = start(1, url, "a");
      double t1 = timeToScore(leads);
      log.printf("(%d duplicate writes with one process)%n", org.redundantWrites());
      stop(one);

      log.printf("three processes, %d leads...%n", leads);
      org.reset();
      ids.clear();
      resetDatabase();
      List<Child> three = start(3, url, "b");
      double t3 = timeToScore(leads);
      awaitCheckpointed(leads);
      int leaders = (int) three.stream().filter(Child::polls).count();
      Child leader = three.stream().filter(Child::polls).findFirst().orElseThrow();

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
      stop(three);
      return new Result(t1, t3, leaders, takeover, lost, duplicates);
    } finally {
      if (System.getenv("AIX_BENCH_KEEP_DB") == null) {
        dropDatabase();
      }
    }
  }

  private void writeConfig() throws IOException {
    Path config = work.resolve("config");
    copyTree(configSource.resolve("routes"), config.resolve("routes"));
    copyTree(configSource.resolve("mappings"), config.resolve("mappings"));
    copyTree(configSource.resolve("crm-profiles/scoring"), config.resolve("crm-profiles/scoring"));
    Files.writeString(
        config.resolve("crm-profiles/" + PROFILE + ".yaml"),
        """
        id: bench-salesforce
        type: salesforce
        description: The cluster benchmark's shared sandbox org
        connection:
          loginUrl: sandbox
          apiVersion: "62.0"
          auth:
            flow: client-credentials
            clientId: { env: AIX_BENCH_SF_CLIENT_ID }
            clientSecret: { env: AIX_BENCH_SF_CLIENT_SECRET }
        objects:
          - { name: Lead, mapping: salesforce-lead, every: 1s, overlap: 2m, pageSize: 2000 }
        scoring: default-rules
        model: { retrain: "off" }
        """);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private List<Child> start(int count, String sandboxUrl, String phase) throws Exception {
    List<Child> children = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Path logFile = work.resolve("aix-" + phase + i + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dquarkus.profile=prod",
                  "-Dquarkus.http.port=0",
                  "-Daix.sandbox.enabled=true",
                  "-Daix.sandbox.salesforce.url=" + sandboxUrl,
                  "-Daix.cluster.file-root=" + work.resolve("cluster"),
                  "-Daix.cluster.acquire-interval-millis=500",
                  "-Daix.alerts.enabled=false",
                  "-jar",
                  jar.toString(),
                  "serve")
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      pb.environment().put("AIX_CONFIG_DIR", work.resolve("config").toString());
      pb.environment().put("AIX_DB_HOST", dbHost);
      pb.environment().put("AIX_DB_PORT", String.valueOf(dbPort));
      pb.environment().put("AIX_DB_NAME", "aix_bench");
      pb.environment().put("AIX_DB_USER", dbUser);
      pb.environment().putIfAbsent("AIX_DB_PASSWORD", "unused-with-trust-auth");
      pb.environment().put("AIX_BENCH_SF_CLIENT_ID", CLIENT_ID);
      pb.environment().put("AIX_BENCH_SF_CLIENT_SECRET", CLIENT_SECRET);
      children.add(new Child(i, pb.start(), logFile));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!children.stream().allMatch(Child::started)) {
      for (Child c : children) {
        if (!c.process().isAlive()) {
          throw new IllegalStateException(
              "AIX process " + c.index() + " exited; its log:\n" + c.log());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("AIX processes did not start within 2 minutes");
      }
      Thread.sleep(100);
    }
    return children;
  }

  private void stop(List<Child> children) throws InterruptedException {
    for (Child c : children) {
      c.process().destroy();
    }
    for (Child c : children) {
      if (!c.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        c.process().destroyForcibly().waitFor();
      }
    }
  }

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
   * Waits until the poller has checkpointed what it wrote, so that the kill lands between cycles:
   * the takeover is measured on new leads. (A kill between a write and its checkpoint is the
   * reliability suite's subject: the next leader writes the same score again.)
   */
  private void awaitCheckpointed(int leads) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (processedKeys() < leads && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private long processedKeys() throws SQLException {
    try (Connection c = benchDb();
        Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("select count(*) from processed_event")) {
      r.next();
      return r.getLong(1);
    }
  }

  private Connection benchDb() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + dbHost + ":" + dbPort + "/aix_bench",
        dbUser,
        System.getenv().getOrDefault("AIX_DB_PASSWORD", ""));
  }

  /** What the cluster has stored, for the log. */
  private String state() throws SQLException {
    try (Connection c = benchDb();
        Statement s = c.createStatement();
        java.sql.ResultSet r =
            s.executeQuery(
                "select (select count(*) from lead), (select count(*) from processed_event),"
                    + " (select max(position) from source_offset)")) {
      r.next();
      return r.getLong(1)
          + " leads stored, "
          + r.getLong(2)
          + " processed keys, offset "
          + r.getString(3);
    }
  }

  private Connection admin() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + dbHost + ":" + dbPort + "/postgres",
        dbUser,
        System.getenv().getOrDefault("AIX_DB_PASSWORD", ""));
  }

  private void resetDatabase() throws SQLException {
    dropDatabase();
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("create database aix_bench");
    }
  }

  private void dropDatabase() throws SQLException {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("drop database if exists aix_bench with (force)");
    }
  }
}
