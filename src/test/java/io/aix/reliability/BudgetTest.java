package io.aix.reliability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.pipeline.PipelineDriver;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API budget, end to end: a profile with {@code dailyApiBudget: 50} stops at exactly 50 calls
 * with work left in the queue, says so on {@code /q/health} (DEGRADED, with the reason), loses and
 * dead-letters nothing, and finishes when the window rolls. The window is shortened to 15 s in this
 * test's configuration so that it really rolls, on the real clock.
 */
@QuarkusTest
@TestProfile(BudgetTest.FiftyCalls.class)
class BudgetTest {
  static final String PROFILE = "budget-salesforce";
  static final long WINDOW_MILLIS = 15_000;

  /** The demo's configuration plus one Salesforce profile with a budget of 50 calls. */
  public static class FiftyCalls implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Path dir = Path.of("target/budget-config");
      try {
        for (String folder : new String[] {"routes", "mappings", "crm-profiles/scoring"}) {
          copy(Path.of(folder), dir.resolve(folder));
        }
        Files.writeString(
            dir.resolve("crm-profiles/" + PROFILE + ".yaml"),
            """
            id: budget-salesforce
            type: salesforce
            description: A sandbox org whose admin allows AIX 50 calls a window
            connection:
              loginUrl: sandbox
              apiVersion: "62.0"
              auth:
                flow: client-credentials
                clientId: { env: AIX_DEMO_SF_CLIENT_ID }
                clientSecret: { env: AIX_DEMO_SF_CLIENT_SECRET }
            objects:
              - { name: Lead, mapping: salesforce-lead, every: 1m, overlap: 2m, pageSize: 2000 }
            writeback:
              enabled: true
              batchSize: 10
            scoring: default-rules
            limits:
              dailyApiBudget: 50
            """);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of(
          "aix.config-dir", dir.toString(), "aix.budget.window", "PT15S", "aix.queue.batch", "10");
    }

    private static void copy(Path from, Path to) throws IOException {
      Files.createDirectories(to);
      try (Stream<Path> files = Files.list(from)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(
              f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Inject Sandbox sandbox;
  @Inject PipelineDriver driver;
  @Inject AgroalDataSource db;

  @Test
  void stopsAtTheBudgetSaysWhyAndResumesWhenTheWindowRolls() throws Exception {
    SalesforceOrg org = sandbox.salesforce().org();
    org.reset();
    driver.reset();
    LeadGenerator generator = new LeadGenerator(5, Clock.systemUTC());
    for (int i = 0; i < 600; i++) {
      org.insert("Lead", generator.lead());
    }
    // Start right after a window opens, so the whole run falls in one window.
    sleepUntil(nextWindowStart() + 100);

    driver.poll(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");

    assertThat(org.apiCalls()).as("one query, then writes of 10 until the budget").isEqualTo(50);
    assertThat(Sql.count(db, "select count(*) from work_item"))
        .as("the rest waits")
        .isEqualTo(600 - 490);
    assertThat(Sql.count(db, "select count(*) from dead_letter"))
        .as("nothing dead-lettered")
        .isZero();
    assertThat(Sql.count(db, "select count(*) from lead where written_version > 0")).isEqualTo(490);

    String health = given().get("/q/health").then().statusCode(503).extract().asString();
    JsonPath json = JsonPath.from(health);
    assertThat(json.getString("status")).isEqualTo("DOWN");
    assertThat(health)
        .contains("DEGRADED")
        .contains("API budget of 50 calls")
        .contains("queued work resumes at");

    sleepUntil(nextWindowStart() + 100);
    driver.drain(PROFILE, "Lead");

    assertThat(Sql.count(db, "select count(*) from lead where written_version > 0"))
        .as("the backlog finished in the next window")
        .isEqualTo(600);
    assertThat(Sql.count(db, "select count(*) from work_item")).isZero();
    assertThat(org.apiCalls()).as("11 more writes, no call wasted").isEqualTo(61);
    given().get("/q/health").then().statusCode(200);
  }

  private static long nextWindowStart() {
    long now = System.currentTimeMillis();
    return (now / WINDOW_MILLIS + 1) * WINDOW_MILLIS;
  }

  private static void sleepUntil(long epochMillis) throws InterruptedException {
    long wait = epochMillis - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }
}
