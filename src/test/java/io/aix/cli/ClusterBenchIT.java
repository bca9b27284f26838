package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cluster benchmark at CI size: three packaged AIX processes, one shared sandbox org, one
 * database. Exactly one polls, and the others work the shared queue too; after it is killed with
 * SIGKILL another takes over; nothing is lost and no score is written twice.
 */
class ClusterBenchIT {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  @Test
  void oneLeaderTakeoverAfterSigkillNoLossNoDuplicates() throws Exception {
    assertThat(JAR).exists();
    Path out = Files.createTempFile("aix-bench-cluster", ".out");
    Path err = Files.createTempFile("aix-bench-cluster", ".err");
    Process bench =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=0",
                "-Dquarkus.flyway.migrate-at-start=false",
                "-Dquarkus.flyway.clean-at-start=false",
                "-Dquarkus.hibernate-orm.schema-management.strategy=none",
                "-jar",
                JAR.toString(),
                "bench",
                "cluster",
                "--leads",
                "400")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean finished = bench.waitFor(8, TimeUnit.MINUTES);
    if (!finished) {
      bench.destroyForcibly();
    }
    String stderr = Files.readString(err);
    assertThat(finished).as("finished; stderr:\n%s", stderr).isTrue();
    List<String> lines = Files.readAllLines(out);
    assertThat(bench.exitValue()).as("exit; stdout %s; stderr:\n%s", lines, stderr).isZero();
    assertThat(lines).contains("leaders: 1 of 3 processes polled");
    JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(summary.path("lost").asInt()).isZero();
    assertThat(summary.path("duplicates").asInt()).isZero();
    assertThat(summary.path("takeover_s").asDouble()).as("takeover").isBetween(0.0, 30.0);
    assertThat(summary.path("throughput_ratio_3v1").asDouble()).isPositive();
    assertThat(summary.path("workers").asInt())
        .as("the queue's work is shared: more than the leader scored leads")
        .isBetween(2, 3);
  }
}
