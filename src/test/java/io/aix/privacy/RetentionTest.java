package io.aix.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.pipeline.PipelineDriver;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A profile's retention period (demo-salesforce: 730 days) applied to aged rows. */
@QuarkusTest
class RetentionTest {
  static final String SF = "demo-salesforce";

  @Inject Sandbox sandbox;
  @Inject PipelineDriver driver;
  @Inject AgroalDataSource db;
  @Inject Retention retention;

  SalesforceOrg org;

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    driver.reset();
  }

  @Test
  void leadsUnchangedForLongerThanTheRetentionLeaveWithTheirHistory() throws SQLException {
    LeadGenerator g = new LeadGenerator(31, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(org.insert("Lead", g.lead()));
    }
    driver.cycle(SF, "Lead");
    String kept = ids.get(2);
    org.update("Lead", kept, Map.of("Title", "Chief Executive Officer", "NumberOfEmployees", 5000));
    sleep();
    driver.cycle(SF, "Lead");
    assertThat(Sql.count(db, "select count(*) from score where crm_id = '" + kept + "'"))
        .isEqualTo(2);

    Sql.exec(
        db,
        "update lead set crm_modified_at = now() - interval '800 days' where crm_id in ('"
            + ids.get(0)
            + "', '"
            + ids.get(1)
            + "')");
    Sql.exec(
        db,
        "update score set scored_at = now() - interval '800 days' where crm_id = '"
            + kept
            + "' and version = 1");
    Sql.exec(
        db,
        "insert into dead_letter (profile_id, crm_object, crm_id, stage, error_code, reason,"
            + " payload, created_at) values"
            + " ('demo-salesforce', 'Lead', '00Q000000000009AAA', 'normalize', 'INVALID_RECORD',"
            + " 'old', '{}', now() - interval '800 days'),"
            + " ('demo-salesforce', 'Lead', '00Q000000000008AAA', 'normalize', 'INVALID_RECORD',"
            + " 'recent', '{}', now() - interval '1 day')");

    Map<String, Long> purged = retention.purge(Instant.now()).get(SF);
    assertThat(purged)
        .containsEntry("leads", 2L)
        .containsEntry("scores", 2L)
        .containsEntry("scoreHistory", 1L)
        .containsEntry("deadLetters", 1L);
    assertThat(Sql.count(db, "select count(*) from lead")).isEqualTo(4);
    assertThat(
            Sql.count(
                db,
                "select count(*) from score where crm_id in ('"
                    + ids.get(0)
                    + "', '"
                    + ids.get(1)
                    + "')"))
        .isZero();
    assertThat(Sql.count(db, "select min(version) from score where crm_id = '" + kept + "'"))
        .as("the current score stays; the aged version goes")
        .isEqualTo(2);
    assertThat(Sql.count(db, "select count(*) from dead_letter where reason = 'recent'"))
        .isEqualTo(1);
    assertThat(
            Sql.count(
                db,
                "select count(*) from audit_log where action = 'retention.purge'"
                    + " and target = 'demo-salesforce' and at > now() - interval '1 minute'"))
        .isEqualTo(1);

    Map<String, Long> again = retention.purge(Instant.now()).get(SF);
    assertThat(again.values()).allMatch(n -> n == 0L);
  }

  private static void sleep() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
