package io.aix.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
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
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox org's own history trains a model, which is promoted; every lead is then scored again
 * by it and its reasons appear in the org; a worthless challenger is not promoted; a corrupted
 * champion hands scoring back to the rules.
 */
@QuarkusTest
class ModelTrainingTest {
  static final String PROFILE = "demo-salesforce";

  @Inject ProducerTemplate camel;
  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject ModelTrainer trainer;
  @Inject ChampionCache champions;
  @Inject ModelSchedule schedule;
  @Inject io.aix.ops.AlertMonitor alerts;

  SalesforceOrg org;
  @Inject io.aix.pipeline.PipelineDriver driver;

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    driver.reset("model_version", "alert_episode", "model_training_attempt");
    champions.invalidate(PROFILE, "Lead");
  }

  /** Later tests in this application expect the rules scorer: leave no champion behind. */
  @org.junit.jupiter.api.AfterEach
  void noChampionLeftBehind() throws SQLException {
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

  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  private double count(String name, String source) {
    io.micrometer.core.instrument.Counter c =
        meters.find(name).tags("profile", PROFILE, "object", "Lead", "source", source).counter();
    return c == null ? 0 : c.count();
  }

  private String one(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : null;
    }
  }

  @Test
  void theOrgsHistoryTrainsAChampionThatRescoresEveryLead() throws SQLException {
    LeadGenerator generator = new LeadGenerator(99, Clock.systemUTC());
    for (int i = 0; i < 1600; i++) {
      org.insert("Lead", generator.lead());
    }
    pollLeads();
    assertThat(org.records("Lead"))
        .allSatisfy(r -> assertThat(r.path("AIX_Model_Version__c").asText()).startsWith("rules:"));
    // AIX's own writes read back by the next poll, up to date (else the overlap would read them
    // again after the promotion, and they would be scored as read, not from the stored state).
    pollLeads();

    ModelTrainer.Outcome first = trainer.train(PROFILE, "Lead");

    assertThat(first.promoted()).as(first.reason()).isTrue();
    assertThat((Double) first.metrics().get("auc")).as("test AUC").isGreaterThan(0.6);
    assertThat(one("select status from model_version where version = 1")).isEqualTo("champion");
    assertThat(one("select validation from model_version where version = 1"))
        .contains("\"rows\":1600")
        .contains("\"seniority\"");
    assertThat(one("select provenance from model_version where version = 1"))
        .as("Tribuo's provenance is kept")
        .contains("trainer");

    long writes = org.writeCalls();
    java.util.Map<String, Long> before = org.apiCallsByKind();
    double ingested = count("aix.leads.ingested", "poll");
    double rescored = count("aix.leads.scored", "stored");
    pollLeads();
    assertThat(count("aix.leads.ingested", "poll") - ingested)
        .as("no lead read from the org again")
        .isZero();
    assertThat(count("aix.leads.scored", "stored") - rescored)
        .as("every lead scored from the state AIX stored")
        .isEqualTo(1600);
    assertThat(org.writeCalls() - writes)
        .as("the whole population re-scored, written 200 a call")
        .isEqualTo(8);
    assertThat(org.apiCallsByKindSince(before))
        .as("re-scored from the state AIX stored: the cycle's poll (nothing changed), no re-read")
        .isEqualTo(java.util.Map.of("GET queryAll", 1L, "PATCH composite/sobjects", 8L));
    assertThat(one("select count(*) from rescore_request"))
        .as("the request is done")
        .isEqualTo("0");
    List<com.fasterxml.jackson.databind.node.ObjectNode> leads = org.records("Lead");
    assertThat(leads)
        .allSatisfy(
            r -> {
              assertThat(r.path("AIX_Model_Version__c").asText())
                  .startsWith("model:demo-salesforce/Lead@1");
              assertThat(r.path("AIX_Top_Factors__c").asText().length()).isBetween(1, 1024);
            });
    assertThat(leads)
        .as("the model's reasons speak of the lead's fields")
        .anyMatch(r -> r.path("AIX_Top_Factors__c").asText().contains("Seniority: "));

    writes = org.writeCalls();
    pollLeads();
    assertThat(org.writeCalls()).as("once re-scored, nothing to write").isEqualTo(writes);

    assertThat(alerts.check(java.time.Instant.now()))
        .as("the population it learned from has not drifted")
        .noneMatch(m -> m.contains("drifted"));
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("update score set probability = 0.97 where model_version like 'model:%'");
    }
    assertThat(alerts.check(java.time.Instant.now()))
        .anyMatch(m -> m.contains("scores of demo-salesforce Lead have drifted"));

    ModelTrainer.Outcome worthless = trainer.train(PROFILE, "Lead", true);
    assertThat(worthless.promoted()).as(worthless.reason()).isFalse();
    assertThat(worthless.reason()).startsWith("kept the champion");
    assertThat(one("select status from model_version where version = 2")).isEqualTo("rejected");
    assertThat(one("select outcome from model_training_attempt")).isEqualTo("rejected");
    assertThat(one("select status from model_version where version = 1")).isEqualTo("champion");
  }

  @Inject io.aix.persistence.ModelStore store;

  private void exec(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void repVerdictsAreStoredWithTheJudgedScoreAndTrainingWeighsThem() throws SQLException {
    LeadGenerator generator = new LeadGenerator(77, Clock.systemUTC());
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 1600; i++) {
      ids.add(org.insert("Lead", generator.lead()));
    }
    pollLeads();
    String a = ids.get(0);
    String b = ids.get(1);
    org.update("Lead", a, java.util.Map.of("AIX_Feedback__c", "Too high"));
    org.update("Lead", b, java.util.Map.of("AIX_Feedback__c", "Spot on"));
    pollLeads();
    assertThat(one("select count(*) from lead_feedback")).isEqualTo("2");
    assertThat(
            one(
                "select f.score = s.score and f.score_version = 1 from lead_feedback f join score s"
                    + " on s.crm_id = f.crm_id and s.version = 1 where f.crm_id = '"
                    + a
                    + "'"))
        .as("stored with the score the rep judged")
        .isEqualTo("t");
    org.update("Lead", a, java.util.Map.of("Title", "Head of Growth"));
    pollLeads();
    assertThat(one("select count(*) from lead_feedback"))
        .as("the same verdict again")
        .isEqualTo("2");
    org.update("Lead", a, java.util.Map.of("AIX_Feedback__c", "Too low"));
    pollLeads();
    assertThat(io.aix.persistence.ReactiveBridge.await(() -> store.feedback(PROFILE, "Lead")))
        .containsExactly(
            new io.aix.persistence.ModelStore.FeedbackCount("rules:default-rules@1", 1, 1, 1));

    // Fewer verdicts than minFeedback (20): they weigh in training, but cannot stop a promotion.
    ModelTrainer.Outcome first = trainer.train(PROFILE, "Lead");
    assertThat(first.promoted()).as(first.reason()).isTrue();
    assertThat(first.metrics().get("feedback").toString()).contains("verdicts=2");
    assertThat(one("select validation from model_version where version = 1"))
        .as("nothing to compare the first training set with")
        .contains("\"drift\":{\"againstVersion\":null");

    // The same leads, but every one now says it came from a partner: the set has drifted.
    exec(
        "update lead set mapped_values = jsonb_set(mapped_values::jsonb, '{leadSource}',"
            + " '\"Partner Referral\"')::text where profile_id = 'demo-salesforce'");
    // Thirty reps say scores of leads that did not convert were far too low.
    exec(
        "insert into lead_feedback (profile_id, crm_object, crm_id, feedback, score, probability,"
            + " score_version, model_version, given_at, recorded_at)"
            + " select profile_id, crm_object, crm_id, 'too_low', 99, 0.999, 1,"
            + " 'rules:default-rules@1', now(), now() from lead where profile_id = 'demo-salesforce'"
            + " and (mapped_values::jsonb ->> 'converted') = 'false' limit 30");
    ModelTrainer.Outcome second = trainer.train(PROFILE, "Lead");
    assertThat(second.promoted()).as(second.reason()).isFalse();
    assertThat(second.reason()).contains("rep verdicts");
    String report = one("select validation from model_version where version = 2");
    assertThat(report)
        .contains("\"againstVersion\":1")
        .contains("\"drifted\":[\"leadSource\"]")
        .contains("these moved (PSI over 0.25): leadSource");
  }

  @Test
  void aCorruptedChampionHandsScoringBackToTheRules() throws SQLException {
    LeadGenerator generator = new LeadGenerator(5, Clock.systemUTC());
    for (int i = 0; i < 1200; i++) {
      org.insert("Lead", generator.lead());
    }
    pollLeads();
    assertThat(trainer.train(PROFILE, "Lead").promoted()).isTrue();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("update model_version set model = 'not a model'::bytea where status = 'champion'");
    }
    champions.invalidate(PROFILE, "Lead");

    assertThat(champions.champion(PROFILE, "Lead")).isEmpty();
    String id = org.insert("Lead", generator.lead());
    pollLeads();
    assertThat(org.record("Lead", id).path("AIX_Model_Version__c").asText()).startsWith("rules:");
  }

  @Test
  void tooLittleHistoryKeepsTheRulesInCharge() throws SQLException {
    LeadGenerator generator = new LeadGenerator(3, Clock.systemUTC());
    for (int i = 0; i < 300; i++) {
      org.insert("Lead", generator.lead());
    }
    pollLeads();
    ModelTrainer.Outcome outcome = trainer.train(PROFILE, "Lead");
    assertThat(outcome.promoted()).isFalse();
    assertThat(outcome.reason())
        .contains("not enough history: 300 labelled leads")
        .contains("the rules scorer stays in charge");
    assertThat(one("select outcome || ': ' || reason from model_training_attempt"))
        .as("the refusal is kept for the API to show")
        .isEqualTo("refused: " + outcome.reason());
  }

  @Test
  void whileOneReplicaTrainsAnotherSkips() throws SQLException {
    try (Connection other = db.getConnection();
        Statement s = other.createStatement()) {
      s.execute("select pg_advisory_lock(hashtext('aix-model:demo-salesforce/Lead'))");
      assertThat(schedule.trainIfFirst(PROFILE, "Lead")).isEmpty();
      s.execute("select pg_advisory_unlock(hashtext('aix-model:demo-salesforce/Lead'))");
    }
    assertThat(schedule.trainIfFirst(PROFILE, "Lead"))
        .as("free again: it trains (and refuses the empty history)")
        .hasValueSatisfying(o -> assertThat(o.reason()).contains("one class only"));
  }
}
