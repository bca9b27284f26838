package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.aix.connector.BulkScoreWrites;
import io.aix.connector.ConnectorRegistry;
import io.aix.lead.CrmRecord;
import io.aix.persistence.BulkWriteStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.WorkQueue;
import io.aix.profile.LiveCatalog;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.OrgReadback;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backfill at enterprise scale, CI-sized: 20,000 Salesforce leads (over the profile's default
 * {@code limits.bulkAbove} of 10,000) are read by one Bulk API 2.0 query job and their scores
 * written by Bulk API 2.0 ingest jobs, through the real Camel Salesforce component against the
 * sandbox org's Bulk API 2.0, with the real PostgreSQL. Nothing is lost, nothing written twice, a
 * refused row is a dead letter with the org's error, a locked row goes in the next job.
 */
@QuarkusTest
class SalesforceBulkTest {
  private static final String PROFILE = "demo-salesforce";
  private static final int LEADS = 20_000;

  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject PipelineDriver driver;
  @Inject BulkWriteStage bulkWriter;
  @Inject ConnectorRegistry connectors;
  @Inject WorkQueue queue;
  @Inject LiveCatalog catalog;
  @Inject BulkWriteStore store;

  SalesforceOrg org;

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    // Jobs take their time, but not a real org's minutes: a test waits for them all the same.
    org.bulkTiming(Duration.ofMillis(300), Duration.ofMillis(50));
    driver.reset();
    // The test drives the writer itself; the scheduled one would race it for the same jobs.
    bulkWriter.stop();
  }

  @AfterEach
  void restore() {
    org.bulkTiming(Duration.ofMillis(500), Duration.ofMillis(100));
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Runs the writer until nothing waits and no job runs (or two minutes passed). */
  private void settleBulkWrites() throws Exception {
    BulkScoreWrites bulk = BulkWriteStage.bulk(connectors.connector(PROFILE)).orElseThrow();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      bulkWriter.flush(PROFILE, "Lead", bulk, Instant.now());
      if (count("select count(*) from bulk_write") == 0
          && count("select count(*) from bulk_job") == 0) {
        return;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void aBackfillOf20000LeadsGoesThroughBulkApi20AndLosesNothing() throws Exception {
    LeadGenerator generator = new LeadGenerator(11, Clock.systemUTC());
    List<String> ids = new ArrayList<>(LEADS);
    for (int i = 0; i < LEADS; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    List<String> refused = ids.subList(100, 103);
    List<String> locked = ids.subList(200, 203);
    org.faults().rejectWrites(refused.toArray(String[]::new));
    org.faults().lockOnce(locked.toArray(String[]::new));

    Exchange polled = driver.poll(PROFILE, "Lead");
    assertThat(polled.getException()).as("poll cycle").isNull();
    assertThat(org.bulkJobs("query"))
        .as("one Bulk API 2.0 query job reads the backfill")
        .isEqualTo(1);
    assertThat(count("select count(*) from work_item where stream = 'Lead:bulk'"))
        .as("every lead queued once, marked as a bulk read")
        .isEqualTo(LEADS);

    Exchange drained = driver.drain(PROFILE, "Lead", Duration.ofMinutes(5));
    assertThat(drained.getException()).as("workers").isNull();
    assertThat(count("select count(*) from work_item")).as("work queue drained").isZero();
    assertThat(org.writeCalls())
        .as("no sObject Collections call for a bulk read's scores")
        .isZero();
    assertThat(count("select count(*) from bulk_write"))
        .as("scores waiting for a job")
        .isEqualTo(LEADS);

    settleBulkWrites();
    long apiCalls = org.apiCalls();

    assertThat(org.bulkJobs("ingest")).as("one ingest job for all").isEqualTo(1);
    assertThat(org.writeCalls())
        .as("the locked rows sent again in one REST call: too few for a job's calls")
        .isEqualTo(1);
    // REST queryAll first page, describe, query job create + status looks + 1 results page; per
    // ingest job create, upload, close, status looks, and its failed rows only if it counts any;
    // one REST write of the rows sent again.
    assertThat(apiCalls).as("API calls for 20,000 leads read and written").isBetween(11L, 26L);
    java.util.Map<String, Long> kinds = org.apiCallsByKind();
    assertThat(kinds)
        .as("a job's successful rows are counted by the org, not read back")
        .doesNotContainKey("GET jobs/ingest/{id}/successfulResults")
        .doesNotContainKey("GET jobs/ingest/{id}/unprocessedrecords")
        .containsEntry("GET jobs/ingest/{id}/failedResults", 1L)
        .containsEntry("POST jobs/ingest", 1L)
        .containsEntry("POST jobs/query", 1L)
        .containsEntry("GET jobs/query/{id}/results", 1L);

    OrgReadback api =
        new OrgReadback(
            sandbox.salesforce().baseUrl(), "62.0", "aix-sandbox-client", "aix-sandbox-secret");
    List<JsonNode> scored =
        api.query("SELECT Id, AIX_Score__c, AIX_Grade__c FROM Lead WHERE AIX_Score__c != null");
    Set<String> shown = new HashSet<>();
    scored.forEach(r -> shown.add(r.path("Id").asText()));
    Set<String> expected = new HashSet<>(ids);
    refused.forEach(expected::remove);
    assertThat(shown)
        .as("every lead but the refused shows its score in the org (lost 0)")
        .isEqualTo(expected);
    assertThat(scored)
        .allSatisfy(r -> assertThat(r.path("AIX_Grade__c").asText()).isIn("A", "B", "C", "D"));
    assertThat(org.redundantWrites()).as("no score written twice (duplicates 0)").isZero();
    assertThat(count("select count(*) from score"))
        .as("one score version per lead")
        .isEqualTo(LEADS);
    assertThat(
            count(
                "select count(*) from lead where written_version = score_version and score_version = 1"))
        .as("every written lead is marked written")
        .isEqualTo(LEADS - refused.size());
    assertThat(
            count(
                "select count(*) from dead_letter where stage = 'writeback' and error_code ="
                    + " 'FIELD_CUSTOM_VALIDATION_EXCEPTION' and crm_id in ('"
                    + String.join("','", refused)
                    + "') and payload like '%\"Id\"%'"))
        .as("the refused rows are replayable dead letters with the org's error")
        .isEqualTo(refused.size());
    assertThat(count("select count(*) from dead_letter")).isEqualTo(refused.size());
    assertThat(count("select count(*) from bulk_job")).isZero();

    // The next poll re-reads AIX's own writes (their SystemModstamp moved): a bulk read again, as
    // 19,997 records changed, and not one is scored or written again.
    long ingestJobs = org.bulkJobs("ingest");
    long writeCalls = org.writeCalls();
    assertThat(driver.cycle(PROFILE, "Lead").getException()).isNull();
    driver.drain(PROFILE, "Lead", Duration.ofMinutes(5));
    settleBulkWrites();
    assertThat(count("select count(*) from score")).as("no echo re-scored").isEqualTo(LEADS);
    assertThat(org.bulkJobs("ingest")).as("no echo written").isEqualTo(ingestJobs);
    assertThat(org.writeCalls()).isEqualTo(writeCalls);
  }

  /** Queues the records' current versions as intake would: as a bulk read's, or a real-time one. */
  private void queue(List<String> ids, boolean bulkRead) {
    var connector = connectors.connector(PROFILE);
    var mapping = catalog.mapping(catalog.profile(PROFILE).object("Lead").orElseThrow().mapping());
    List<CrmRecord> records = connector.read("Lead", mapping, ids);
    Instant now = Instant.now();
    ReactiveBridge.await(
        () ->
            queue.accept(
                PROFILE,
                "Lead:poll",
                records,
                Set.of(),
                Map.of(),
                Optional.empty(),
                Instant.EPOCH,
                now,
                bulkRead,
                null,
                Set.of()));
  }

  private long newestScore(String crmId) throws SQLException {
    return count(
        "select score from score where crm_id = '" + crmId + "' order by version desc limit 1");
  }

  @Test
  void aUsersChangeDuringARunningBulkJobShowsAtOnceAndTheJobDoesNotUndoIt() throws Exception {
    LeadGenerator generator = new LeadGenerator(12, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    // More than the few rows written over REST instead of a job.
    int leads = BulkWriteStage.REST_CALLS * 200 + 50;
    for (int i = 0; i < leads; i++) {
      Map<String, Object> lead = new java.util.HashMap<>(generator.lead());
      lead.put("Title", "Sales Intern");
      ids.add(org.insert("Lead", lead));
    }
    queue(ids, true);
    assertThat(driver.drain(PROFILE, "Lead", Duration.ofMinutes(1)).getException()).isNull();
    assertThat(count("select count(*) from bulk_write")).isEqualTo(leads);

    // The job starts and, held by the org, runs on while a user changes one of its records.
    org.holdBulkJobs(true);
    BulkScoreWrites bulk = BulkWriteStage.bulk(connectors.connector(PROFILE)).orElseThrow();
    bulkWriter.flush(PROFILE, "Lead", bulk, Instant.now());
    assertThat(count("select count(*) from bulk_job")).as("a job runs").isEqualTo(1);
    String changed = ids.get(7);
    long before = newestScore(changed);
    org.update("Lead", changed, Map.of("Title", "Chief Executive Officer"));
    queue(List.of(changed), false);
    assertThat(driver.drain(PROFILE, "Lead").getException()).isNull();
    long after = newestScore(changed);
    assertThat(after).as("the new title scores differently").isNotEqualTo(before);
    assertThat(org.writeCalls()).as("the user's change went over REST at once").isEqualTo(1);
    assertThat(org.record("Lead", changed).path("AIX_Score__c").asLong())
        .as("shown while the job still runs")
        .isEqualTo(after);
    assertThat(count("select count(*) from bulk_job")).as("the job still runs").isEqualTo(1);

    // The job then lands with the older score; the newer one is written again at once, over REST
    // (the sandbox applies a job's rows when it completes: its older score did land last).
    org.holdBulkJobs(false);
    settleBulkWrites();
    assertThat(org.bulkJobs("ingest")).as("the one job").isEqualTo(1);
    assertThat(org.writeCalls())
        .as("the user's change, then once more after the job landed")
        .isEqualTo(2);
    assertThat(org.record("Lead", changed).path("AIX_Score__c").asLong())
        .as("the CRM ends on the user's change")
        .isEqualTo(after);
    for (String id : ids) {
      assertThat(org.record("Lead", id).path("AIX_Score__c").asLong())
          .as("lead %s shows its newest score", id)
          .isEqualTo(newestScore(id));
    }
    assertThat(count("select count(*) from lead where written_version < score_version"))
        .as("every lead's newest version marked written")
        .isZero();
  }

  @Test
  void aJobWhoseWriterStoppedBeforeTheCrmNamedItIsTakenOverAndItsRowsWrittenOnce()
      throws Exception {
    LeadGenerator generator = new LeadGenerator(13, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    int leads = BulkWriteStore.TAKE_CHUNK + 150;
    for (int i = 0; i < leads; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    queue(ids, true);
    assertThat(driver.drain(PROFILE, "Lead", Duration.ofMinutes(1)).getException()).isNull();

    // Another replica's writer took the rows (in chunks) and stopped before the CRM named its job:
    // its lease has run out.
    Instant now = Instant.now();
    List<BulkWriteStore.Taken> taken =
        ReactiveBridge.await(
            () ->
                store.take(
                    PROFILE,
                    "Lead",
                    "job-stopped",
                    100_000,
                    "replica-gone",
                    now.minusSeconds(1),
                    now.minusSeconds(60)));
    assertThat(taken).as("every waiting row, over several chunks").hasSize(leads);
    assertThat(taken.stream().map(BulkWriteStore.Taken::crmId).distinct().count())
        .as("no row taken twice")
        .isEqualTo(leads);
    assertThat(count("select count(*) from bulk_write where job_id = 'job-stopped'"))
        .isEqualTo(leads);
    assertThat(count("select records from bulk_job where crm_job_id is null")).isEqualTo(leads);

    settleBulkWrites();
    assertThat(count("select count(*) from bulk_job")).as("the unnamed job is gone").isZero();
    assertThat(count("select count(*) from bulk_write")).as("every row written").isZero();
    assertThat(org.bulkJobs("ingest")).as("one job, by this writer").isEqualTo(1);
    assertThat(org.redundantWrites()).as("nothing written twice").isZero();
    for (String id : ids) {
      assertThat(org.record("Lead", id).path("AIX_Score__c").asLong())
          .as("lead %s shows its score", id)
          .isEqualTo(newestScore(id));
    }
  }
}
