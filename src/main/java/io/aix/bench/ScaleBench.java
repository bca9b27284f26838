package io.aix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.HubSpotSandbox;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scale benchmark: a backfill of N leads per CRM (Salesforce leads, HubSpot contacts, or both
 * at once) from the first poll until every lead's score is readable in its CRM, then a model
 * promotion that re-scores them all. The sandbox CRMs run in this process with a set latency per
 * API call, Bulk API 2.0 jobs and HubSpot imports/exports that take their time; AIX is a real,
 * separate process (the packaged application), whose CPU is read from /proc for it alone. During
 * the backfill one lead a second is changed by a user, and each change is timed until its new score
 * is in the CRM (Salesforce: change data capture; HubSpot: the portal's webhooks, delivered to
 * AIX's endpoint as a HubSpot app's are, signed).
 */
public final class ScaleBench {
  static final String PROFILE = "bench-scale";
  static final String HS_PROFILE = "bench-scale-hs";

  /**
   * @param apiLatency added to every API call the sandbox CRMs answer
   * @param jobStart a Bulk API 2.0 job's (and a HubSpot import's or export's) fixed start
   * @param jobPer10k a Bulk API 2.0 job's time per 10,000 records
   * @param hsRowsPerSecond a HubSpot import's or export's rows per second
   */
  public record Settings(
      int leads,
      Duration apiLatency,
      Duration jobStart,
      Duration jobPer10k,
      int heapLimitMb,
      boolean salesforce,
      boolean hubspot,
      double hsRowsPerSecond) {
    public Settings(
        int leads, Duration apiLatency, Duration jobStart, Duration jobPer10k, int heapLimitMb) {
      this(leads, apiLatency, jobStart, jobPer10k, heapLimitMb, true, false, 926);
    }
  }

  /**
   * The figures of one run; per-CRM maps hold a key for each CRM run.
   *
   * @param paths per CRM, the calls by kind (which mass paths were taken)
   */
  public record Result(
      int leads,
      double seconds,
      double aixCpuMsPerLead,
      long heapMaxMb,
      long rssMaxMb,
      Map<String, Long> apiCalls,
      double rescoreSeconds,
      Map<String, Long> rescoreApiCalls,
      double cdcP99Seconds,
      int cdcChanges,
      long lost,
      long duplicates,
      Map<String, String> paths,
      double baselineCpuMsPerRecord) {}

  private final AixProcesses aix;
  private final Path work;
  private final PrintStream log;
  private final SalesforceOrg org =
      new SalesforceOrg(AixProcesses.CLIENT_ID, AixProcesses.CLIENT_SECRET, Clock.systemUTC());
  private final HubSpotPortal portal =
      new HubSpotPortal(AixProcesses.HUBSPOT_TOKEN, "c", "s", "r", Clock.systemUTC());
  private final boolean withSalesforce;

  public ScaleBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this(jar, configSource, dbHost, dbPort, dbUser, log, true);
  }

  public ScaleBench(
      Path jar,
      Path configSource,
      String dbHost,
      int dbPort,
      String dbUser,
      PrintStream log,
      boolean withSalesforce)
      throws IOException {
    this.withSalesforce = withSalesforce;
    this.aix =
        new AixProcesses(
            jar,
            configSource,
            dbHost,
            dbPort,
            dbUser,
            "aix_bench_scale",
            withSalesforce ? PROFILE : HS_PROFILE,
            log);
    this.work = aix.work();
    this.log = log;
  }

  static final String PROFILE_YAML =
      AixProcesses.salesforceProfile(
          PROFILE,
          "The scale benchmark's sandbox org",
          "{ name: Lead, mapping: salesforce-lead, changes: cdc, channel: AIX_Lead__chn, every: 1m, overlap: 2m }",
          200,
          "");

  /** Webhooks bring each change; the poll every 15 s is the safety net. */
  static final String HS_PROFILE_YAML =
      AixProcesses.hubspotProfile(HS_PROFILE, "The scale benchmark's sandbox portal", "15s");

  /** One CRM under the bench: its records, and how to read one back. */
  private record Crm(
      String name, List<String> ids, java.util.function.Function<String, JsonNode> read) {}

  public Result run(Settings s) throws Exception {
    if (s.salesforce() != withSalesforce) {
      throw new IllegalArgumentException("the bench was built for salesforce=" + withSalesforce);
    }
    if (s.salesforce()) {
      aix.writeConfig(PROFILE_YAML);
      if (s.hubspot()) {
        aix.writeProfile(HS_PROFILE, HS_PROFILE_YAML);
      }
    } else {
      aix.writeConfig(HS_PROFILE_YAML);
    }
    org.dailyApiLimit(100_000_000);
    org.bulkTiming(s.jobStart(), s.jobPer10k());
    portal.dailyLimit(100_000_000);
    portal.bulkSpeed(s.jobStart().toMillis(), s.hsRowsPerSecond());
    LeadGenerator generator = new LeadGenerator(4242, Clock.systemUTC());
    List<Crm> crms = new ArrayList<>();
    if (s.salesforce()) {
      List<String> ids = new ArrayList<>(s.leads());
      Progress seeding = new Progress(log, "seeding the org", s.leads());
      Instant seededFrom = Instant.now().minus(Duration.ofDays(365));
      Duration spacing = Duration.ofDays(364).dividedBy(Math.max(1, s.leads()));
      for (int i = 0; i < s.leads(); i++) {
        // Made and changed over the past year, as an org's records are (seeded at the minute
        // before the backfill, every record fell in the poll's overlap after the first read).
        ids.add(org.seed("Lead", generator.lead(), seededFrom.plus(spacing.multipliedBy(i))));
        seeding.at(i + 1);
      }
      seeding.done();
      crms.add(new Crm("salesforce", ids, id -> org.record("Lead", id)));
    }
    if (s.hubspot()) {
      List<String> ids = new ArrayList<>(s.leads());
      Progress seeding = new Progress(log, "seeding the portal", s.leads());
      for (int i = 0; i < s.leads(); i++) {
        ids.add(portal.createContact(generator.contact()));
        seeding.at(i + 1);
      }
      seeding.done();
      portal.drainChanges();
      crms.add(new Crm("hubspot", ids, this::contact));
    }
    try (SalesforceSandbox sfSandbox =
            s.salesforce() ? new SalesforceSandbox(org, 0).start() : null;
        HubSpotSandbox hsSandbox =
            s.hubspot() ? new HubSpotSandbox(portal, 0, Clock.systemUTC()).start() : null) {
      org.faults().latency((int) s.apiLatency().toMillis());
      portal.faults().latency((int) s.apiLatency().toMillis());
      aix.resetDatabase();
      if (hsSandbox != null) {
        aix.hubspotUrl(hsSandbox.baseUrl());
      }
      Map<String, Long> callsBefore = calls(crms);
      Map<String, Long> sfKindsBefore = org.apiCallsByKind();
      // The heap goal is a limit the process runs under: if AIX needed more, it would fail.
      aix.jvmOptions(
          List.of("-Xmx" + s.heapLimitMb() + "m", "-XX:-UseDynamicNumberOfCompilerThreads"));
      // The machine's yardstick, in this run: a JSON round trip of the records AIX is to read.
      double baselineMs = baseline(crms);
      log.printf(
          "baseline: %.4f ms of CPU to read and write one record's JSON on this machine now%n",
          baselineMs);
      List<AixProcesses.Child> children =
          aix.start(
              1,
              sfSandbox == null ? null : sfSandbox.baseUrl(),
              Map.of("quarkus.http.port", "0", "aix.ui.enabled", "false"));
      AixProcesses.Child child = children.get(0);
      if (hsSandbox != null) {
        // As an installed app's subscriptions do: every change from now on, to AIX's endpoint.
        hsSandbox
            .webhooks()
            .subscribe(
                "http://127.0.0.1:" + httpPort(child) + "/webhooks/hubspot",
                AixProcesses.HUBSPOT_CLIENT_SECRET);
      }
      ProcessStats stats = new ProcessStats(child.process().pid());
      stats.start();
      try {
        // Backfill, with a user's change a second timed on the real-time path meanwhile.
        long start = System.nanoTime();
        double cpuStart = stats.cpuMillis();
        AtomicBoolean backfilling = new AtomicBoolean(true);
        List<Double> cdc = Collections.synchronizedList(new ArrayList<>());
        Map<String, Double> slowest = new ConcurrentHashMap<>();
        if (s.salesforce()) {
          // The user's changes are timed on the real-time path: they begin once AIX's change
          // event subscription is confirmed (a change made before it reaches AIX with the
          // backfill's read, and waits for its bulk job).
          awaitSubscription(child);
        }
        Thread changer = changes(crms, backfilling, cdc, slowest);
        awaitAll(
            crms,
            (crm, r) -> r.hasNonNull(scoreField(crm)),
            "backfill: scores in the CRM",
            s.leads() * crms.size());
        double seconds = (System.nanoTime() - start) / 1e9;
        backfilling.set(false);
        changer.join();
        // A pass ends once AIX has read its own writes coming back and gone quiet (on HubSpot the
        // import's echo, walked by paced searches for minutes): their calls and CPU are the
        // pass's, and the promotion does not meet them half-read (the echo's records, re-scored,
        // went out as 2,372 batch updates beside the re-score's import).
        awaitQuiet(crms, "backfill");
        Map<String, Long> callsMid = calls(crms);
        Map<String, Long> calls = minus(callsMid, callsBefore);
        Map<String, String> paths = new java.util.LinkedHashMap<>();
        paths.put("backfill", kinds(crms));
        Map<String, Long> sfKindsMid = org.apiCallsByKind();
        if (s.salesforce()) {
          paths.put("backfill, Salesforce", byPath(minus(sfKindsMid, sfKindsBefore)));
        }
        // Re-score everything: promote a new scoring version.
        double cpuMid = stats.cpuMillis();
        long rescoreStart = System.nanoTime();
        promote(crms);
        String promoted = "rules:default-rules@2";
        awaitAll(
            crms,
            (crm, r) -> promoted.equals(r.path(versionField(crm)).asText()),
            "re-score after a promotion",
            s.leads() * crms.size());
        double rescoreSeconds = (System.nanoTime() - rescoreStart) / 1e9;
        awaitQuiet(crms, "re-score");
        Map<String, Long> rescoreCalls = minus(calls(crms), callsMid);
        paths.put("total", kinds(crms));
        if (s.salesforce()) {
          paths.put("re-score, Salesforce", byPath(minus(org.apiCallsByKind(), sfKindsMid)));
        }
        double cpuEnd = stats.cpuMillis();
        Map<String, Double> byKind = stats.cpuMillisByKind();
        stats.stop();
        long lost = 0;
        for (Crm crm : crms) {
          for (String id : crm.ids()) {
            JsonNode r = crm.read().apply(id);
            if (r == null || !r.hasNonNull(scoreField(crm.name()))) {
              lost++;
            }
          }
        }
        long duplicates =
            aix.count(
                "select count(*) from (select profile_id, crm_id, version from score group by"
                    + " profile_id, crm_id, version having count(*) > 1) d");
        List<Double> sorted = cdc.stream().sorted().toList();
        double p99 = quantile(sorted, 0.99);
        log.printf(
            "change to score during the backfill: %d changes, p50 %.2f s, p90 %.2f s, p99 %.2f s,"
                + " max %.2f s; slowest: %s%n",
            sorted.size(),
            quantile(sorted, 0.5),
            quantile(sorted, 0.9),
            p99,
            quantile(sorted, 1.0),
            slowest);
        int total = s.leads() * crms.size();
        log.printf(
            "AIX CPU: %.0f s for the backfill, %.0f s for the re-score (of %d leads)%n",
            (cpuMid - cpuStart) / 1000, (cpuEnd - cpuMid) / 1000, total);
        log.printf(
            "AIX CPU since its start by thread: JIT compilers %.0f s, garbage collector %.0f s,"
                + " the rest %.0f s%n",
            byKind.get("jit") / 1000, byKind.get("gc") / 1000, byKind.get("other") / 1000);
        return new Result(
            s.leads(),
            seconds,
            (cpuEnd - cpuStart) / (2.0 * total),
            stats.heapMaxMb(),
            stats.rssMaxMb(),
            calls,
            rescoreSeconds,
            rescoreCalls,
            p99,
            sorted.size(),
            lost,
            duplicates,
            paths,
            baselineMs);
      } finally {
        stats.stop();
        aix.stop(children);
      }
    } finally {
      if (System.getenv("AIX_BENCH_KEEP_DB") == null) {
        aix.dropDatabase();
      }
    }
  }

  /** {@link CpuBaseline} over up to 2,000 of the CRMs' records as their APIs serve them. */
  private static double baseline(List<Crm> crms) {
    List<String> sample = new ArrayList<>();
    for (Crm crm : crms) {
      for (String id : crm.ids().subList(0, Math.min(2_000, crm.ids().size()))) {
        JsonNode r = crm.read().apply(id);
        if (r != null) {
          sample.add(r.toString());
        }
      }
    }
    return CpuBaseline.msPerRecord(sample, 1_000, 15);
  }

  private JsonNode contact(String id) {
    Map<String, String> c = portal.contact(id);
    if (c == null) {
      return null;
    }
    ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    c.forEach(o::put);
    return o;
  }

  private static String scoreField(String crm) {
    return crm.equals("salesforce") ? "AIX_Score__c" : "aix_score";
  }

  private static String versionField(String crm) {
    return crm.equals("salesforce") ? "AIX_Model_Version__c" : "aix_model_version";
  }

  /**
   * Waits until AIX's calls to the CRMs are down to its idle polls: at most 4 in the last 30 s
   * (HubSpot's poll every 15 s, Salesforce's every minute), sampled every 5 s; at most 5 min.
   * (Before HubSpot's poll moved its offset to a window's end, it never got there after a mass
   * import: every cycle searched the import's last two minutes again.)
   */
  private void awaitQuiet(List<Crm> crms, String pass) throws InterruptedException {
    long start = System.nanoTime();
    java.util.ArrayDeque<Long> window = new java.util.ArrayDeque<>();
    long lastLog = start;
    while (true) {
      long total = calls(crms).values().stream().mapToLong(Long::longValue).sum();
      window.addLast(total);
      if (window.size() > 7) {
        window.removeFirst();
      }
      long recent = total - window.peekFirst();
      long waited = System.nanoTime() - start;
      if (window.size() == 7 && recent <= 4) {
        log.printf(
            "%s: AIX quiet after %.0f s more (its own writes read back)%n", pass, waited / 1e9);
        return;
      }
      if (waited > Duration.ofMinutes(5).toNanos()) {
        log.printf(
            "%s: AIX still making %d calls in 30 s after 5 min (not quiet; counted in the pass)%n",
            pass, recent);
        return;
      }
      if (System.nanoTime() - lastLog > 30_000_000_000L) {
        log.printf("%s: waiting for AIX to go quiet: %d calls in the last 30 s%n", pass, recent);
        lastLog = System.nanoTime();
      }
      Thread.sleep(5_000);
    }
  }

  private Map<String, Long> calls(List<Crm> crms) {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (Crm crm : crms) {
      out.put(crm.name(), crm.name().equals("salesforce") ? org.apiCalls() : portal.apiCalls());
    }
    return out;
  }

  private static Map<String, Long> minus(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    a.forEach((k, v) -> out.put(k, v - b.getOrDefault(k, 0L)));
    return out;
  }

  /**
   * Salesforce calls by kind, and what they add up to by path: Bulk API 2.0 (the mass path, which
   * the goal of 100 calls a million is about) apart from the REST calls (the real-time path: the
   * simulated user's changes, each read and written, and the polls' first pages).
   */
  static String byPath(Map<String, Long> kinds) {
    long bulk = 0;
    long rest = 0;
    for (Map.Entry<String, Long> e : kinds.entrySet()) {
      if (e.getKey().contains(" jobs/")) {
        bulk += e.getValue();
      } else {
        rest += e.getValue();
      }
    }
    return "Bulk API 2.0 " + bulk + ", REST " + rest + " " + kinds;
  }

  /** The calls by kind so far: which paths were taken. */
  private String kinds(List<Crm> crms) {
    List<String> out = new ArrayList<>();
    for (Crm crm : crms) {
      if (crm.name().equals("salesforce")) {
        out.add(
            "salesforce: "
                + org.bulkJobs("query")
                + " bulk query job(s), "
                + org.bulkJobs("ingest")
                + " ingest job(s), "
                + org.writeCalls()
                + " REST write call(s)");
      } else {
        out.add(
            "hubspot: "
                + portal.searchCalls()
                + " search(es), "
                + portal.exportsStarted()
                + " export(s) in "
                + portal.exportCalls()
                + " call(s), "
                + portal.importsStarted()
                + " import(s) in "
                + portal.importCalls()
                + " call(s), "
                + portal.batchUpdateCalls()
                + " batch update(s), "
                + (portal.burstRefused() + portal.searchesRefused())
                + " 429(s)");
      }
    }
    return String.join("; ", out);
  }

  /**
   * A promotion as {@code POST /api/v1/models/.../promote} makes it: a new scoring version (here
   * the rules profile's, picked up by AIX's hot reload) and every stored lead asked to be scored
   * again from the state AIX stored (the statement ModelStore.promote runs).
   */
  private void promote(List<Crm> crms) throws Exception {
    Path rules = work.resolve("config/crm-profiles/scoring/default-rules.yaml");
    String text = Files.readString(rules);
    Files.writeString(rules, text.replaceFirst("(?m)^version: 1$", "version: 2"));
    // Hot reload reads the change within seconds; then every stored lead is asked for again.
    Thread.sleep(5_000);
    try (var c = aix.db();
        var st = c.createStatement()) {
      for (Crm crm : crms) {
        String profile = crm.name().equals("salesforce") ? PROFILE : HS_PROFILE;
        String object = crm.name().equals("salesforce") ? "Lead" : "contacts";
        st.execute(
            io.aix.persistence.ModelStore.RESCORE_ALL
                .replace(":p", "'" + profile + "'")
                .replace(":o", "'" + object + "'")
                .replace(":t", "now()"));
      }
    }
  }

  /** The port a started AIX process serves on, as Quarkus logs it ("Listening on: ..."). */
  private static int httpPort(AixProcesses.Child child) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("Listening on: https?://[^:\\s]+:(\\d+)")
            .matcher(child.log());
    if (!m.find()) {
      throw new IllegalStateException("AIX did not log the port it listens on: " + child.logFile());
    }
    return Integer.parseInt(m.group(1));
  }

  /** Waits up to a minute for AIX to log its change event subscription's confirmation. */
  private void awaitSubscription(AixProcesses.Child child) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    while (!child.log().contains(": change events subscribed on ")) {
      if (System.nanoTime() > deadline) {
        log.println("AIX did not log its change event subscription within a minute; going on");
        return;
      }
      Thread.sleep(100);
    }
  }

  /** The wall-clock time (UTC) of a change made at {@code nanos} (System.nanoTime), to look up. */
  private static String changedAt(long nanos) {
    return java.time.LocalTime.now(java.time.ZoneOffset.UTC)
        .minusNanos(System.nanoTime() - nanos)
        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
        .toString();
  }

  /** The q-quantile of sorted values (nearest rank), NaN of none. */
  static double quantile(List<Double> sorted, double q) {
    return sorted.isEmpty()
        ? Double.NaN
        : sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
  }

  /**
   * A user's change a second to one of the CRMs' records, each timed until the CRM shows the score
   * of that version or a later one: AIX has taken a version at least as new as the change ({@code
   * lead.crm_modified_at}) and the CRM shows its latest score ({@code written_version >=
   * score_version}; a change that leaves the score as it was counts when AIX has seen that). A new
   * stamp in the CRM alone would count a bulk job's score of the version before the change. The
   * changes slower than 5 s are kept by record and time of change ({@code slowest}) to look into.
   */
  private Thread changes(
      List<Crm> crms, AtomicBoolean running, List<Double> seconds, Map<String, Double> slowest) {
    Thread t =
        new Thread(
            () -> {
              Map<String, Long> pending = new ConcurrentHashMap<>();
              // When AIX had taken the change's version (scored it), the rest being its write.
              Map<String, Long> taken = new ConcurrentHashMap<>();
              Map<String, String> stamp = new ConcurrentHashMap<>();
              int turn = 0;
              java.sql.Connection db;
              java.sql.PreparedStatement shown;
              try {
                db = aix.db();
                shown =
                    db.prepareStatement(
                        "select count(*) filter (where written_version >= score_version), count(*)"
                            + " from lead where crm_id = ? and crm_modified_at >= ?::timestamptz");
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
              while (running.get() || !pending.isEmpty()) {
                if (running.get()) {
                  Crm crm = crms.get(turn++ % crms.size());
                  String id = crm.ids().get(ThreadLocalRandom.current().nextInt(crm.ids().size()));
                  String key = crm.name() + ":" + id;
                  if (!pending.containsKey(key)) {
                    JsonNode r = crm.read().apply(id);
                    boolean sf = crm.name().equals("salesforce");
                    String title =
                        r.path(sf ? "Title" : "jobtitle").asText("").contains("Intern")
                            ? "Chief Executive Officer"
                            : "Sales Intern";
                    pending.put(key, System.nanoTime());
                    if (sf) {
                      org.update("Lead", id, Map.of("Title", title));
                    } else {
                      portal.updateContact(id, Map.of("jobtitle", title), "CRM_UI");
                    }
                    JsonNode changed = crm.read().apply(id);
                    stamp.put(
                        key, changed.path(sf ? "SystemModstamp" : "lastmodifieddate").asText());
                  }
                }
                long now = System.nanoTime();
                for (Map.Entry<String, Long> e : List.copyOf(pending.entrySet())) {
                  String id = e.getKey().substring(e.getKey().indexOf(':') + 1);
                  boolean seen;
                  try {
                    shown.setString(1, id);
                    shown.setString(2, stamp.get(e.getKey()));
                    try (java.sql.ResultSet rs = shown.executeQuery()) {
                      seen = rs.next() && rs.getLong(1) > 0;
                      if (rs.getLong(2) > 0) {
                        taken.putIfAbsent(e.getKey(), now);
                      }
                    }
                  } catch (java.sql.SQLException ex) {
                    throw new IllegalStateException(ex);
                  }
                  if (seen) {
                    double took = (now - e.getValue()) / 1e9;
                    seconds.add(took);
                    if (took > 5) {
                      slowest.put(
                          e.getKey()
                              + "@"
                              + changedAt(e.getValue())
                              + String.format(
                                  " (taken by AIX after %.1f s)",
                                  (taken.getOrDefault(e.getKey(), now) - e.getValue()) / 1e9),
                          took);
                    }
                    pending.remove(e.getKey());
                    taken.remove(e.getKey());
                  } else if (now - e.getValue() > 120e9) {
                    seconds.add(120.0); // not seen in two minutes: counted at the cap
                    slowest.put(e.getKey() + "@" + changedAt(e.getValue()), 120.0);
                    pending.remove(e.getKey());
                    taken.remove(e.getKey());
                  }
                }
                try {
                  Thread.sleep(running.get() ? 1_000 : 100);
                } catch (InterruptedException ex) {
                  return;
                }
              }
              try {
                db.close();
              } catch (java.sql.SQLException ignored) {
                // the run's figures are taken; nothing more is read
              }
            },
            "scale-bench-changes");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until every lead of every CRM satisfies the check, printing progress. */
  private void awaitAll(
      List<Crm> crms, java.util.function.BiPredicate<String, JsonNode> done, String what, int total)
      throws InterruptedException {
    Progress progress = new Progress(log, what, total);
    // Each round reads only the records not yet done: the bench shares the machine with AIX, and
    // reading a million records every 2 s would take CPU the run measures AIX without.
    Map<String, List<String>> pending = new java.util.LinkedHashMap<>();
    crms.forEach(crm -> pending.put(crm.name(), new ArrayList<>(crm.ids())));
    int n = 0;
    while (true) {
      for (Crm crm : crms) {
        List<String> left = pending.get(crm.name());
        int before = left.size();
        left.removeIf(
            id -> {
              JsonNode r = crm.read().apply(id);
              return r != null && done.test(crm.name(), r);
            });
        n += before - left.size();
      }
      progress.at(n);
      if (n == total) {
        progress.done();
        return;
      }
      Thread.sleep(2_000);
    }
  }

  /**
   * CPU, heap and resident memory of one process, from /proc and jstat, sampled every 2 s. One
   * {@code jstat} runs for the whole measurement and prints a line every 2 s: starting one a sample
   * cost a JVM's start-up every 2 s, a quarter of a core taken from the two the run shares.
   */
  static final class ProcessStats {
    private final long pid;
    private volatile long heapMaxKb;
    private volatile long rssMaxKb;
    private volatile boolean running;
    private Thread sampler;
    private Process jstat;

    ProcessStats(long pid) {
      this.pid = pid;
    }

    void start() throws IOException {
      running = true;
      jstat =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                  "-gc",
                  String.valueOf(pid),
                  "2000")
              .redirectErrorStream(true)
              .start();
      sampler =
          new Thread(
              () -> {
                try (java.io.BufferedReader out =
                    new java.io.BufferedReader(
                        new java.io.InputStreamReader(jstat.getInputStream()))) {
                  List<String> names = null;
                  for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (!running) {
                      return;
                    }
                    if (names == null || line.trim().startsWith("S0C")) {
                      names = List.of(line.trim().split("\\s+"));
                      continue;
                    }
                    sample(names, line.trim().split("\\s+"));
                  }
                } catch (IOException e) {
                  // jstat stopped with the process
                }
              },
              "scale-bench-stats");
      sampler.setDaemon(true);
      sampler.start();
    }

    void stop() {
      running = false;
      if (jstat != null) {
        jstat.destroy();
      }
      if (sampler != null) {
        sampler.interrupt();
      }
    }

    /** User plus system CPU of the process, in milliseconds (from /proc/PID/stat). */
    double cpuMillis() throws IOException {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    /**
     * CPU milliseconds of the process's threads by kind, from /proc/PID/task/TID (their {@code
     * comm} names): {@code jit} the JIT compilers' threads, {@code gc} the collector's, {@code
     * other} the rest (AIX's own work and the libraries it runs on). A thread that ended is in none
     * of them; the bench keeps the compiler threads alive ({@code
     * -XX:-UseDynamicNumberOfCompilerThreads}) so theirs is counted.
     */
    Map<String, Double> cpuMillisByKind() throws IOException {
      Map<String, Double> out =
          new java.util.TreeMap<>(Map.of("jit", 0.0, "gc", 0.0, "other", 0.0));
      try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
        for (Path task : tasks.toList()) {
          try {
            String comm = Files.readString(task.resolve("comm")).trim();
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000.0 / 100;
            String kind =
                comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")
                    ? "jit"
                    : comm.startsWith("GC Thread")
                            || comm.startsWith("G1 ")
                            || comm.equals("VM Thread")
                        ? "gc"
                        : "other";
            out.merge(kind, ms, Double::sum);
          } catch (IOException | RuntimeException e) {
            // the thread ended between the listing and the read
          }
        }
      }
      return out;
    }

    long heapMaxMb() {
      return heapMaxKb / 1024;
    }

    long rssMaxMb() {
      return rssMaxKb / 1024;
    }

    /** One jstat line: heap used (survivors, eden, old), and the process's RSS from /proc. */
    private void sample(List<String> names, String[] values) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rssMaxKb = Math.max(rssMaxKb, Long.parseLong(line.replaceAll("\\D", "")));
          }
        }
        double used = 0;
        for (String col : List.of("S0U", "S1U", "EU", "OU")) {
          int i = names.indexOf(col);
          if (i >= 0 && i < values.length) {
            used += Double.parseDouble(values[i]);
          }
        }
        heapMaxKb = Math.max(heapMaxKb, (long) used);
      } catch (IOException | RuntimeException e) {
        // the process ended between two samples
      }
    }
  }
}
