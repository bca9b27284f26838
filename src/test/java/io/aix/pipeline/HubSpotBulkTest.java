package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.aix.connector.BulkScoreWrites;
import io.aix.connector.ConnectorRegistry;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.PortalReadback;
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
import java.util.Set;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A HubSpot backfill at enterprise scale, CI-sized: 20,000 contacts (over the profile's default
 * {@code limits.bulkAbove} of 10,000) are read through one CRM export and their scores written
 * through one CRM import (update by record id), against the sandbox portal's Imports and Exports
 * APIs over real HTTP, with the real PostgreSQL. Nothing lost, nothing written twice, no 429, a row
 * the import refuses (its contact deleted meanwhile) is a dead letter with HubSpot's error, and
 * AIX's own import coming back through the next poll is not scored again.
 */
@QuarkusTest
class HubSpotBulkTest {
  private static final String PROFILE = "demo-hubspot";
  private static final int CONTACTS = 20_000;

  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject PipelineDriver driver;
  @Inject BulkWriteStage bulkWriter;
  @Inject ConnectorRegistry connectors;

  HubSpotPortal portal;

  @BeforeEach
  void clean() throws SQLException {
    portal = sandbox.hubspot().portal();
    portal.reset();
    // Imports and exports take their time, but not a real portal's minutes.
    portal.bulkSpeed(300, 50_000);
    driver.reset();
    bulkWriter.stop();
  }

  @AfterEach
  void restore() {
    portal.reset();
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private void analyze() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("analyze lead, score, work_item, bulk_write, bulk_job");
    }
  }

  private void settleBulkWrites() throws Exception {
    BulkScoreWrites bulk = BulkWriteStage.bulk(connectors.connector(PROFILE)).orElseThrow();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      bulkWriter.flush(PROFILE, "contacts", bulk, Instant.now());
      if (count("select count(*) from bulk_write") == 0
          && count("select count(*) from bulk_job") == 0) {
        return;
      }
      Thread.sleep(200);
    }
  }

  @Test
  void aBackfillOf20000ContactsGoesThroughOneExportAndOneImportAndLosesNothing() throws Exception {
    LeadGenerator generator = new LeadGenerator(12, Clock.systemUTC());
    List<String> ids = new ArrayList<>(CONTACTS);
    for (int i = 0; i < CONTACTS; i++) {
      ids.add(portal.createContact(generator.contact()));
    }
    portal.drainChanges();

    Exchange polled = driver.poll(PROFILE, "contacts");
    assertThat(polled.getException()).as("poll cycle").isNull();
    assertThat(portal.exportsStarted()).as("one export reads the backfill").isEqualTo(1);
    assertThat(portal.searchCalls()).as("one search, to learn the window's size").isEqualTo(1);
    assertThat(count("select count(*) from work_item where stream = 'contacts:bulk'"))
        .as("every contact queued once, marked as a bulk read")
        .isEqualTo(CONTACTS);

    // Three contacts are deleted before their scores go out: the import refuses their rows.
    List<String> gone = ids.subList(100, 103);
    gone.forEach(portal::deleteContact);

    // Tables filled a moment ago have no planner statistics yet (a live database's autovacuum
    // gathers them): without them the set-based statements of the drain and the settle are
    // planned as nested loops, and take minutes instead of seconds here.
    analyze();
    Exchange drained = driver.drain(PROFILE, "contacts", Duration.ofMinutes(5));
    assertThat(drained.getException()).as("workers").isNull();
    assertThat(count("select count(*) from work_item")).as("work queue drained").isZero();
    assertThat(portal.batchUpdateCalls()).as("no batch update for a bulk read's scores").isZero();

    analyze();
    settleBulkWrites();
    assertThat(portal.importsStarted()).as("one import writes every score").isEqualTo(1);
    assertThat(portal.batchUpdateCalls()).as("still no batch update").isZero();
    assertThat(portal.burstRefused() + portal.searchesRefused()).as("no 429").isZero();

    long aixCalls = portal.apiCalls();
    long searches = portal.searchCalls();
    System.out.printf(
        "HubSpotBulkTest: %d contacts read and written in %d API calls (%d search, %d export,"
            + " %d import, %d batch update)%n",
        CONTACTS,
        aixCalls,
        searches,
        portal.exportCalls(),
        portal.importCalls(),
        portal.batchUpdateCalls());
    assertThat(aixCalls)
        .as("API calls for 20,000 contacts read and written (properties, search, export, import)")
        .isLessThan(60);
    PortalReadback api = new PortalReadback(sandbox.hubspot().baseUrl(), "pat-na1-aix-sandbox");
    List<JsonNode> scored = api.scoredContacts(List.of("aix_score", "aix_grade"));
    Set<String> shown = new HashSet<>();
    scored.forEach(r -> shown.add(r.path("id").asText()));
    Set<String> expected = new HashSet<>(ids);
    gone.forEach(expected::remove);
    assertThat(shown).as("every live contact shows its score (lost 0)").isEqualTo(expected);
    assertThat(scored)
        .allSatisfy(
            r ->
                assertThat(r.path("properties").path("aix_grade").asText())
                    .isIn("A", "B", "C", "D"));
    assertThat(count("select count(*) from score"))
        .as("one score version per contact (duplicates 0)")
        .isEqualTo(CONTACTS);
    assertThat(
            count(
                "select count(*) from lead where written_version = score_version and"
                    + " score_version = 1"))
        .as("every written contact is marked written")
        .isEqualTo(CONTACTS - gone.size());
    assertThat(
            count(
                "select count(*) from dead_letter where stage = 'writeback' and error_code ="
                    + " 'INVALID_OBJECT_ID' and crm_id in ('"
                    + String.join("','", gone)
                    + "')"))
        .as("the refused rows are dead letters with HubSpot's error")
        .isEqualTo(gone.size());
    assertThat(count("select count(*) from bulk_job")).isZero();
    // The read-back above is the test's, unpaced: its own 429s are not AIX's.
    long refusedBefore = portal.burstRefused() + portal.searchesRefused();
    // Its searches share the portal's per-second search limit with AIX's (as another
    // integration's would): the echo cycle starts once that second has passed.
    Thread.sleep(1_100);

    // The next poll reads AIX's own import back (lastmodifieddate moved for every contact): a
    // window of minutes, read by the paced search (HubSpot allows 30 exports a day, kept for
    // backfills), and not one contact is scored or written again.
    int imports = portal.importsStarted();
    int exports = portal.exportsStarted();
    assertThat(driver.cycle(PROFILE, "contacts").getException()).isNull();
    driver.drain(PROFILE, "contacts", Duration.ofMinutes(5));
    settleBulkWrites();
    assertThat(count("select count(*) from score")).as("no echo re-scored").isEqualTo(CONTACTS);
    assertThat(portal.importsStarted()).as("no echo written").isEqualTo(imports);
    assertThat(portal.exportsStarted()).as("no export spent on echoes").isEqualTo(exports);
    assertThat(portal.batchUpdateCalls()).isZero();
    assertThat(portal.burstRefused() + portal.searchesRefused())
        .as("no 429 for AIX")
        .isEqualTo(refusedBefore);
  }
}
