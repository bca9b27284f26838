package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Salesforce Change Data Capture end to end: the sandbox org publishes change events over the
 * Streaming API (Bayeux), the real Camel Salesforce streaming consumer subscribes on the leader,
 * and AIX stores each event with its replay position in PostgreSQL. The demo profile takes Leads as
 * change events ({@code changes: cdc}, the poll every minute being the safety net).
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(ChangeEventIntakeTest.SmallStreamingBuffer.class)
class ChangeEventIntakeTest {
  /**
   * A streaming buffer of 1 MB instead of 64: a burst of a thousand changes overflows it, as a data
   * load of a hundred thousand overflows the real one.
   */
  public static class SmallStreamingBuffer implements io.quarkus.test.junit.QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aix.salesforce.streaming-buffer-mb", "1");
    }
  }

  private static final String PROFILE = "demo-salesforce";
  private static final String CEO = "Chief Executive Officer";

  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject IntakeController intake;
  @Inject PipelineDriver driver;
  @Inject MeterRegistry registry;
  @Inject org.apache.camel.ProducerTemplate producer;

  SalesforceOrg org;
  final List<String> log = new CopyOnWriteArrayList<>();
  final Handler logCapture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          log.add(
              r instanceof org.jboss.logmanager.ExtLogRecord e
                  ? e.getFormattedMessage()
                  : r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  static final Logger STAGE_LOG = Logger.getLogger(ChangeEventStage.class.getName());

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    driver.reset();
    STAGE_LOG.addHandler(logCapture);
  }

  @AfterEach
  void stop() {
    intake.stop();
    STAGE_LOG.removeHandler(logCapture);
  }

  /**
   * Leads with a junior title, loaded and scored by the first poll; then one change event taken.
   */
  private List<String> loadedLeads(int n) throws Exception {
    LeadGenerator generator = new LeadGenerator(11, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> lead = new HashMap<>(generator.lead());
      lead.put("Title", "Intern");
      ids.add(org.insert("Lead", lead));
    }
    intake.start();
    awaitTrue(
        "the first poll scores every lead",
        Duration.ofSeconds(60),
        () -> ids.stream().allMatch(id -> org.record("Lead", id).hasNonNull("AIX_Score__c")));
    Map<String, String> primed = stamps(ids.subList(0, 1));
    Thread.sleep(1000); // a new stamp, even at a clock that shows seconds
    org.update("Lead", ids.get(0), Map.of("Title", "Marketing Intern"));
    awaitAllRescored(primed);
    awaitTrue(
        "a change event taken and its replay id stored",
        Duration.ofSeconds(30),
        () -> storedPosition().startsWith("replay:"));
    intake.stop();
    return ids;
  }

  /** Changes every lead's title; yields their scoring stamps from before. */
  private Map<String, String> changeAll(List<String> ids) throws InterruptedException {
    Map<String, String> before = stamps(ids);
    Thread.sleep(1000);
    for (String id : ids) {
      org.update("Lead", id, Map.of("Title", CEO));
    }
    return before;
  }

  /** Each lead's scoring stamp in the org now: a new score shows as a new stamp. */
  private Map<String, String> stamps(List<String> ids) {
    Map<String, String> out = new HashMap<>();
    ids.forEach(id -> out.put(id, org.record("Lead", id).path("AIX_Scored_At__c").asText("")));
    return out;
  }

  private void awaitAllRescored(Map<String, String> before) throws Exception {
    awaitTrue(
        "every changed lead's new score readable in the org",
        Duration.ofSeconds(90),
        () ->
            stamps(List.copyOf(before.keySet())).entrySet().stream()
                .allMatch(
                    e -> !e.getValue().isEmpty() && !e.getValue().equals(before.get(e.getKey()))));
    awaitTrue("the queue drained", Duration.ofSeconds(30), () -> queued() == 0);
  }

  @Test
  void aRestartResumesFromTheStoredReplayIdAndScoresEachChangeOnce() throws Exception {
    List<String> ids = loadedLeads(500);
    String stored = storedPosition();
    long storedReplayId = Long.parseLong(stored.substring(7, stored.indexOf('|')));
    Instant stoppedAt = Instant.now();
    Map<String, String> before = changeAll(ids); // 500 changes while AIX is down
    double pushedBefore = scored("push");
    double polledBefore = scored("poll");
    long writesBefore = org.writeCalls();
    intake.start();
    awaitAllRescored(before);

    List<Long> asked = org.stream().requestedReplayIds();
    assertThat(asked.get(asked.size() - 1))
        .as("the subscription resumed after the stored replay id")
        .isEqualTo(storedReplayId);
    assertThat(org.stream().refusedReplayIds()).isEmpty();
    assertThat(scored("push") - pushedBefore).as("each change scored exactly once").isEqualTo(500);
    assertThat(scored("poll") - polledBefore).as("no poll needed").isZero();
    long writes = org.writeCalls();
    Thread.sleep(1500);
    assertThat(org.writeCalls()).as("no write caused by the writes' echoes").isEqualTo(writes);
    assertThat(writes - writesBefore).as("sObject Collections calls of up to 200").isLessThan(30);
    assertThat(org.redundantWrites()).as("no score written twice").isZero();
    assertThat(
            Sql.count(
                db,
                "select count(distinct crm_id) from inbound_event where kind = 'cdc.UPDATE'"
                    + " and received_at > '"
                    + stoppedAt
                    + "'"))
        .isEqualTo(500);
    assertThat(Sql.count(db, "select count(*) from dead_letter")).isZero();
  }

  @Test
  void anExpiredReplayIdFallsBackToAWatermarkPollOverTheGap() throws Exception {
    List<String> ids = loadedLeads(500);
    Map<String, String> before = changeAll(ids);
    // 73 hours pass: the org no longer keeps the events, and the stored position is that old.
    org.stream().expireAll();
    String stored = storedPosition();
    String old =
        stored.substring(0, stored.indexOf('|') + 1) + Instant.now().minus(Duration.ofHours(73));
    Sql.exec(db, "update source_offset set position = '" + old + "' where stream = 'Lead:cdc'");
    double polledBefore = scored("poll");
    double pushedBefore = scored("push");

    intake.start();
    awaitAllRescored(before);

    assertThat(log)
        .anyMatch(
            m ->
                m.contains("older than the 72-hour retention")
                    && m.contains("falling back to a watermark poll over the gap"));
    List<Long> asked = org.stream().requestedReplayIds();
    assertThat(asked.get(asked.size() - 1)).as("subscribed at the newest event").isEqualTo(-1L);
    assertThat(scored("poll") - polledBefore)
        .as("the gap's 500 changes scored once each, by the poll")
        .isEqualTo(500);
    assertThat(scored("push") - pushedBefore).isZero();
  }

  @Test
  void aReplayIdTheOrgRefusesIsHeardAndTheGapPolled() throws Exception {
    List<String> ids = loadedLeads(200);
    Map<String, String> before = changeAll(ids);
    // The org lost its events (the stored id is recent, but refused): Camel falls back to the
    // newest event by itself; AIX hears the refusal and polls the gap.
    org.stream().expireAll();
    String stored = storedPosition();
    long storedReplayId = Long.parseLong(stored.substring(7, stored.indexOf('|')));
    double polledBefore = scored("poll");

    intake.start();
    awaitAllRescored(before);

    // Camel may subscribe again with the same id before it falls back (a reconnect under load),
    // so the org can refuse it more than once: what counts is that only the stored id was refused.
    assertThat(org.stream().refusedReplayIds()).isNotEmpty().containsOnly(storedReplayId);
    assertThat(log)
        .anyMatch(
            m ->
                m.contains("refused the stored replay id " + storedReplayId)
                    && m.contains("watermark poll over the gap"));
    assertThat(scored("poll") - polledBefore).isEqualTo(200);
  }

  @Test
  void theFilteredChannelDeliversUsersChangesAndNotAixsOwnWrites() throws Exception {
    List<String> ids = loadedLeads(50);
    intake.start();
    Thread.sleep(1000);
    long aixsBefore = org.stream().deliveredCommittedBy(SalesforceOrg.INTEGRATION_USER_ID);
    double echoesBefore = changeEvents("echo");
    double takenBefore = changeEvents("taken");
    Map<String, String> before = changeAll(ids);
    awaitAllRescored(before);
    long writes = org.writeCalls();
    Thread.sleep(2000);

    // The demo profile reads Lead changes from AIX_Lead__chn, whose member leaves out changes
    // committed by AIX's integration user (as the README has an admin set it up).
    assertThat(org.stream().deliveredCommittedBy(SalesforceOrg.INTEGRATION_USER_ID) - aixsBefore)
        .as("none of the 50 score writes' echoes delivered")
        .isZero();
    assertThat(changeEvents("taken") - takenBefore)
        .as("the 50 users' changes taken as events")
        .isEqualTo(50);
    assertThat(changeEvents("echo") - echoesBefore).as("no echo reached AIX").isZero();
    assertThat(org.writeCalls()).as("no write after the scores").isEqualTo(writes);
    assertThat(log).noneMatch(m -> m.contains("AIX's own writes come back"));
  }

  /**
   * Once the subscription is confirmed and a full poll ran after it, polls leave out the records
   * AIX's own user changed last (each bulk writeback's rows would otherwise be read back): every
   * other change came as an event. When the stream breaks (here: the org refuses delivery), the
   * next poll reads everything again.
   */
  @Test
  void whileTheStreamIsLiveSinceAFullReadPollsLeaveOutAixsOwnWritesAndNotAfterABreak()
      throws Exception {
    List<String> ids = loadedLeads(20);
    intake.start();
    awaitTrue(
        "the subscription confirmed",
        Duration.ofSeconds(60),
        () -> coverage.liveSince(PROFILE, "Lead").isPresent());
    pollNow();
    assertThat(lastPollConditions())
        .as("the first poll after a start reads everything")
        .doesNotContain("LastModifiedById");
    assertThat(coverage.readOnce(PROFILE, "Lead")).isTrue();

    pollNow();
    assertThat(lastPollConditions())
        .as("then polls leave out AIX's own writes")
        .isEqualTo("Lead: SystemModstamp >= LastModifiedById !=");
    double refusalsBefore = refusals();
    org.stream().deliveryAllocation((int) org.stream().delivered());
    org.update("Lead", ids.get(1), Map.of("Title", CEO));
    // Counted on each refusal (the warning is logged at most every ten minutes).
    awaitTrue(
        "AIX heard Salesforce refuse delivery",
        Duration.ofSeconds(60),
        () -> refusals() > refusalsBefore);
    // (Camel handshakes again at once and may be confirmed again before the poll: the full read
    // that began before the break does not count after it either way.)
    pollNow();
    assertThat(lastPollConditions())
        .as("after a break the poll reads everything")
        .doesNotContain("LastModifiedById");
  }

  @Inject PollCoverage coverage;

  private double refusals() {
    Counter c = registry.find("aix.change.events.refused").counter();
    return c == null ? 0 : c.count();
  }

  /** One poll cycle of Lead now (the demo profile's runs every minute). */
  private void pollNow() {
    assertThat(driver.poll(PROFILE, "Lead").getException()).as("poll cycle").isNull();
  }

  /** The conditions of the last poll query the org ran (reads by id left out). */
  private String lastPollConditions() {
    List<String> wheres = org.recentWheres();
    for (int i = wheres.size() - 1; i >= 0; i--) {
      if (wheres.get(i).startsWith("Lead: SystemModstamp")) {
        return wheres.get(i);
      }
    }
    return "";
  }

  @Test
  void onAChannelWithoutTheFilterEchoesCauseNoWritesAndAixSaysWhichFilterToSet() throws Exception {
    // An admin made the channel's member but left out its filter: every change comes, AIX's too.
    org.stream().defineChannel("AIX_Lead__chn", "Lead", "");
    List<String> ids = loadedLeads(50);
    intake.start();
    Thread.sleep(1000);
    double echoesBefore = changeEvents("echo");
    Instant changedAt = Instant.now();
    Map<String, String> before = changeAll(ids);
    awaitAllRescored(before);
    long writes = org.writeCalls();
    // Lead queries, not all calls: the Contact poll (every 10 s) may fall in this window.
    long leadQueries = org.queries("Lead");
    awaitTrue(
        "the 50 writes' change events taken as echoes",
        Duration.ofSeconds(20),
        () -> changeEvents("echo") - echoesBefore >= 50);
    Thread.sleep(2000);

    assertThat(org.writeCalls()).as("no write after the echoes").isEqualTo(writes);
    assertThat(org.queries("Lead")).as("not even a read").isEqualTo(leadQueries);
    assertThat(
            Sql.count(
                db, "select count(*) from inbound_event where received_at > '" + changedAt + "'"))
        .as("a notice per change, none per echo")
        .isEqualTo(50);
    assertThat(log)
        .as("the exact filter, with AIX's user id taken from the echo")
        .anyMatch(
            m ->
                m.contains("AIX_Lead__chn")
                    && m.contains(
                        "ChangeEventHeader.commitUser != '"
                            + SalesforceOrg.INTEGRATION_USER_ID
                            + "'"));
  }

  @Test
  void whenTheOrgsDeliveryAllocationIsSpentChangesComeThroughThePollAndAixSaysWhy()
      throws Exception {
    List<String> ids = loadedLeads(20);
    intake.start();
    Thread.sleep(1000);
    // Other clients of the org spent its 24-hour allocation: Salesforce refuses to deliver.
    org.stream().deliveryAllocation((int) org.stream().delivered());
    double takenBefore = changeEvents("taken");
    double polledBefore = scored("poll");
    Map<String, String> before = changeAll(ids);
    awaitTrue(
        "AIX heard Salesforce refuse delivery",
        Duration.ofSeconds(60),
        () -> log.stream().anyMatch(m -> m.contains("refused to deliver change events")));
    // The safety-net poll runs every minute; run its cycle now instead of waiting for it.
    producer.sendBodyAndHeaders(
        "direct:poll-cycle", null, Map.of(PollStage.PROFILE, PROFILE, PollStage.OBJECT, "Lead"));
    awaitAllRescored(before);

    assertThat(changeEvents("taken") - takenBefore).as("no change event delivered").isZero();
    assertThat(scored("poll") - polledBefore).as("each change scored by the poll").isEqualTo(20);
    assertThat(registry.find("aix.change.events.refused").counter())
        .as("the refusals counted")
        .isNotNull()
        .satisfies(c -> assertThat(c.count()).isPositive());
  }

  @Test
  void aBurstTooLargeToReadAtOnceIsPolledAndTheStreamGoesOnFromTheNewestEvent() throws Exception {
    List<String> ids = loadedLeads(1500);
    // A data load while AIX is down: on restart the first answer holds all 1,500 events, about
    // 1.5 MB, over the client's buffer. Camel's client would ask for the same batch forever.
    Map<String, String> before = stamps(ids);
    Thread.sleep(1000);
    String padding = "x".repeat(600);
    for (String id : ids) {
      org.update("Lead", id, Map.of("Title", CEO, "Description", padding));
    }
    double polledBefore = scored("poll");
    intake.start();
    awaitTrue(
        "AIX heard the batch was too large",
        Duration.ofSeconds(60),
        () -> log.stream().anyMatch(m -> m.contains("too large to read")));
    awaitAllRescored(before);
    assertThat(scored("poll") - polledBefore)
        .as("the burst read by the poll over the gap")
        .isGreaterThanOrEqualTo(1500);

    awaitTrue(
        "subscribed again at the newest event",
        Duration.ofSeconds(30),
        () -> {
          List<Long> asked = org.stream().requestedReplayIds();
          return asked.get(asked.size() - 1) == -1L;
        });
    // The stream works again: a user's change arrives as an event within seconds.
    double takenBefore = changeEvents("taken");
    Map<String, String> one = stamps(ids.subList(0, 1));
    Thread.sleep(1000);
    org.update("Lead", ids.get(0), Map.of("Title", "Marketing Intern"));
    awaitAllRescored(one);
    assertThat(changeEvents("taken") - takenBefore).isEqualTo(1);
  }

  @Test
  void badEventsGoToTheDeadLettersAndTheStreamGoesOn() throws Exception {
    List<String> ids = loadedLeads(5);
    intake.start();
    Thread.sleep(1000);
    var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    // A Contact change on the Lead channel, ids that are not Salesforce ids, no header at all,
    // and a well-formed change of a record the org does not have.
    var wrongEntity = nodes.objectNode();
    wrongEntity
        .putObject("ChangeEventHeader")
        .put("entityName", "Contact")
        .put("changeType", "UPDATE")
        .put("commitTimestamp", System.currentTimeMillis())
        .put("transactionKey", "tx-1")
        .putArray("recordIds")
        .add("003000000000001AAA");
    org.stream().publishRaw("Lead", wrongEntity);
    var badId = wrongEntity.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) badId.get("ChangeEventHeader"))
        .put("entityName", "Lead")
        .put("transactionKey", "tx-2")
        .putArray("recordIds")
        .add("00Q' OR Name != '");
    org.stream().publishRaw("Lead", badId);
    org.stream().publishRaw("Lead", nodes.objectNode().put("Title", "no header"));
    var unknown = wrongEntity.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) unknown.get("ChangeEventHeader"))
        .put("entityName", "Lead")
        .put("transactionKey", "tx-3")
        .putArray("recordIds")
        .add("00Q5e00000NoSuchAAA".substring(0, 18));
    org.stream().publishRaw("Lead", unknown);
    Map<String, String> before = stamps(ids.subList(1, 2));
    Thread.sleep(1000);
    org.update("Lead", ids.get(1), Map.of("Title", CEO));

    awaitAllRescored(before);
    awaitTrue(
        "both refusals dead-lettered",
        Duration.ofSeconds(10),
        () -> countOrZero("select count(*) from dead_letter where stage = 'cdc'") == 2);
    assertThat(
            Sql.count(
                db,
                "select count(*) from dead_letter where stage = 'cdc' and crm_id is null"
                    + " and ((error_code = 'WRONG_ENTITY' and reason like '%''Contact''%')"
                    + " or (error_code = 'BAD_RECORD_ID' and payload like '%OR Name%'))"))
        .isEqualTo(2);
    assertThat(
            Sql.count(
                db,
                "select count(*) from inbound_event where crm_id = '00Q5e00000NoSuchAA'"
                    + " and processed_at is not null"))
        .as("the unknown record's notice is done: nothing to read, nothing queued")
        .isEqualTo(1);
    assertThat(Sql.count(db, "select count(*) from lead where crm_id = '00Q5e00000NoSuchAA'"))
        .isZero();
  }

  @Test
  void anUnreadableStoredPositionIsLoggedAndTheGapPolled() throws Exception {
    List<String> ids = loadedLeads(20);
    Map<String, String> before = changeAll(ids);
    Sql.exec(
        db,
        "update source_offset set position = 'replay:not-a-number|yesterday'"
            + " where stream = 'Lead:cdc'");
    intake.start();
    awaitAllRescored(before);
    assertThat(log).anyMatch(m -> m.contains("stored change event position is unreadable"));
    List<Long> asked = org.stream().requestedReplayIds();
    assertThat(asked.get(asked.size() - 1)).isEqualTo(-1L);
  }

  private double scored(String source) {
    Counter c =
        registry
            .find("aix.leads.scored")
            .tags("profile", PROFILE, "object", "Lead", "source", source)
            .counter();
    return c == null ? 0 : c.count();
  }

  private double changeEvents(String outcome) {
    Counter c =
        registry
            .find("aix.change.events")
            .tags("profile", PROFILE, "object", "Lead", "outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  private String storedPosition() {
    try {
      String position =
          Sql.text(
              db,
              "select position from source_offset where profile_id = '"
                  + PROFILE
                  + "' and stream = 'Lead:cdc'");
      return position == null ? "" : position;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long queued() {
    return countOrZero(
        "select count(*) from work_item where profile_id = '"
            + PROFILE
            + "'"
            + " and crm_object = 'Lead'");
  }

  private long countOrZero(String sql) {
    try {
      return Sql.count(db, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(100);
    }
  }
}
