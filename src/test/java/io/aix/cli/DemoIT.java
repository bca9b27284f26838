package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's main job, run as a user runs it: the packaged application, {@code demo --leads 1000
 * --exit}, on the demo profile. Its last line of standard output is the JSON summary of
 * ARCHITECTURE.md, with {@code written_back} counted from the sandbox org's own API.
 */
class DemoIT {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

  /** One finished (or timed-out) demo run: its standard output and error. */
  record Run(boolean finished, int exit, String out, String err) {}

  /** {@code demo --leads N --exit} of the packaged application, with extra system properties. */
  static Run demo(int leads, String... properties) throws IOException, InterruptedException {
    assertThat(JAR).as("the packaged application (mvn package runs before failsafe)").exists();
    Path out = Files.createTempFile("aix-demo", ".out");
    Path err = Files.createTempFile("aix-demo", ".err");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=0",
                "-Daix.cluster.file-root=target/demo-it-cluster"));
    command.addAll(List.of(properties));
    command.addAll(
        List.of("-jar", JAR.toString(), "demo", "--leads", String.valueOf(leads), "--exit"));
    Process demo =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean finished = demo.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      demo.destroyForcibly();
    }
    return new Run(
        finished, finished ? demo.exitValue() : -1, Files.readString(out), Files.readString(err));
  }

  @BeforeAll
  static void demoDatabaseExists() throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
        Statement s = c.createStatement()) {
      var r = s.executeQuery("select 1 from pg_database where datname = 'aix_demo'");
      if (!r.next()) {
        s.execute("create database aix_demo");
      }
    }
  }

  @Test
  void demoOf1000LeadsPerCrmScoresWritesBackAndCreatesTasksWithinTheApiBudgets()
      throws IOException, InterruptedException {
    Run run = demo(1000);
    assertThat(run.finished())
        .as("demo finished within 5 minutes; stderr:\n%s", run.err())
        .isTrue();
    assertThat(run.exit()).as("exit code; stderr:\n%s", run.err()).isZero();

    List<String> lines = run.out().lines().toList();
    assertThat(lines).as("standard output").isNotEmpty();
    JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(summary.path("leads").asInt()).isEqualTo(1000);
    assertThat(summary.path("scored").asInt())
        .as("1,000 Salesforce leads and 1,000 HubSpot contacts")
        .isEqualTo(2000);
    assertThat(summary.path("written_back").asInt())
        .as("read back from the sandbox org's and portal's own APIs")
        .isEqualTo(2000);
    assertThat(summary.path("api_calls").path("salesforce").asInt())
        .as("5 write calls, queries, the token, the signalled leads' read and their task batch")
        .isBetween(9, 17);
    assertThat(summary.path("api_calls").path("hubspot").asInt())
        .as("10 batch updates, 6 searches, the property install and the task batches")
        .isBetween(15, 25);
    assertThat(summary.path("tasks").asInt())
        .as(
            "hot contacts got a task in the portal; the 100 leads the website signalled, one in the org")
        .isGreaterThan(100);
    assertThat(summary.path("signals").asInt())
        .as("the website's 200 signals and the engagement HubSpot recorded on contacts")
        .isGreaterThan(200);
    assertThat(summary.path("dead_letters").asInt()).isZero();
    assertThat(summary.path("seconds").asDouble()).isPositive();
    assertThat(summary.fieldNames())
        .toIterable()
        .containsExactly(
            "leads",
            "scored",
            "written_back",
            "tasks",
            "signals",
            "api_calls",
            "dead_letters",
            "seconds");
    assertThat(lines)
        .as("ten sample leads are printed")
        .anyMatch(l -> l.startsWith("Ten leads as the sandbox CRMs' own APIs"));
  }

  /**
   * A full demo run with AIX, Camel Salesforce and the REST clients logging at DEBUG, request
   * headers included (what an admin switches on to chase a CRM problem): neither output holds a
   * credential, token, secret key or private key. The masked Authorization headers show the logging
   * was on and the redaction did its work.
   */
  @Test
  void aDemoRunLoggingAtDebugLeaksNoSecret() throws IOException, InterruptedException {
    Run run =
        demo(
            200,
            "-Dquarkus.rest-client.logging.scope=request-response",
            "-Dquarkus.log.category.\"org.jboss.resteasy.reactive.client.logging\".level=DEBUG",
            "-Dquarkus.log.category.\"io.aix\".level=DEBUG",
            "-Dquarkus.log.category.\"org.apache.camel.component.salesforce\".level=DEBUG",
            "-Dquarkus.log.category.\"io.quarkus.oidc\".level=DEBUG");
    String log = run.out() + run.err();
    assertThat(run.finished()).as("demo finished; output:\n%s", log).isTrue();
    assertThat(run.exit()).as("exit code; output:\n%s", log).isZero();

    assertThat(log)
        .as("the sandbox CRMs' credentials and the sealing key")
        .doesNotContain(
            "aix-sandbox-secret",
            "pat-na1-aix-sandbox",
            "aix-hubspot-app-secret",
            "QUlYLXRlc3Qta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
            "PRIVATE KEY");
    assertThat(log).as("bearer tokens").doesNotContainPattern("(?i)bearer\\s+[^*\\s]");
    assertThat(log)
        .as("OAuth tokens in forms or JSON")
        .doesNotContainPattern(
            "(?i)(access_token|refresh_token|client_secret)\"?\\s*[=:]\\s*\"?[^*\"\\s]");
    assertThat(log).as("the debug logging was on, and masked").contains("Bearer ***");
  }
}
