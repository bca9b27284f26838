package io.aix.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.agroal.api.AgroalDataSource;
import io.aix.pipeline.IntakeController;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Stopping intake fires the stalled-intake alert once to the webhook, and it resolves. */
@QuarkusTest
@QuarkusTestResource(value = AlertWebhookResource.class, restrictToAnnotatedClass = true)
class AlertMonitorTest {
  @Inject AlertMonitor monitor;
  @Inject IntakeController intake;
  @Inject AgroalDataSource db;

  private long heartbeats() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select count(*) from source_offset where profile_id = 'demo-salesforce'"
                    + " and stream = 'Lead:poll'")) {
      r.next();
      return r.getLong(1);
    }
  }

  private long received(String text) {
    return AlertWebhookResource.RECEIVED.stream().filter(m -> m.contains(text)).count();
  }

  @Test
  void stoppingIntakeFiresTheStalledAlertOnceAndRestartingResolvesIt() throws Exception {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate source_offset, alert_episode");
    }
    AlertWebhookResource.RECEIVED.clear();
    intake.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (heartbeats() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(monitor.check(Instant.now())).as("running intake: no alert").isEmpty();

    intake.stop();
    Instant later = Instant.now().plus(Duration.ofMinutes(5));
    assertThat(monitor.check(later))
        .anyMatch(m -> m.contains("intake of demo-salesforce Lead has stalled"));
    monitor.check(later.plusSeconds(30));
    monitor.check(later.plusSeconds(60));
    assertThat(received("intake of demo-salesforce Lead has stalled"))
        .as("one episode, one notice")
        .isEqualTo(1);
    assertThat(AlertWebhookResource.RECEIVED.get(0)).startsWith("{\"text\":\"AIX: intake of");
    given()
        .get("/q/health/well")
        .then()
        .statusCode(503)
        .body(containsString("intake-stalled:demo-salesforce/Lead"));

    intake.start();
    try {
      Instant restarted = Instant.now();
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (received("intake of demo-salesforce Lead is back") == 0
          && System.nanoTime() < deadline) {
        monitor.check(Instant.now());
        Thread.sleep(200);
      }
      assertThat(received("intake of demo-salesforce Lead is back")).isEqualTo(1);
      assertThat(restarted).isBefore(Instant.now());
    } finally {
      intake.stop();
    }
  }
}
