package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The latency benchmark at CI size, as a user runs it: the packaged AIX on a sandbox org that
 * answers each call after 120 ms and publishes change events 300 ms after the commit. Every change
 * reaches the CRM as a new score, every signal as a task, and the last line is the contract's JSON.
 * The figures themselves are the benchmark's output, not this test's pass mark.
 */
class LatencyBenchIT {
  @Test
  void everyChangeReachesTheCrmAsAScoreAndEverySignalAsATask() throws Exception {
    BenchRun run =
        BenchRun.of(
            Duration.ofMinutes(6),
            "latency",
            "--leads",
            "120",
            "--changes",
            "100",
            "--signals",
            "40",
            "--rate",
            "5");
    List<String> lines = run.lines();
    assertThat(run.exit()).as("exit; stdout %s; stderr:\n%s", lines, run.stderr()).isZero();
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith(
                    "sandbox: 120 ms per API call, change events published 300 ms after commit"));
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith("change -> score readable in the CRM: 100 changes")
                    && l.endsWith("0 not seen within 30 s"));
    assertThat(lines)
        .anyMatch(
            l ->
                l.startsWith("signal -> task in the CRM: 40 signals")
                    && l.endsWith("0 not seen within 30 s"));
    JsonNode summary = run.summary();
    assertThat(summary.fieldNames())
        .toIterable()
        .containsExactly(
            "change_to_score_p50_s", "change_to_score_p99_s", "signal_to_task_p99_s", "events");
    assertThat(summary.path("events").asInt()).isEqualTo(140);
    double p50 = summary.path("change_to_score_p50_s").asDouble();
    double p99 = summary.path("change_to_score_p99_s").asDouble();
    assertThat(p50)
        .as("not below the sandbox's own floor (event delay + read + write)")
        .isGreaterThan(0.54);
    assertThat(p99).isGreaterThanOrEqualTo(p50);
    // The 2-second goal is the benchmark's to show (README); here only "seconds, not minutes",
    // so a loaded CI machine does not make the test flaky.
    assertThat(p99).as("change to score p99").isLessThan(10.0);
    assertThat(summary.path("signal_to_task_p99_s").asDouble())
        .as("signal to task p99")
        .isLessThan(10.0);
  }
}
