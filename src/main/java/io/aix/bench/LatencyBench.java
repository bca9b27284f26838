package io.aix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real-time benchmark: AIX as a real process (the packaged application) on a sandbox org that
 * answers with a set API latency and publishes change events with a set delay. Records are changed
 * at a steady rate, as users change them, and each change is timed until its new score can be read
 * from the org; then engagement signals are posted to AIX's API (with a bearer token AIX verifies)
 * and each is timed until its task exists in the org.
 */
public final class LatencyBench {
  static final String PROFILE = "bench-latency";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param apiLatency added to every REST call the org answers
   * @param eventDelay from a commit to its change event reaching subscribers
   */
  public record Settings(
      int leads,
      int changes,
      double perSecond,
      int signals,
      Duration apiLatency,
      Duration eventDelay) {}

  /** Seconds per measured event; {@code missing}: events not seen within the wait. */
  public record Timings(List<Double> seconds, int missing) {
    public double percentile(double p) {
      if (seconds.isEmpty()) {
        return Double.NaN;
      }
      List<Double> sorted = seconds.stream().sorted().toList();
      int rank = (int) Math.ceil(p / 100.0 * sorted.size());
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
  }

  /**
   * @param floorSeconds the least any change can take on this sandbox: the event delay, one read
   *     and one write at the API latency (the baseline the figures are compared against)
   */
  public record Result(Timings changeToScore, Timings signalToTask, double floorSeconds) {}

  private final AixProcesses aix;
  private final PrintStream log;
  private final SalesforceOrg org =
      new SalesforceOrg(AixProcesses.CLIENT_ID, AixProcesses.CLIENT_SECRET, Clock.systemUTC());
  private final LeadGenerator generator = new LeadGenerator(2611, Clock.systemUTC());

  public LatencyBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this.aix =
        new AixProcesses(
            jar, configSource, dbHost, dbPort, dbUser, "aix_bench_latency", PROFILE, log);
    this.log = log;
  }

  static final String PROFILE_YAML =
      AixProcesses.salesforceProfile(
          PROFILE,
          "The latency benchmark's sandbox org",
          "{ name: Lead, mapping: salesforce-lead, changes: cdc, channel: AIX_Lead__chn, every: 5m, overlap: 2m }",
          200,
          """
          tasks:
            subject: "Engagement burst: call today"
            dueIn: 1d
            rules:
              - { id: engagement-burst, engagementRises: 25, within: 24h }
          """);

  public Result run(Settings s) throws Exception {
    aix.writeConfig(PROFILE_YAML);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < s.leads(); i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (SalesforceSandbox sandbox = new SalesforceSandbox(org, 0).start()) {
      org.faults().latency((int) s.apiLatency().toMillis());
      org.stream().publishDelay(s.eventDelay());
      aix.resetDatabase();
      List<AixProcesses.Child> children =
          aix.start(
              1,
              sandbox.baseUrl(),
              Map.of(
                  "quarkus.http.port",
                  String.valueOf(port),
                  "quarkus.oidc.tenant-enabled",
                  "true",
                  "quarkus.oidc.public-key",
                  Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
                  "quarkus.oidc.token.audience",
                  "aix"));
      try {
        log.printf("scoring the %d seeded leads first...%n", s.leads());
        awaitAll(ids, id -> org.record("Lead", id).hasNonNull("AIX_Score__c"), 180);
        Thread.sleep(2000); // the echoes of the first writes pass
        Timings changes = changes(ids, s);
        Timings signals = signals(ids, s, port, token(keys));
        double floor = s.eventDelay().toMillis() / 1000.0 + 2 * s.apiLatency().toMillis() / 1000.0;
        return new Result(changes, signals, floor);
      } finally {
        aix.stop(children);
      }
    } finally {
      if (System.getenv("AIX_BENCH_KEEP_DB") == null) {
        aix.dropDatabase();
      }
    }
  }

  /**
   * Changes one lead after another at the steady rate (a title that moves the score: the executive
   * and the intern take turns) and times each until the org shows AIX's new score for it (its
   * scored-at stamp moves).
   */
  private Timings changes(List<String> ids, Settings s) throws Exception {
    log.printf("%d changes at %.1f per second...%n", s.changes(), s.perSecond());
    Map<String, long[]> pending = new ConcurrentHashMap<>();
    Map<String, String> before = new ConcurrentHashMap<>();
    List<Double> seconds = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread watcher =
        watch(
            pending,
            id -> {
              JsonNode r = org.record("Lead", id);
              return !r.path("AIX_Scored_At__c").asText("").equals(before.get(id));
            },
            seconds);
    long period = (long) (1e9 / s.perSecond());
    long start = System.nanoTime();
    for (int k = 0; k < s.changes(); k++) {
      sleepUntil(start + k * period);
      String id = ids.get(k % ids.size());
      if (pending.containsKey(id)) {
        continue; // still in flight from the last round: the run is too fast for its leads
      }
      // Intern <-> chief executive: the seniority changes either way, so the score and its
      // reasons do, and AIX writes.
      String title =
          org.record("Lead", id).path("Title").asText("").contains("Intern")
              ? "Chief Executive Officer"
              : "Sales Intern";
      before.put(id, org.record("Lead", id).path("AIX_Scored_At__c").asText(""));
      pending.put(id, new long[] {System.nanoTime()});
      org.update("Lead", id, Map.of("Title", title));
    }
    return finish(watcher, pending, seconds);
  }

  /**
   * Posts engagement signals (a meeting booked: enough for the engagement rule) for one lead after
   * another at the steady rate, and times each from the request until the org holds the task.
   */
  private Timings signals(List<String> ids, Settings s, int port, String token) throws Exception {
    log.printf("%d signals at %.1f per second...%n", s.signals(), s.perSecond());
    HttpClient http = HttpClient.newHttpClient();
    Map<String, long[]> pending = new ConcurrentHashMap<>();
    List<Double> seconds = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread watcher = watch(pending, id -> !org.tasksOf(id).isEmpty(), seconds);
    long period = (long) (1e9 / s.perSecond());
    long start = System.nanoTime();
    List<String> fresh = ids.stream().filter(id -> org.tasksOf(id).isEmpty()).toList();
    for (int k = 0; k < Math.min(s.signals(), fresh.size()); k++) {
      sleepUntil(start + k * period);
      String id = fresh.get(k);
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("signals");
      ObjectNode signal = list.addObject();
      signal.put("id", "bench-" + id + "-meeting");
      signal.put("profile", PROFILE);
      signal.put("object", "Lead");
      signal.put("recordId", id);
      signal.put("type", "meeting");
      signal.put("occurredAt", Instant.now().toString());
      pending.put(id, new long[] {System.nanoTime()});
      HttpResponse<String> reply =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/signals"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() != 200) {
        throw new IllegalStateException(
            "POST /api/v1/signals answered " + reply.statusCode() + ": " + reply.body());
      }
    }
    return finish(watcher, pending, seconds);
  }

  private static Thread watch(
      Map<String, long[]> pending,
      java.util.function.Predicate<String> done,
      List<Double> seconds) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                for (Map.Entry<String, long[]> e : pending.entrySet()) {
                  if (done.test(e.getKey())) {
                    seconds.add((System.nanoTime() - e.getValue()[0]) / 1e9);
                    pending.remove(e.getKey());
                  }
                }
                try {
                  Thread.sleep(2);
                } catch (InterruptedException ex) {
                  return;
                }
              }
            },
            "latency-watch");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits up to 30 s for the events in flight; any still unseen are reported as missing. */
  private static Timings finish(Thread watcher, Map<String, long[]> pending, List<Double> seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    watcher.interrupt();
    watcher.join();
    return new Timings(List.copyOf(seconds), pending.size());
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  private void awaitAll(
      List<String> ids, java.util.function.Predicate<String> done, int timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    while (!ids.stream().allMatch(done)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the seeded leads were not all scored within " + timeoutSeconds + " s");
      }
      Thread.sleep(100);
    }
  }

  /** An RS256 access token for the integrator role, signed with the key AIX was told to trust. */
  static String token(KeyPair keys) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", "aix-bench");
    claims.put("sub", "latency-bench");
    claims.put("upn", "latency-bench");
    claims.put("aud", "aix");
    claims.put("iat", now);
    claims.put("exp", now + 3600);
    claims.putArray("groups").add("aix-integrator");
    String header =
        b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    Signature sig = Signature.getInstance("SHA256withRSA");
    sig.initSign(keys.getPrivate());
    sig.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return header + "." + payload + "." + b64.encodeToString(sig.sign());
  }
}
