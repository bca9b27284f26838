package io.aix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.SalesforceSandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The scale benchmark: a backfill of N Salesforce leads from the first poll until every lead's
 * score is in the org, then a model promotion that re-scores them all. The sandbox org runs in this
 * process with a set latency per REST call and Bulk API 2.0 jobs that take their time; AIX is a
 * real, separate process (the packaged application), whose CPU is read from /proc for it alone.
 * During the backfill one lead a second is changed by a user, and each change is timed until its
 * new score is in the org (change data capture: the real-time path).
 */
public final class ScaleBench {
  static final String PROFILE = "bench-scale";

  /**
   * @param apiLatency added to every REST call the org answers
   * @param jobStart a Bulk API 2.0 job's fixed start
   * @param jobPer10k a Bulk API 2.0 job's time per 10,000 records
   */
  public record Settings(
      int leads, Duration apiLatency, Duration jobStart, Duration jobPer10k, int heapLimitMb) {}

  /** The figures of one run. */
  public record Result(
      int leads,
      double seconds,
      double aixCpuMsPerLead,
      long heapMaxMb,
      long rssMaxMb,
      long apiCalls,
      double rescoreSeconds,
      long rescoreApiCalls,
      double cdcP99Seconds,
      int cdcChanges,
      long lost,
      long duplicates,
      long bulkQueryJobs,
      long bulkIngestJobs,
      long restWriteCalls) {}

  private final AixProcesses aix;
  private final Path work;
  private final PrintStream log;
  private final SalesforceOrg org =
      new SalesforceOrg(AixProcesses.CLIENT_ID, AixProcesses.CLIENT_SECRET, Clock.systemUTC());

  public ScaleBench(
      Path jar, Path configSource, String dbHost, int dbPort, String dbUser, PrintStream log)
      throws IOException {
    this.aix =
        new AixProcesses(
            jar, configSource, dbHost, dbPort, dbUser, "aix_bench_scale", PROFILE, log);
    this.work = aix.work();
    this.log = log;
  }

  static final String PROFILE_YAML =
      AixProcesses.salesforceProfile(
          PROFILE,
          "The scale benchmark's sandbox org",
          "{ name: Lead, mapping: salesforce-lead, changes: cdc, every: 1m, overlap: 2m }",
          200,
          "");

  public Result run(Settings s) throws Exception {
    aix.writeConfig(PROFILE_YAML);
    org.dailyApiLimit(100_000_000);
    org.bulkTiming(s.jobStart(), s.jobPer10k());
    LeadGenerator generator = new LeadGenerator(4242, Clock.systemUTC());
    List<String> ids = new ArrayList<>(s.leads());
    Progress seeding = new Progress(log, "seeding the org", s.leads());
    for (int i = 0; i < s.leads(); i++) {
      ids.add(org.seed("Lead", generator.lead()));
      seeding.at(i + 1);
    }
    seeding.done();
    try (SalesforceSandbox sandbox = new SalesforceSandbox(org, 0).start()) {
      org.faults().latency((int) s.apiLatency().toMillis());
      aix.resetDatabase();
      long callsBefore = org.apiCalls();
      long queryJobsBefore = org.bulkJobs("query");
      long ingestJobsBefore = org.bulkJobs("ingest");
      long restWritesBefore = org.writeCalls();
      // The heap goal is a limit the process runs under: if AIX needed more, it would fail.
      aix.jvmOptions(List.of("-Xmx" + s.heapLimitMb() + "m"));
      List<AixProcesses.Child> children =
          aix.start(
              1, sandbox.baseUrl(), Map.of("quarkus.http.port", "0", "aix.ui.enabled", "false"));
      AixProcesses.Child child = children.get(0);
      ProcessStats stats = new ProcessStats(child.process().pid());
      stats.start();
      try {
        // Backfill, with a user's change a second timed on the real-time path meanwhile.
        long start = System.nanoTime();
        double cpuStart = stats.cpuMillis();
        AtomicBoolean backfilling = new AtomicBoolean(true);
        List<Double> cdc = Collections.synchronizedList(new ArrayList<>());
        Thread changer = changes(ids, backfilling, cdc);
        awaitAll(ids, r -> r.hasNonNull("AIX_Score__c"), "backfill: scores in the org", s.leads());
        double seconds = (System.nanoTime() - start) / 1e9;
        backfilling.set(false);
        changer.join();
        long calls = org.apiCalls() - callsBefore;
        // Let the last echoes pass, then re-score everything: promote a new scoring version.
        Thread.sleep(5_000);
        double cpuMid = stats.cpuMillis();
        long callsMid = org.apiCalls();
        long rescoreStart = System.nanoTime();
        promote();
        String promoted = "rules:default-rules@2";
        awaitAll(
            ids,
            r -> promoted.equals(r.path("AIX_Model_Version__c").asText()),
            "re-score after a promotion",
            s.leads());
        double rescoreSeconds = (System.nanoTime() - rescoreStart) / 1e9;
        long rescoreCalls = org.apiCalls() - callsMid;
        double cpuEnd = stats.cpuMillis();
        stats.stop();
        long lost =
            ids.stream().filter(id -> !org.record("Lead", id).hasNonNull("AIX_Score__c")).count();
        long duplicates =
            aix.count(
                "select count(*) from (select crm_id, version from score group by crm_id, version"
                    + " having count(*) > 1) d");
        List<Double> sorted = cdc.stream().sorted().toList();
        double p99 =
            sorted.isEmpty()
                ? Double.NaN
                : sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1));
        log.printf(
            "AIX CPU: %.0f s for the backfill, %.0f s for the re-score (of %d leads)%n",
            (cpuMid - cpuStart) / 1000, (cpuEnd - cpuMid) / 1000, s.leads());
        return new Result(
            s.leads(),
            seconds,
            (cpuEnd - cpuStart) / (2.0 * s.leads()),
            stats.heapMaxMb(),
            stats.rssMaxMb(),
            calls,
            rescoreSeconds,
            rescoreCalls,
            p99,
            sorted.size(),
            lost,
            duplicates,
            org.bulkJobs("query") - queryJobsBefore,
            org.bulkJobs("ingest") - ingestJobsBefore,
            org.writeCalls() - restWritesBefore);
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

  /**
   * A promotion as {@code POST /api/v1/models/.../promote} makes it: a new scoring version (here
   * the rules profile's, picked up by AIX's hot reload) and intake reset so that the next poll
   * reads every record again (the same statements ModelStore.promote runs).
   */
  private void promote() throws Exception {
    Path rules = work.resolve("config/crm-profiles/scoring/default-rules.yaml");
    String text = Files.readString(rules);
    Files.writeString(rules, text.replaceFirst("(?m)^version: 1$", "version: 2"));
    // Hot reload reads the change within seconds; then intake starts over.
    Thread.sleep(5_000);
    try (var c = aix.db();
        var st = c.createStatement()) {
      st.execute(
          "delete from processed_event where profile_id = '"
              + PROFILE
              + "' and stream = 'Lead:poll'");
      st.execute(
          "delete from source_offset where profile_id = '"
              + PROFILE
              + "' and stream = 'Lead:poll'");
    }
  }

  /** One user change a second, each timed until the org shows its new score. */
  private Thread changes(List<String> ids, AtomicBoolean running, List<Double> seconds) {
    Thread t =
        new Thread(
            () -> {
              Map<String, Long> pending = new ConcurrentHashMap<>();
              Map<String, String> before = new ConcurrentHashMap<>();
              while (running.get() || !pending.isEmpty()) {
                if (running.get()) {
                  String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                  if (!pending.containsKey(id)) {
                    JsonNode r = org.record("Lead", id);
                    String title =
                        r.path("Title").asText("").contains("Intern")
                            ? "Chief Executive Officer"
                            : "Sales Intern";
                    before.put(id, r.path("AIX_Scored_At__c").asText(""));
                    pending.put(id, System.nanoTime());
                    org.update("Lead", id, Map.of("Title", title));
                  }
                }
                long now = System.nanoTime();
                for (Map.Entry<String, Long> e : List.copyOf(pending.entrySet())) {
                  JsonNode r = org.record("Lead", e.getKey());
                  boolean seen =
                      !r.path("AIX_Scored_At__c").asText("").equals(before.get(e.getKey()));
                  if (seen) {
                    seconds.add((now - e.getValue()) / 1e9);
                    pending.remove(e.getKey());
                  } else if (now - e.getValue() > 120e9) {
                    seconds.add(120.0); // not seen in two minutes: counted at the cap
                    pending.remove(e.getKey());
                  }
                }
                try {
                  Thread.sleep(running.get() ? 1_000 : 100);
                } catch (InterruptedException ex) {
                  return;
                }
              }
            },
            "scale-bench-changes");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until every lead satisfies the check, printing progress. */
  private void awaitAll(List<String> ids, Predicate<ObjectNode> done, String what, int total)
      throws InterruptedException {
    Progress progress = new Progress(log, what, total);
    while (true) {
      int n = 0;
      for (String id : ids) {
        if (done.test(org.record("Lead", id))) {
          n++;
        }
      }
      progress.at(n);
      if (n == total) {
        progress.done();
        return;
      }
      Thread.sleep(2_000);
    }
  }

  /** CPU, heap and resident memory of one process, from /proc and jstat, sampled every 2 s. */
  static final class ProcessStats {
    private final long pid;
    private volatile long heapMaxKb;
    private volatile long rssMaxKb;
    private volatile boolean running;
    private Thread sampler;

    ProcessStats(long pid) {
      this.pid = pid;
    }

    void start() {
      running = true;
      sampler =
          new Thread(
              () -> {
                while (running) {
                  sample();
                  try {
                    Thread.sleep(2_000);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "scale-bench-stats");
      sampler.setDaemon(true);
      sampler.start();
    }

    void stop() {
      running = false;
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

    long heapMaxMb() {
      return heapMaxKb / 1024;
    }

    long rssMaxMb() {
      return rssMaxKb / 1024;
    }

    private void sample() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rssMaxKb = Math.max(rssMaxKb, Long.parseLong(line.replaceAll("\\D", "")));
          }
        }
        Process jstat =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                    "-gc",
                    String.valueOf(pid))
                .redirectErrorStream(true)
                .start();
        List<String> out = new String(jstat.getInputStream().readAllBytes()).lines().toList();
        jstat.waitFor();
        if (out.size() >= 2) {
          List<String> names = List.of(out.get(0).trim().split("\\s+"));
          String[] values = out.get(1).trim().split("\\s+");
          double used = 0;
          for (String col : List.of("S0U", "S1U", "EU", "OU")) {
            int i = names.indexOf(col);
            if (i >= 0 && i < values.length) {
              used += Double.parseDouble(values[i]);
            }
          }
          heapMaxKb = Math.max(heapMaxKb, (long) used);
        }
      } catch (IOException | RuntimeException e) {
        // the process ended between two samples
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
