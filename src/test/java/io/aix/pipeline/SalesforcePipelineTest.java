package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmFailure;
import io.aix.connector.Offset;
import io.aix.lead.CrmRecord;
import io.aix.lead.IsoInstant;
import io.aix.lead.LeadKey;
import io.aix.persistence.ReactiveBridge;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.OrgReadback;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Salesforce connector and the pipeline through the real Camel Salesforce component, against
 * the sandbox org over real HTTP, with the real PostgreSQL. Each test runs poll cycles and the
 * workers' batches synchronously through the same routes the timers run ({@link PipelineDriver}).
 */
@QuarkusTest
class SalesforcePipelineTest {
  private static final String PROFILE = "demo-salesforce";

  @Inject ProducerTemplate camel;
  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject IntakeController intake;
  @Inject PipelineDriver driver;
  @Inject io.aix.persistence.DeadLetterStore deadLetterStore;
  @Inject io.aix.connector.ApiBudgets budgets;
  @Inject CheckpointStage checkpointer;
  @Inject io.aix.persistence.WorkQueue queue;

  SalesforceOrg org;

  @BeforeEach
  void cleanOrgAndDatabase() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    driver.reset();
  }

  /** A poll cycle and the workers' batches after it. */
  private Exchange pollCycle(String object) {
    return driver.cycle(PROFILE, object);
  }

  private void pollLeadsOk() {
    Exchange e = pollCycle("Lead");
    assertThat(e.getException()).as("poll cycle failure").isNull();
  }

  private List<String> seed(int n) {
    LeadGenerator generator = new LeadGenerator(7, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    return ids;
  }

  private Map<String, String[]> deadLetters() throws SQLException {
    Map<String, String[]> out = new LinkedHashMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select crm_id, stage, error_code, reason, payload from dead_letter order by id")) {
      while (r.next()) {
        out.put(
            r.getString(1),
            new String[] {r.getString(2), r.getString(3), r.getString(4), r.getString(5)});
      }
    }
    return out;
  }

  @Test
  void pollsPagesWritesBackAndASecondCycleOverUnchangedLeadsWritesNothing() throws SQLException {
    seed(2100);

    pollLeadsOk();

    assertThat(org.writeCalls())
        .as("2,100 records in sObject Collections calls of 200")
        .isEqualTo(11);
    assertThat(org.apiCalls()).as("queryAll + one queryMore page + 11 writes").isEqualTo(13);
    OrgReadback api =
        new OrgReadback(
            sandbox.salesforce().baseUrl(), "62.0", "aix-sandbox-client", "aix-sandbox-secret");
    List<JsonNode> scored =
        api.query(
            "SELECT Id, AIX_Score__c, AIX_Grade__c, AIX_Top_Factors__c, AIX_Model_Version__c FROM Lead WHERE AIX_Score__c != null");
    assertThat(scored).as("every lead, read back through the org's own API").hasSize(2100);
    assertThat(scored)
        .allSatisfy(
            r -> {
              assertThat(r.path("AIX_Grade__c").asText()).isIn("A", "B", "C", "D");
              assertThat(r.path("AIX_Top_Factors__c").asText().length()).isBetween(1, 1024);
              assertThat(r.path("AIX_Model_Version__c").asText())
                  .isEqualTo("rules:default-rules@1");
            });

    long writesBefore = org.writeCalls();
    Exchange echoes = driver.poll(PROFILE, "Lead");
    assertThat(echoes.getException()).isNull();
    assertThat(Sql.text(db, "select count(*) from work_item"))
        .as("AIX's own writes, read back by the poll, are recognised at intake and not queued")
        .isEqualTo("0");
    pollLeadsOk();
    assertThat(org.writeCalls())
        .as("AIX's own writes come back as changes, are recognised and not written again")
        .isEqualTo(writesBefore);
    assertThat(org.redundantWrites()).as("no lead got the same score twice").isZero();

    String id = scored.get(0).path("Id").asText();
    org.update("Lead", id, Map.of("Title", "Chief Executive Officer", "NumberOfEmployees", 25000));
    pollLeadsOk();
    assertThat(org.writeCalls()).as("one changed lead, one write call").isEqualTo(writesBefore + 1);
    assertThat(org.record("Lead", id).path("AIX_Top_Factors__c").asText())
        .contains("Executive buyer (c-level)");
  }

  @Test
  void aVersionOlderThanTheOneProcessedIsNeitherQueuedNorScored() throws Exception {
    String id = seed(3).get(0);
    pollLeadsOk();
    // A bulk query's results are a snapshot: one taken before this change is read after it.
    JsonNode before = org.record("Lead", id).deepCopy();
    org.update("Lead", id, Map.of("Title", "Chief Executive Officer"));
    pollLeadsOk();
    long writes = org.writeCalls();
    CrmRecord snapshot =
        new CrmRecord(
            new LeadKey(PROFILE, "Lead", id),
            IsoInstant.parse(before.path("SystemModstamp").asText()),
            false,
            before);

    Exchange e = new org.apache.camel.support.DefaultExchange(camel.getCamelContext());
    e.setProperty(
        PollStage.PAGE,
        new PollStage.Page(
            PROFILE,
            "Lead",
            "Lead:poll",
            Offset.Watermark.START,
            List.of(snapshot),
            java.util.Set.of(),
            false,
            null));
    checkpointer.commit(e);
    assertThat(Sql.text(db, "select count(*) from work_item"))
        .as("intake leaves the older version out")
        .isEqualTo("0");

    // Queued all the same (intake raced with the newer version's save): the workers skip it.
    ReactiveBridge.await(
        () ->
            queue.accept(
                PROFILE,
                "Lead:poll",
                List.of(snapshot),
                java.util.Set.of(),
                Map.of(),
                java.util.Optional.empty(),
                java.time.Instant.EPOCH,
                java.time.Instant.now(),
                true,
                null,
                java.util.Set.of()));
    assertThat(driver.drain(PROFILE, "Lead").getException()).isNull();
    assertThat(org.writeCalls()).as("no score of the older state written").isEqualTo(writes);
    assertThat(Sql.text(db, "select mapped_values from lead where crm_id = '" + id + "'"))
        .contains("Chief Executive Officer");
    assertThat(org.record("Lead", id).path("AIX_Top_Factors__c").asText())
        .contains("Executive buyer (c-level)");
  }

  @Test
  void aPartialFailureDeadLettersExactlyTheRefusedRecordsAndRetriesLockedOnes()
      throws SQLException {
    List<String> ids = seed(10);
    org.faults().rejectWrites(ids.get(3), ids.get(7)).lockOnce(ids.get(5));

    pollLeadsOk();

    Map<String, String[]> dead = deadLetters();
    assertThat(dead.keySet()).containsExactlyInAnyOrder(ids.get(3), ids.get(7));
    assertThat(dead.get(ids.get(3))[0]).isEqualTo("writeback");
    assertThat(dead.get(ids.get(3))[1]).isEqualTo("FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assertThat(dead.get(ids.get(3))[3]).as("the original payload is kept").contains(ids.get(3));
    for (int i = 0; i < ids.size(); i++) {
      JsonNode rec = org.record("Lead", ids.get(i));
      if (i == 3 || i == 7) {
        assertThat(rec.hasNonNull("AIX_Score__c")).as("refused record %s", i).isFalse();
      } else {
        assertThat(rec.hasNonNull("AIX_Score__c"))
            .as("record %s (5 was locked once, then retried)", i)
            .isTrue();
      }
    }
    assertThat(Sql.count(db, "select count(*) from source_offset"))
        .as("the offset moved on")
        .isEqualTo(1);
  }

  @Test
  void aDeadLetterIsReplayedOnceItsCauseIsFixed() throws SQLException {
    List<String> ids = seed(4);
    org.faults().rejectWrites(ids.get(2));
    pollLeadsOk();
    assertThat(deadLetters().keySet()).containsExactly(ids.get(2));

    // The admin relaxes the validation rule; the integrator replays the dead letter.
    org.faults().clear();
    long id = Sql.count(db, "select id from dead_letter");
    int queued =
        io.aix.persistence.ReactiveBridge.await(
            () -> deadLetterStore.replay(null, List.of(id), java.time.Instant.now()));
    assertThat(queued).isEqualTo(1);
    assertThat(driver.drain(PROFILE, "Lead").getException()).isNull();

    assertThat(org.record("Lead", ids.get(2)).hasNonNull("AIX_Score__c"))
        .as("written on replay")
        .isTrue();
    assertThat(Sql.count(db, "select count(*) from dead_letter where replayed_at is not null"))
        .isEqualTo(1);
    assertThat(
            io.aix.persistence.ReactiveBridge.await(
                () -> deadLetterStore.replay(null, List.of(id), java.time.Instant.now())))
        .as("a replayed dead letter is not replayed twice")
        .isZero();
    assertThat(org.redundantWrites()).isZero();
  }

  @Test
  void badRecordsAreDeadLetteredWithTheirReasonAndTheRestProceed() throws SQLException {
    Map<String, Object> good = new LeadGenerator(3, Clock.systemUTC()).lead();
    String ok = org.insert("Lead", good);
    Map<String, Object> unicode = new HashMap<>(good);
    unicode.put("FirstName", "Zoë\u0000");
    unicode.put("LastName", "Nguyễn 👩‍💻 العربية");
    String odd = org.insert("Lead", unicode);
    Map<String, Object> badEmail = new HashMap<>(good);
    badEmail.put("Email", "dana@@globex");
    String bad1 = org.insert("Lead", badEmail);
    Map<String, Object> huge = new HashMap<>(good);
    huge.put("Title", "T".repeat(100 * 1024));
    String bad2 = org.insert("Lead", huge);
    Map<String, Object> wrongType = new HashMap<>(good);
    wrongType.put("NumberOfEmployees", "lots");
    String bad3 = org.insert("Lead", wrongType);
    Map<String, Object> noName = new HashMap<>(good);
    noName.remove("LastName");
    String bad4 = org.insert("Lead", noName);

    pollLeadsOk();

    Map<String, String[]> dead = deadLetters();
    assertThat(dead.keySet()).containsExactlyInAnyOrder(bad1, bad2, bad3, bad4);
    assertThat(dead.get(bad1)[2]).isEqualTo("Email: 'dana@@globex' is not an e-mail address");
    assertThat(dead.get(bad2)[2]).isEqualTo("Title: 102400 characters, over the limit of 128");
    assertThat(dead.get(bad3)[2]).isEqualTo("NumberOfEmployees: 'lots' is not a number");
    assertThat(dead.get(bad4)[2]).isEqualTo("LastName: required value is missing");
    assertThat(dead.values()).allSatisfy(d -> assertThat(d[0]).isEqualTo("normalize"));
    assertThat(org.record("Lead", ok).hasNonNull("AIX_Score__c")).isTrue();
    assertThat(org.record("Lead", odd).hasNonNull("AIX_Score__c"))
        .as("odd Unicode is fine")
        .isTrue();
    assertThat(Sql.count(db, "select count(*) from lead where mapped_values like '%Nguyễn 👩‍💻%'"))
        .isEqualTo(1);
  }

  @Test
  void aDeletedRecordIsTombstonedAndNeverWrittenAgain() throws SQLException {
    List<String> ids = seed(3);
    pollLeadsOk();
    long writes = org.writeCalls();

    org.delete("Lead", ids.get(1));
    pollLeadsOk();

    assertThat(
            Sql.count(
                db,
                "select count(*) from lead where deleted_at is not null and crm_id = '"
                    + ids.get(1)
                    + "'"))
        .isEqualTo(1);
    assertThat(org.writeCalls()).isEqualTo(writes);
  }

  @Test
  void failedCallsAreRetriedByTheProfilesGuardAndNothingIsLost() {
    seed(5);
    org.faults().failNext(2, 503);
    pollLeadsOk();
    assertThat(org.records("Lead"))
        .as("two 503s are retried with backoff; every lead is written")
        .allSatisfy(r -> assertThat(r.hasNonNull("AIX_Score__c")).isTrue());
    assertThat(org.apiCalls()).as("queryAll and one write, plus the two refused").isEqualTo(4);

    seed(5);
    org.faults().failNext(100, 503);
    Exchange failed = pollCycle("Lead");
    assertThat(failed.getException()).isInstanceOf(CrmCallException.class);
    assertThat(((CrmCallException) failed.getException()).failure().kind())
        .as("retries outlasted: the cycle fails, the offset stays")
        .isEqualTo(CrmFailure.Kind.RETRIABLE);
    org.faults().clear();
    awaitBreakerHalfOpen();
    pollLeadsOk();
    assertThat(org.records("Lead"))
        .as("the next cycle brings all of them")
        .allSatisfy(r -> assertThat(r.hasNonNull("AIX_Score__c")).isTrue());

    org.dailyApiLimit(org.apiCalls());
    Exchange budget = pollCycle("Lead");
    assertThat(((CrmCallException) budget.getException()).failure())
        .as("a spent daily budget stops, it is not retried")
        .extracting(CrmFailure::kind, CrmFailure::code)
        .containsExactly(CrmFailure.Kind.BUDGET_EXHAUSTED, "REQUEST_LIMIT_EXCEEDED");
    long calls = org.apiCalls();
    Exchange again = pollCycle("Lead");
    assertThat(((CrmCallException) again.getException()).failure().code())
        .as("AIX remembers: no call until the window rolls")
        .isEqualTo("AIX_BUDGET");
    assertThat(org.apiCalls()).isEqualTo(calls);
  }

  @Test
  void aConcurrencyLimitCostsSecondsAndTheLeadsAreWrittenWhileTheDailyLimitStillPauses() {
    List<String> ids = seed(5);
    // Salesforce's refusal of too many long-running requests at once: 403 REQUEST_LIMIT_EXCEEDED,
    // "ConcurrentPerOrgLongTxn Limit exceeded.", the same status and code as the daily limit.
    org.faults().failNext(2, 403);
    long start = System.nanoTime();
    pollLeadsOk();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(ids)
        .as("the concurrency refusals are retried by the guard; every lead is scored and written")
        .allSatisfy(id -> assertThat(org.record("Lead", id).hasNonNull("AIX_Score__c")).isTrue());
    assertThat(budgets.budget(PROFILE).spent())
        .as("a concurrency refusal is not the daily limit: the profile is not paused")
        .isFalse();
    assertThat(took).as("the refusals cost seconds, not a day").isLessThan(Duration.ofSeconds(30));
    assertThat(org.apiCalls()).as("queryAll and one write, plus the two refused").isEqualTo(4);

    seed(3);
    org.dailyApiLimit(org.apiCalls());
    Exchange daily = pollCycle("Lead");
    assertThat(((CrmCallException) daily.getException()).failure())
        .as("TotalRequests Limit exceeded. is the daily limit: the profile pauses")
        .extracting(CrmFailure::kind, CrmFailure::code)
        .containsExactly(CrmFailure.Kind.BUDGET_EXHAUSTED, "REQUEST_LIMIT_EXCEEDED");
    assertThat(budgets.budget(PROFILE).spent()).isTrue();
    assertThat(budgets.budget(PROFILE).nextWindow())
        .as("until the budget's next window")
        .isAfter(java.time.Instant.now().plus(Duration.ofSeconds(30)));
  }

  @Test
  void aStaleSignalsValueIsClearedWhenTheNewScoreHasNone() {
    Map<String, Object> lead = new HashMap<>(new LeadGenerator(11, Clock.systemUTC()).lead());
    // Written by an earlier score; this lead has no engagement signals now.
    lead.put("AIX_Signals__c", "3 form submissions, last: demo request");
    String id = org.insert("Lead", lead);

    pollLeadsOk();

    JsonNode rec = org.record("Lead", id);
    assertThat(rec.hasNonNull("AIX_Score__c")).as("scored and written").isTrue();
    assertThat(rec.hasNonNull("AIX_Signals__c"))
        .as("an empty AIX_Signals__c is sent as an explicit null and clears the stale value")
        .isFalse();
    OrgReadback api =
        new OrgReadback(
            sandbox.salesforce().baseUrl(), "62.0", "aix-sandbox-client", "aix-sandbox-secret");
    assertThat(api.query("SELECT Id, AIX_Signals__c FROM Lead WHERE Id = '" + id + "'"))
        .singleElement()
        .satisfies(r -> assertThat(r.path("AIX_Signals__c").isNull()).isTrue());
  }

  @Test
  void aWriteWhoseAnswerWasLostIsConfirmedByReadingItBackAsSalesforceStoresIt() {
    // Ten leads: their conversion probabilities go out with two decimals (say 37.55 %), which
    // the Percent(3, 1) field keeps as 37.6; with ten, some surely have a second decimal.
    List<String> ids = seed(10);
    // The write and each of the guard's five retries is carried out, but every answer is lost.
    org.faults().loseAnswerOfNextUpdates(6);

    pollLeadsOk();

    assertThat(ids)
        .allSatisfy(id -> assertThat(org.record("Lead", id).hasNonNull("AIX_Score__c")).isTrue());
    assertThat(org.writeCalls())
        .as("the next batch reads the scores back, finds them shown and writes nothing more")
        .isEqualTo(6);
    assertThat(org.redundantWrites())
        .as("only the guard's five retries of the lost write, ten records each")
        .isEqualTo(5L * ids.size());
  }

  /** The test profile's breaker re-tries after 200 ms. */
  private static void awaitBreakerHalfOpen() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theSourceRoutesRunOnTheElectedLeader() throws Exception {
    List<String> ids = seed(20);
    intake.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && !ids.stream().allMatch(id -> org.record("Lead", id).hasNonNull("AIX_Score__c"))) {
        Thread.sleep(100);
      }
      assertThat(ids)
          .allSatisfy(id -> assertThat(org.record("Lead", id).hasNonNull("AIX_Score__c")).isTrue());
      try (var files = Files.list(Path.of("target/aix-cluster"))) {
        assertThat(files.map(p -> p.getFileName().toString()).toList())
            .as("the file lock cluster service's lock for the Lead source")
            .anyMatch(name -> name.contains("aix-demo-salesforce-Lead"));
      }
    } finally {
      intake.stop();
    }
  }
}
