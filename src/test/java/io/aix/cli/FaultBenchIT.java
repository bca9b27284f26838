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
 * The reliability suite at CI size, through the real command ({@code ./aix bench faults}): SIGKILLs
 * during a run, 20% failing API calls, a PostgreSQL restart and fuzzed records, against the
 * packaged application. Nothing lost, nothing written twice, nothing crashes.
 */
class FaultBenchIT {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  @Test
  void killsFaultsARestartAndFuzzLoseNothingAndDoubleNothing() throws Exception {
    assertThat(JAR).exists();
    Path out = Files.createTempFile("aix-bench-faults", ".out");
    Path err = Files.createTempFile("aix-bench-faults", ".err");
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
                "faults",
                "--leads=1500",
                "--kills=3",
                "--fault-leads=1000",
                "--pg-leads=600",
                "--fuzzed=1000")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean finished = bench.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      bench.destroyForcibly();
    }
    String stderr = Files.readString(err);
    assertThat(finished).as("finished; stderr:\n%s", stderr).isTrue();
    List<String> lines = Files.readAllLines(out);
    JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(summary.path("kills").asInt()).isEqualTo(3);
    assertThat(summary.path("lost").asInt()).as("lost; %s\n%s", lines, stderr).isZero();
    assertThat(summary.path("duplicates").asInt()).as("duplicates; %s", lines).isZero();
    assertThat(summary.path("crashes").asInt()).as("crashes; %s", lines).isZero();
    assertThat(summary.path("fuzz_misclassified").asInt()).as("misclassified; %s", lines).isZero();
    assertThat(summary.path("fuzz_dead_lettered").asInt()).isPositive();
    assertThat(summary.path("calls_ratio").asDouble())
        .as("API calls with 20%% failing, against fault-free; %s", lines)
        .isBetween(1.0, 1.3);
    assertThat(bench.exitValue()).as("exit; stdout %s", lines).isZero();
  }
}
