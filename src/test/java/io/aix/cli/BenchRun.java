package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./aix bench ...} as the script runs it: the packaged application, demo profile, no
 * migrations of its own. Waits for it, and hands back what it printed.
 */
record BenchRun(int exit, List<String> lines, String stderr) {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  static BenchRun of(Duration timeout, String... benchArgs) throws Exception {
    assertThat(JAR).exists();
    Path out = Files.createTempFile("aix-bench", ".out");
    Path err = Files.createTempFile("aix-bench", ".err");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=0",
                "-Dquarkus.flyway.migrate-at-start=false",
                "-Dquarkus.flyway.clean-at-start=false",
                "-Dquarkus.hibernate-orm.schema-management.strategy=none",
                "-jar",
                JAR.toString(),
                "bench"));
    command.addAll(List.of(benchArgs));
    Process bench =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean finished = bench.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      bench.destroyForcibly().waitFor();
    }
    String stderr = Files.readString(err);
    assertThat(finished).as("finished; stderr:\n%s", stderr).isTrue();
    return new BenchRun(bench.exitValue(), Files.readAllLines(out), stderr);
  }

  /** The JSON object every benchmark ends with. */
  JsonNode summary() throws Exception {
    assertThat(lines).as("output; stderr:\n%s", stderr).isNotEmpty();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }
}
