package io.aix.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.bench.LatencyBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "latency",
    mixinStandardHelpOptions = true,
    description =
        "Seconds from a CRM change to the new score readable in the CRM, and from an engagement"
            + " signal to the rep's task: AIX as a real process (the packaged application) on a"
            + " sandbox org with Change Data Capture, which answers every API call after"
            + " --api-latency-ms and publishes each change event --event-delay-ms after its commit."
            + " Records change at a steady rate; then signals are posted to POST /api/v1/signals."
            + " Prints p50/p95/p99 and ends with one JSON line. Needs PostgreSQL on AIX_DB_HOST"
            + " (default 127.0.0.1) with the right to create a database.")
public class BenchLatencyCommand implements Callable<Integer> {
  @Option(names = "--leads", defaultValue = "300", description = "Leads in the org.")
  int leads;

  @Option(names = "--changes", defaultValue = "300", description = "Record changes to time.")
  int changes;

  @Option(names = "--signals", defaultValue = "100", description = "Signals to time.")
  int signals;

  @Option(names = "--rate", defaultValue = "5", description = "Changes (and signals) per second.")
  double rate;

  @Option(
      names = "--api-latency-ms",
      defaultValue = "120",
      description = "The org's answer time per REST call (Salesforce in-region: about 100-200 ms).")
  int apiLatencyMs;

  @Option(
      names = "--event-delay-ms",
      defaultValue = "300",
      description = "From a commit to its change event reaching subscribers.")
  int eventDelayMs;

  @ConfigProperty(name = "aix.config-dir", defaultValue = ".")
  String configDir;

  @Override
  public Integer call() throws Exception {
    LatencyBench bench =
        new LatencyBench(
            Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath(),
            Path.of(configDir).toAbsolutePath(),
            System.getenv().getOrDefault("AIX_DB_HOST", "127.0.0.1"),
            Integer.parseInt(System.getenv().getOrDefault("AIX_DB_PORT", "5432")),
            System.getenv().getOrDefault("AIX_DB_USER", "postgres"),
            System.err);
    LatencyBench.Result r =
        bench.run(
            new LatencyBench.Settings(
                leads,
                changes,
                rate,
                signals,
                Duration.ofMillis(apiLatencyMs),
                Duration.ofMillis(eventDelayMs)));
    LatencyBench.Timings c = r.changeToScore();
    LatencyBench.Timings s = r.signalToTask();
    System.out.printf(
        "sandbox: %d ms per API call, change events published %d ms after commit; floor %.2f s"
            + " (event delay + one read + one write)%n",
        apiLatencyMs, eventDelayMs, r.floorSeconds());
    System.out.printf(
        "change -> score readable in the CRM: %d changes, p50 %.2f s, p95 %.2f s, p99 %.2f s"
            + " (p50 %.1fx the floor), %d not seen within 30 s%n",
        c.seconds().size(),
        c.percentile(50),
        c.percentile(95),
        c.percentile(99),
        c.percentile(50) / r.floorSeconds(),
        c.missing());
    System.out.printf(
        "signal -> task in the CRM: %d signals, p50 %.2f s, p95 %.2f s, p99 %.2f s, %d not seen"
            + " within 30 s%n",
        s.seconds().size(), s.percentile(50), s.percentile(95), s.percentile(99), s.missing());
    ObjectNode line = new ObjectMapper().createObjectNode();
    line.put("change_to_score_p50_s", round(c.percentile(50)));
    line.put("change_to_score_p99_s", round(c.percentile(99)));
    line.put("signal_to_task_p99_s", round(s.percentile(99)));
    line.put("events", c.seconds().size() + s.seconds().size());
    System.out.println(line);
    return c.missing() == 0 && s.missing() == 0 ? 0 : 1;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }
}
