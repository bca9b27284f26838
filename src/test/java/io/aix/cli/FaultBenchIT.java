package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reliability suite at CI size, through the real command ({@code ./aix bench faults}): SIGKILLs
 * during a run, 20% failing API calls, a PostgreSQL restart and fuzzed records, against the
 * packaged application. Nothing lost, nothing written twice, nothing crashes.
 */
class FaultBenchIT {
  @Test
  void killsFaultsARestartAndFuzzLoseNothingAndDoubleNothing() throws Exception {
    BenchRun run =
        BenchRun.of(
            Duration.ofMinutes(10),
            "faults",
            "--leads=1500",
            "--kills=3",
            "--fault-leads=1000",
            "--pg-leads=600",
            "--fuzzed=1000");
    List<String> lines = run.lines();
    String stderr = run.stderr();
    JsonNode summary = run.summary();
    assertThat(summary.path("kills").asInt()).isEqualTo(3);
    assertThat(summary.path("lost").asInt()).as("lost; %s\n%s", lines, stderr).isZero();
    assertThat(summary.path("duplicates").asInt()).as("duplicates; %s", lines).isZero();
    assertThat(summary.path("crashes").asInt()).as("crashes; %s", lines).isZero();
    assertThat(summary.path("fuzz_misclassified").asInt()).as("misclassified; %s", lines).isZero();
    assertThat(summary.path("fuzz_dead_lettered").asInt()).isPositive();
    assertThat(summary.path("calls_ratio").asDouble())
        .as("API calls with 20%% failing, against fault-free; %s", lines)
        .isBetween(1.0, 1.3);
    assertThat(run.exit()).as("exit; stdout %s", lines).isZero();
  }
}
