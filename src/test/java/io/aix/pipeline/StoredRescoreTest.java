package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.model.ChampionCache;
import io.aix.model.ModelTrainer;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A promotion re-scores every lead from the state AIX stored (ModelStore.promote, queued by the
 * poll's leader in chunks): no lead is read from the CRM again. The small re-score of
 * ModelTrainingTest goes over REST; this one is a large org's.
 */
@QuarkusTest
class StoredRescoreTest {
  static final String PROFILE = "demo-salesforce";

  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject ModelTrainer trainer;
  @Inject ChampionCache champions;
  @Inject PipelineDriver driver;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  SalesforceOrg org;

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    org.bulkTiming(java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(50));
    driver.reset("model_version", "alert_episode", "model_training_attempt");
    champions.invalidate(PROFILE, "Lead");
  }

  /** Later tests in this application expect the rules scorer: leave no champion behind. */
  @AfterEach
  void noChampionLeftBehind() throws SQLException {
    org.bulkTiming(java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(100));
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate model_version, alert_episode");
    }
    champions.invalidate(PROFILE, "Lead");
  }

  private void pollLeads() {
    Exchange e = driver.cycle(PROFILE, "Lead");
    assertThat(e.getException()).as("poll cycle failure").isNull();
  }

  private double count(String name, String source) {
    io.micrometer.core.instrument.Counter c =
        meters.find(name).tags("profile", PROFILE, "object", "Lead", "source", source).counter();
    return c == null ? 0 : c.count();
  }

  /**
   * Trains and promotes a model; the re-score it asks for is made a million-lead org's (above
   * bulkAbove, 10,000: the bulk lane).
   */
  private void promoteAsALargeOrg() throws SQLException {
    assertThat(trainer.train(PROFILE, "Lead").promoted()).isTrue();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("update rescore_request set total = 1000000");
    }
  }

  private String one(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : null;
    }
  }

  @Inject BulkWriteStage bulkWriter;
  @Inject io.aix.connector.ConnectorRegistry connectors;
  @Inject io.aix.persistence.DeadLetterStore deadLetters;

  /**
   * A large org's re-score (more stored leads than the profile's bulkAbove) takes the bulk lane:
   * its scores go out in a Bulk API 2.0 ingest job, and nothing is read back from the org. A row
   * the org refuses is a dead letter whose replay scores the stored lead again (it is never mapped
   * as a CRM record: the row carries no CRM fields), and the stored values stay as they were.
   */
  @Test
  void aLargeRescoreGoesOutInBulkJobsAndItsRefusedRowsReplayFromTheStoredState() throws Exception {
    LeadGenerator generator = new LeadGenerator(99, Clock.systemUTC());
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 1600; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    pollLeads();
    pollLeads(); // AIX's own writes read back, up to date
    List<String> refused = ids.subList(10, 13);
    String storedBefore =
        one("select mapped_values from lead where crm_id = '" + refused.get(0) + "'");

    bulkWriter.stop();
    try {
      promoteAsALargeOrg();
      org.faults().rejectWrites(refused.toArray(String[]::new));
      long writes = org.writeCalls();
      java.util.Map<String, Long> before = org.apiCallsByKind();
      pollLeads();
      assertThat(org.writeCalls()).as("no REST write for a bulk re-score").isEqualTo(writes);
      var bulk = BulkWriteStage.bulk(connectors.connector(PROFILE)).orElseThrow();
      long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
      do {
        bulkWriter.flush(PROFILE, "Lead", bulk, java.time.Instant.now());
        Thread.sleep(200);
      } while ((!"0".equals(one("select count(*) from bulk_write"))
              || !"0".equals(one("select count(*) from bulk_job")))
          && System.nanoTime() < deadline);
      assertThat(org.apiCallsByKindSince(before))
          .as("one ingest job, the cycle's poll, no query job and no re-read")
          .containsEntry("POST jobs/ingest", 1L)
          .containsEntry("GET queryAll", 1L)
          .doesNotContainKey("POST jobs/query")
          .doesNotContainKey("PATCH composite/sobjects");
      assertThat(org.records("Lead"))
          .filteredOn(r -> !refused.contains(r.path("Id").asText()))
          .hasSize(1597)
          .allSatisfy(
              r ->
                  assertThat(r.path("AIX_Model_Version__c").asText())
                      .startsWith("model:demo-salesforce/Lead@1"));
      assertThat(
              one(
                  "select count(*) from dead_letter where stage = 'writeback' and payload = '"
                      + io.aix.persistence.WorkQueue.STORED
                      + "'"))
          .as("the refused rows are dead letters of a re-score from stored state")
          .isEqualTo("3");

      org.faults().clear();
      assertThat(
              io.aix.persistence.ReactiveBridge.await(
                  () -> deadLetters.replay(PROFILE, List.of(), java.time.Instant.now())))
          .isEqualTo(3);
      double ingested = count("aix.leads.ingested", "poll");
      pollLeads();
      assertThat(count("aix.leads.ingested", "poll")).isEqualTo(ingested);
      assertThat(org.records("Lead"))
          .filteredOn(r -> refused.contains(r.path("Id").asText()))
          .hasSize(3)
          .allSatisfy(
              r ->
                  assertThat(r.path("AIX_Model_Version__c").asText())
                      .startsWith("model:demo-salesforce/Lead@1"));
      assertThat(one("select mapped_values from lead where crm_id = '" + refused.get(0) + "'"))
          .as("the stored values are scored, never replaced by the row's empty fields")
          .isEqualTo(storedBefore);
    } finally {
      org.faults().clear();
      bulkWriter.start();
    }
  }

  /**
   * While a re-score runs, the poll's re-read of AIX's own earlier writes (records unchanged but
   * scored by the old model) leaves the stored rows where they are: on the re-score's lane, not
   * replaced by a real-time version of the record, scored and written over REST.
   */
  @Test
  void aPollDuringTheRescoreLeavesItsRowsOnTheirLane() throws Exception {
    LeadGenerator generator = new LeadGenerator(99, Clock.systemUTC());
    for (int i = 0; i < 1600; i++) {
      org.insert("Lead", generator.lead());
    }
    pollLeads(); // scored and written; the org's stamps moved, not read back yet
    bulkWriter.stop();
    try {
      promoteAsALargeOrg();
      double ingested = count("aix.leads.ingested", "poll");
      double echoes = count("aix.leads.echoes", "poll");
      // The stored rows are queued, then the poll reads the 1,600 writes back (in its overlap).
      Exchange polled = driver.poll(PROFILE, "Lead");
      assertThat(polled.getException()).isNull();
      assertThat(count("aix.leads.echoes", "poll") - echoes)
          .as("AIX's writes read back, left out")
          .isEqualTo(1600);
      assertThat(count("aix.leads.ingested", "poll") - ingested).as("none queued").isZero();
      assertThat(
              one(
                  "select count(*) from work_item where change_key = 'stored'"
                      + " and stream = 'Lead:bulk'"))
          .isEqualTo("1600");
      assertThat(one("select count(*) from work_item")).isEqualTo("1600");
    } finally {
      bulkWriter.start();
    }
  }
}
