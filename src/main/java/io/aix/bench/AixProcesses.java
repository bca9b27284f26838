package io.aix.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * AIX as real, separate processes for the benchmarks that need to kill, restart or multiply it: the
 * packaged application ({@code serve}, prod profile) with a benchmark profile against the
 * benchmark's own in-process sandbox org ({@code aix.sandbox.salesforce.url}) and a database of its
 * own, which this class creates and drops.
 */
final class AixProcesses {
  static final String CLIENT_ID = "aix-bench-client";
  static final String CLIENT_SECRET = "aix-bench-secret";

  private final Path jar;
  private final Path configSource;
  private final Path work;
  private final String dbHost;
  private final int dbPort;
  private final String dbUser;
  private final String dbName;
  private final String profileId;
  private final PrintStream log;
  private int started;

  /** One AIX process and its log. */
  record Child(int index, Process process, Path logFile, String profileId) {
    String log() {
      try {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
      } catch (IOException e) {
        return "";
      }
    }

    boolean started() {
      return log().contains("Intake " + profileId + ": polling");
    }
  }

  AixProcesses(
      Path jar,
      Path configSource,
      String dbHost,
      int dbPort,
      String dbUser,
      String dbName,
      String profileId,
      PrintStream log)
      throws IOException {
    this.jar = jar;
    this.configSource = configSource;
    this.work = Files.createTempDirectory("aix-bench-" + dbName);
    this.dbHost = dbHost;
    this.dbPort = dbPort;
    this.dbUser = dbUser;
    this.dbName = dbName;
    this.profileId = profileId;
    this.log = log;
  }

  Path work() {
    return work;
  }

  private List<String> jvmOptions = List.of();

  /** JVM options of the processes started from now on (say a heap limit). */
  void jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
  }

  /**
   * A Salesforce profile on the benchmark's sandbox org (credentials from the environment the
   * children get), polling Lead every {@code every}, writing {@code writeBatch} records a call.
   */
  static String salesforceProfile(String id, String description, String every, int writeBatch) {
    return salesforceProfile(
        id,
        description,
        "{ name: Lead, mapping: salesforce-lead, every: %s, overlap: 2m, pageSize: 2000 }"
            .formatted(every),
        writeBatch,
        "");
  }

  /** As above, with the Lead object's line and more top-level YAML (tasks, ...) given. */
  static String salesforceProfile(
      String id, String description, String leadObject, int writeBatch, String more) {
    return """
        id: %s
        type: salesforce
        description: %s
        connection:
          loginUrl: sandbox
          apiVersion: "62.0"
          auth:
            flow: client-credentials
            clientId: { env: AIX_BENCH_SF_CLIENT_ID }
            clientSecret: { env: AIX_BENCH_SF_CLIENT_SECRET }
        objects:
          - %s
        writeback: { enabled: true, batchSize: %d }
        scoring: default-rules
        model: { retrain: "off" }
        limits:
          dailyApiBudget: 1000000
        """
            .formatted(id, description, leadObject, writeBatch)
        + more;
  }

  /**
   * A HubSpot profile on the benchmark's sandbox portal (private-app token from the environment the
   * children get), polling contacts every {@code every}, writing 100 records a batch call.
   */
  static String hubspotProfile(String id, String description, String every) {
    return """
        id: %s
        type: hubspot
        description: %s
        connection:
          baseUrl: sandbox
          portalId: %d
          auth:
            flow: private-app
            token: { env: AIX_BENCH_HS_TOKEN }
        webhooks:
          clientSecret: { env: AIX_BENCH_HS_CLIENT_SECRET }
        objects:
          - { name: contacts, mapping: hubspot-contact, every: %s, overlap: 2m, pageSize: 200 }
        writeback: { enabled: true, batchSize: 100 }
        scoring: default-rules
        model: { retrain: "off" }
        limits:
          dailyApiBudget: 1000000
        """
        .formatted(id, description, io.aix.sandbox.HubSpotPortal.PORTAL_ID, every);
  }

  /** The token of the benchmark's sandbox portal's private app. */
  static final String HUBSPOT_TOKEN = "pat-na1-aix-bench";

  /** The client secret the benchmark's portal signs its webhook deliveries with. */
  static final String HUBSPOT_CLIENT_SECRET = "aix-bench-hubspot-client-secret";

  private String hubspotUrl;

  /** The benchmark's HubSpot portal, for the processes started from now on. */
  void hubspotUrl(String url) {
    this.hubspotUrl = url;
  }

  /** One more profile beside the benchmark's own (the config must be written first). */
  void writeProfile(String id, String yaml) throws IOException {
    Files.writeString(work.resolve("config/crm-profiles/" + id + ".yaml"), yaml);
  }

  /** The benchmark's configuration: the routes, mappings and scoring profiles, and its profile. */
  void writeConfig(String profileYaml) throws IOException {
    Path config = work.resolve("config");
    copyTree(configSource.resolve("routes"), config.resolve("routes"));
    copyTree(configSource.resolve("mappings"), config.resolve("mappings"));
    copyTree(configSource.resolve("crm-profiles/scoring"), config.resolve("crm-profiles/scoring"));
    Files.writeString(config.resolve("crm-profiles/" + profileId + ".yaml"), profileYaml);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(
            f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Starts {@code count} processes and waits until each has started intake. */
  List<Child> start(int count, String sandboxUrl, Map<String, String> properties) throws Exception {
    List<Child> children = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      children.add(launch(sandboxUrl, properties));
    }
    awaitStarted(children);
    return children;
  }

  private Child launch(String sandboxUrl, Map<String, String> properties) throws IOException {
    int index = ++started;
    Path logFile = work.resolve("aix-" + index + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // To profile the AIX process a bench starts (say a flight recording):
    // AIX_BENCH_JVM_OPTIONS="-XX:StartFlightRecording=filename=/tmp/aix.jfr"
    String extra = System.getenv().getOrDefault("AIX_BENCH_JVM_OPTIONS", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.add("-Dquarkus.profile=prod");
    command.add("-Dquarkus.http.port=0");
    command.add("-Daix.sandbox.enabled=true");
    if (sandboxUrl != null) {
      command.add("-Daix.sandbox.salesforce.url=" + sandboxUrl);
    }
    if (hubspotUrl != null) {
      command.add("-Daix.sandbox.hubspot.url=" + hubspotUrl);
    }
    command.add("-Daix.cluster.file-root=" + work.resolve("cluster"));
    command.add("-Daix.cluster.acquire-interval-millis=500");
    command.add("-Daix.alerts.enabled=false");
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(List.of("-jar", jar.toString(), "serve"));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    pb.environment().put("AIX_CONFIG_DIR", work.resolve("config").toString());
    pb.environment().put("AIX_DB_HOST", dbHost);
    pb.environment().put("AIX_DB_PORT", String.valueOf(dbPort));
    pb.environment().put("AIX_DB_NAME", dbName);
    pb.environment().put("AIX_DB_USER", dbUser);
    pb.environment().putIfAbsent("AIX_DB_PASSWORD", "unused-with-trust-auth");
    pb.environment().put("AIX_BENCH_SF_CLIENT_ID", CLIENT_ID);
    pb.environment().put("AIX_BENCH_SF_CLIENT_SECRET", CLIENT_SECRET);
    pb.environment().put("AIX_BENCH_HS_TOKEN", HUBSPOT_TOKEN);
    pb.environment().put("AIX_BENCH_HS_CLIENT_SECRET", HUBSPOT_CLIENT_SECRET);
    return new Child(index, pb.start(), logFile, profileId);
  }

  private static void awaitStarted(List<Child> children) throws InterruptedException {
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
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  void stop(List<Child> children) throws InterruptedException {
    for (Child c : children) {
      c.process().destroy();
    }
    for (Child c : children) {
      if (!c.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        c.process().destroyForcibly().waitFor();
      }
    }
  }

  /** SIGKILL: no shutdown hook, no graceful stop. */
  void kill(Child child) throws InterruptedException {
    child.process().destroyForcibly().waitFor();
  }

  Connection db() throws SQLException {
    return connect(dbName);
  }

  long count(String sql) throws SQLException {
    try (Connection c = db();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + database,
        dbUser,
        System.getenv().getOrDefault("AIX_DB_PASSWORD", ""));
  }

  void resetDatabase() throws SQLException {
    dropDatabase();
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("create database " + dbName);
    }
  }

  void dropDatabase() throws SQLException {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + dbName + " with (force)");
    }
  }

  void note(String format, Object... args) {
    log.printf(format + "%n", args);
  }
}
