package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster benchmark at CI size: three packaged AIX processes, one shared sandbox org, one
 * database. Exactly one polls, and the others work the shared queue too; after it is killed with
 * SIGKILL another takes over; nothing is lost and no score is written twice.
 */
class ClusterBenchIT {
  @Test
  void oneLeaderTakeoverAfterSigkillNoLossNoDuplicates() throws Exception {
    // Four more processes start for the latency-bound timing: more time than the first phases.
    BenchRun run = BenchRun.of(Duration.ofMinutes(12), "cluster", "--leads", "400");
    List<String> lines = run.lines();
    assertThat(run.exit()).as("exit; stdout %s; stderr:\n%s", lines, run.stderr()).isZero();
    assertThat(lines).contains("leaders: 1 of 3 processes polled");
    JsonNode summary = run.summary();
    assertThat(summary.path("lost").asInt()).isZero();
    assertThat(summary.path("duplicates").asInt()).isZero();
    assertThat(summary.path("takeover_s").asDouble()).as("takeover").isBetween(0.0, 30.0);
    assertThat(summary.path("throughput_ratio_3v1").asDouble()).isPositive();
    assertThat(summary.path("throughput_ratio_3v1_latency_bound").asDouble())
        .as("reported beside the CPU-bound ratio")
        .isPositive();
    assertThat(summary.path("workers").asInt())
        .as("the queue's work is shared: more than the leader scored leads")
        .isBetween(2, 3);
  }
}
