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
import java.util.List;
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
                // Every polled object of both sandbox profiles: Lead, Contact and contacts.
                "select count(*) from source_offset where stream like '%:poll'")) {
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
    while (heartbeats() < 3 && System.nanoTime() < deadline) {
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

  @Test
  void aBacklogAndADeadLetterSurgeEachFireOnceAndResolve() throws Exception {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate work_item, dead_letter, lead, alert_episode");
      // One change queued 20 minutes ago and still waiting; 60 refusals in the last minutes.
      s.execute(
          "insert into work_item (profile_id, crm_object, crm_id, stream, change_key,"
              + " crm_modified_at, deleted, payload, enqueued_at, available_at) values"
              + " ('demo-salesforce', 'Lead', '00Q1', 'Lead:poll', '00Q1@x', now(), false, '{}',"
              + " now() - interval '20 minutes', now() - interval '20 minutes')");
      s.execute(
          "insert into dead_letter (profile_id, crm_object, crm_id, stage, error_code, reason,"
              + " payload, created_at) select 'demo-salesforce', 'Lead', 'x' || g, 'normalize',"
              + " 'INVALID_RECORD', 'Email: not an e-mail address', '{}', now()"
              + " from generate_series(1, 60) g");
    }
    AlertWebhookResource.RECEIVED.clear();
    Instant now = Instant.now();
    List<String> fired = monitor.check(now);
    assertThat(fired).anyMatch(m -> m.contains("demo-salesforce Lead is behind"));
    assertThat(fired).anyMatch(m -> m.contains("60 of 60 records in the last 15 min"));
    monitor.check(now.plusSeconds(30));
    assertThat(received("is behind")).as("one episode, one notice").isEqualTo(1);
    assertThat(received("were dead-lettered")).isEqualTo(1);

    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate work_item, dead_letter");
    }
    monitor.check(now.plusSeconds(60));
    assertThat(received("has caught up")).isEqualTo(1);
    assertThat(received("dead-letter rate is back to normal")).isEqualTo(1);
  }
}
