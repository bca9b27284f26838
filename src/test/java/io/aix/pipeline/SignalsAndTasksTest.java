package io.aix.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.aix.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Engagement signals end to end: {@code POST /api/v1/signals} (idempotent, every bad signal named),
 * the record read and scored again with the signal's weight, the signal summary written to the CRM,
 * and the profile's hot-lead rules creating one Salesforce Task per lead and rule. AIX runs on a
 * copy of the shipped configuration whose Salesforce profile has hot-lead rules.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
@TestProfile(SignalsAndTasksTest.WithSalesforceTasks.class)
class SignalsAndTasksTest {
  static final String PROFILE = "demo-salesforce";
  static final Path DIR = withSalesforceTasks();

  /** The shipped configuration, with hot-lead rules on the Salesforce profile. */
  static Path withSalesforceTasks() {
    Path dir = io.aix.testing.ConfigCopy.create(null);
    try {
      Path profile = dir.resolve("crm-profiles/demo-salesforce.yaml");
      String shipped = Files.readString(profile).replaceAll("(?m)^tasks:\\n(?:[ #].*\\n)*", "");
      // Calls, meetings and campaign responses on leads are read as engagement too.
      Files.writeString(
          profile, shipped.replace("    changes: cdc\n", "    changes: cdc\n    activity: 1m\n"));
      Files.writeString(
          profile,
          """
          tasks:
            subject: "Hot lead: follow up"
            dueIn: 2d
            rules:
              - id: turned-a
                whenGrade: A
              - id: engagement-burst
                engagementRises: 25
                within: 24h
                subject: "Engagement burst: call today"
          """,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  public static class WithSalesforceTasks implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aix.config-dir", DIR.toString());
    }
  }

  @Inject Sandbox sandbox;
  @Inject PipelineDriver driver;
  @Inject io.agroal.api.AgroalDataSource db;
  @Inject ActivityStage activities;
  @Inject org.apache.camel.CamelContext camel;
  @Inject io.aix.profile.LiveCatalog catalog;

  SalesforceOrg org;

  @BeforeEach
  void clean() throws Exception {
    org = sandbox.salesforce().org();
    org.reset();
    sandbox.hubspot().portal().reset();
    driver.reset("engagement_signal");
  }

  private static String integrator() {
    return Tokens.of("ivy", "aix-integrator");
  }

  /** Junior leads (grade below A), scored by a first poll. */
  private List<String> scoredLeads(int n) {
    LeadGenerator generator = new LeadGenerator(21, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> lead = new HashMap<>(generator.lead());
      lead.put("Title", "Intern");
      ids.add(org.insert("Lead", lead));
    }
    assertThat(driver.cycle(PROFILE, "Lead").getException()).isNull();
    ids.forEach(id -> assertThat(org.record("Lead", id).hasNonNull("AIX_Score__c")).isTrue());
    return ids;
  }

  private static Map<String, Object> signal(
      String id, String recordId, String type, Instant occurredAt) {
    Map<String, Object> s = new HashMap<>();
    s.put("id", id);
    s.put("profile", PROFILE);
    s.put("object", "Lead");
    s.put("recordId", recordId);
    s.put("type", type);
    s.put("occurredAt", occurredAt.toString());
    return s;
  }

  private static Response post(Object body) {
    return given()
        .auth()
        .oauth2(integrator())
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/signals");
  }

  private long count(String sql) throws Exception {
    return Sql.count(db, sql);
  }

  @Test
  void aSignalRescoresTheLeadAndTheEngagementRuleGivesItsOwnerOneTask() throws Exception {
    List<String> ids = scoredLeads(3);
    String lead = ids.get(0);
    JsonNode before = org.record("Lead", lead).deepCopy();
    assertThat(
            before.path("AIX_Signals__c").isNull() || before.path("AIX_Signals__c").isMissingNode())
        .isTrue();
    assertThat(org.tasksOf(lead)).isEmpty();

    Instant now = Instant.now();
    post(Map.of("signals", List.of(signal("web-1", lead, "meeting", now.minusSeconds(60)))))
        .then()
        .statusCode(200)
        .body("received", equalTo(1))
        .body("accepted", equalTo(1))
        .body("duplicates", equalTo(0));
    driver.push(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");

    ObjectNode after = org.record("Lead", lead);
    assertThat(after.path("AIX_Engagement_Score__c").asDouble())
        .as("a meeting is worth 30 of 60 engagement points")
        .isGreaterThan(before.path("AIX_Engagement_Score__c").asDouble() + 40);
    assertThat(after.path("AIX_Signals__c").asText())
        .isEqualTo("1 meeting in 28 days; latest: meeting today");
    assertThat(after.path("AIX_Top_Factors__c").asText()).contains("1 meeting, latest today");

    List<ObjectNode> tasks = org.tasksOf(lead);
    assertThat(tasks).as("one task, for the engagement rule").hasSize(1);
    ObjectNode task = tasks.get(0);
    assertThat(task.path("Subject").asText()).isEqualTo("Engagement burst: call today");
    assertThat(task.path("WhoId").asText()).isEqualTo(lead);
    assertThat(task.path("OwnerId").asText()).isEqualTo(before.path("OwnerId").asText());
    assertThat(task.path("Status").asText()).isEqualTo("Not Started");
    assertThat(task.path("Priority").asText()).isEqualTo("High");
    assertThat(task.path("ActivityDate").asText())
        .isEqualTo(LocalDate.now(ZoneOffset.UTC).plusDays(2).toString());
    assertThat(task.path("Description").asText())
        .startsWith("Engagement rose 50 points in the last 24 h (the rule asks for 25).")
        .contains("Signals: 1 meeting in 28 days; latest: meeting today")
        .contains("[aix-task:demo-salesforce:Lead:" + lead + ":engagement-burst:");
    assertThat(org.tasksOf(ids.get(1))).as("no signal, no task").isEmpty();

    // More engagement while the lead is hot: scored again, still one open task for the rule.
    post(Map.of(
            "signals",
            List.of(
                signal("web-2", lead, "page_view", now),
                signal("web-3", lead, "form_submit", now))))
        .then()
        .statusCode(200)
        .body("accepted", equalTo(2));
    driver.push(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");
    assertThat(org.record("Lead", lead).path("AIX_Signals__c").asText())
        .isEqualTo(
            "1 page view, 1 form submitted, 1 meeting in 28 days; latest: form submitted today");
    assertThat(org.tasksOf(lead)).hasSize(1);
    assertThat(
            count(
                "select count(*) from lead_task where kind = 'engagement-burst' and closed_at is null"))
        .isEqualTo(1);

    // The same batch again: nothing stored twice, no notice, no read, no write.
    long calls = org.apiCalls();
    post(Map.of("signals", List.of(signal("web-1", lead, "meeting", now.minusSeconds(60)))))
        .then()
        .statusCode(200)
        .body("accepted", equalTo(0))
        .body("duplicates", equalTo(1));
    driver.push(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");
    assertThat(org.apiCalls()).isEqualTo(calls);
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(3);
    assertThat(count("select count(*) from inbound_event where kind = 'signal'")).isEqualTo(3);
  }

  @Test
  void badSignalsAreRefusedOneByOneWithWhyAndTheRestAreStoredOnce() throws Exception {
    String lead = scoredLeads(1).get(0);
    Instant now = Instant.now();
    List<Map<String, Object>> batch = new ArrayList<>();
    batch.add(signal("ok-1", lead, "email_click", now.minusSeconds(5)));
    batch.add(signal("future-1", lead, "page_view", now.plus(Duration.ofHours(2))));
    batch.add(signal("ancient-1", lead, "page_view", now.minus(Duration.ofDays(400))));
    batch.add(signal("unknown-1", "00Q5e000009ZZZZZZZ", "page_view", now));
    batch.add(signal("type-1", lead, "tweet", now));
    Map<String, Object> badTime = signal("time-1", lead, "page_view", now);
    badTime.put("occurredAt", "yesterday");
    batch.add(badTime);
    Map<String, Object> noId = signal("x", lead, "page_view", now);
    noId.remove("id");
    batch.add(noId);
    Map<String, Object> badProfile = signal("profile-1", lead, "page_view", now);
    badProfile.put("profile", "acme");
    batch.add(badProfile);
    Map<String, Object> badObject = signal("object-1", lead, "page_view", now);
    badObject.put("object", "Account");
    batch.add(badObject);
    batch.add(signal("ok-1", lead, "email_click", now.minusSeconds(5)));
    batch.add(null);

    Response r = post(Map.of("signals", batch));
    r.then()
        .statusCode(207)
        .body("received", equalTo(11))
        .body("accepted", equalTo(1))
        .body("duplicates", equalTo(1));
    List<Map<String, Object>> rejected = r.jsonPath().getList("rejected");
    assertThat(rejected)
        .extracting(m -> m.get("index"))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 10);
    assertThat(rejected.get(8).get("error")).isEqualTo("null is not a signal");
    assertThat(rejected.get(0).get("error").toString())
        .startsWith("occurredAt ")
        .contains("is in the future")
        .contains("clocks may differ by 5 minutes at most");
    assertThat(rejected.get(1).get("error").toString())
        .endsWith("is older than 90 days: it no longer counts toward engagement");
    assertThat(rejected.get(2).get("error").toString())
        .startsWith("unknown record: demo-salesforce has no Lead 00Q5e000009ZZZZZZZ yet");
    assertThat(rejected.get(3).get("error").toString())
        .isEqualTo(
            "unknown type 'tweet' (expected one of page_view, form_submit, email_open,"
                + " email_click, meeting, product_event)");
    assertThat(rejected.get(4).get("error").toString())
        .isEqualTo(
            "occurredAt 'yesterday' is not an ISO-8601 time with an offset, e.g."
                + " 2026-11-26T09:30:00Z");
    assertThat(rejected.get(5).get("error").toString()).startsWith("id is required");
    assertThat(rejected.get(5).get("id")).isNull();
    assertThat(rejected.get(6).get("error").toString())
        .isEqualTo("unknown profile 'acme' (expected one of demo-hubspot, demo-salesforce)");
    assertThat(rejected.get(7).get("error").toString())
        .isEqualTo(
            "profile demo-salesforce reads no object 'Account' (expected one of Lead, Contact)");
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(1);

    // The unknown record once AIX has read it: the same signal sent again is taken.
    String later = org.insert("Lead", new LeadGenerator(5, Clock.systemUTC()).lead());
    post(Map.of("signals", List.of(signal("late-1", later, "page_view", now))))
        .then()
        .statusCode(207);
    driver.cycle(PROFILE, "Lead");
    post(Map.of("signals", List.of(signal("late-1", later, "page_view", now))))
        .then()
        .statusCode(200)
        .body("accepted", equalTo(1));
  }

  @Test
  void batchesAreBoundedAndOnlyIntegratorsAndAdminsMaySend() {
    given()
        .auth()
        .oauth2(integrator())
        .contentType(ContentType.JSON)
        .body("{\"signals\": []}")
        .post("/api/v1/signals")
        .then()
        .statusCode(400)
        .body("error", equalTo("send {\"signals\": [...]} with 1 to 1000 signals"));
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(signal("s-" + i, "00Q5e000000AAAAAAA", "page_view", Instant.now()));
    }
    post(Map.of("signals", tooMany))
        .then()
        .statusCode(413)
        .body("error", equalTo("1001 signals in one batch; send at most 1000 per request"));
    given()
        .auth()
        .oauth2(Tokens.of("vic", "aix-viewer"))
        .contentType(ContentType.JSON)
        .body("{\"signals\": []}")
        .post("/api/v1/signals")
        .then()
        .statusCode(403);
    given().contentType(ContentType.JSON).body("{}").post("/api/v1/signals").then().statusCode(401);
  }

  @Test
  void aTaskWhoseAnswerWasLostIsFoundNotCreatedTwiceAndAQueueOwnedLeadKeepsItsTask()
      throws Exception {
    List<String> ids = scoredLeads(2);
    String lead = ids.get(0);
    String queued = ids.get(1);
    org.update("Lead", queued, Map.of("OwnerId", "00G5e000000QueueAAA"));
    driver.cycle(PROFILE, "Lead");
    Instant now = Instant.now();
    org.faults().loseAnswerOfNextCreations(1);
    post(Map.of(
            "signals",
            List.of(signal("m-1", lead, "meeting", now), signal("m-2", queued, "meeting", now))))
        .then()
        .statusCode(200);
    driver.push(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");
    // The tasks were created but AIX never heard so: the claims stay unsent, and the next batch
    // finds the tasks by their marker instead of creating them again.
    assertThat(org.tasksOf(lead)).hasSize(1);
    assertThat(count("select count(*) from lead_task where crm_task_id is null")).isEqualTo(2);
    org.update("Lead", ids.get(0), Map.of("Title", "Marketing Intern"));
    driver.cycle(PROFILE, "Lead");
    assertThat(org.tasksOf(lead)).hasSize(1);
    assertThat(org.tasksOf(queued)).hasSize(1);
    assertThat(count("select count(*) from lead_task where crm_task_id is not null")).isEqualTo(2);
    ObjectNode queueTask = org.tasksOf(queued).get(0);
    assertThat(queueTask.path("OwnerId").asText()).isEqualTo(SalesforceOrg.INTEGRATION_USER_ID);
    assertThat(queueTask.path("Description").asText())
        .contains("The lead is owned by 00G5e000000QueueAAA (a queue), so AIX kept this task.");
  }

  @Test
  void engagementTheCrmRecordsBecomesSignalsOnceEach() throws Exception {
    HubSpotPortal portal = sandbox.hubspot().portal();
    Map<String, String> contact = new LeadGenerator(3, Clock.systemUTC()).contact();
    Instant clicked =
        Instant.now().minus(Duration.ofHours(3)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    contact.put("hs_email_last_click_date", clicked.toString());
    contact.remove("recent_conversion_date");
    contact.remove("hs_email_last_open_date");
    contact.remove("engagements_last_meeting_booked");
    String id = portal.createContact(contact);
    driver.cycle("demo-hubspot", "contacts");
    assertThat(
            count(
                "select count(*) from engagement_signal where source = 'crm' and type ="
                    + " 'email_click' and crm_id = '"
                    + id
                    + "'"))
        .isEqualTo(1);
    assertThat(portal.contact(id).get("aix_signals"))
        .isEqualTo("1 e-mail link clicked in 28 days; latest: e-mail link clicked today");
    // Read again (another change): the same click is not a second signal.
    portal.updateContact(id, Map.of("jobtitle", "Head of Growth"), "CRM_UI");
    driver.cycle("demo-hubspot", "contacts");
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(1);
    // Only an engagement field changes (an e-mail opened): nothing AIX maps changed, yet the
    // record brings a signal AIX has not stored, so intake queues it and the score takes it in.
    String inputs = Sql.text(db, "select input_hash from lead where crm_id = '" + id + "'");
    Instant opened =
        Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    portal.updateContact(id, Map.of("hs_email_last_open_date", opened.toString()), "CRM_UI");
    driver.cycle("demo-hubspot", "contacts");
    assertThat(
            count(
                "select count(*) from engagement_signal where type = 'email_open' and crm_id = '"
                    + id
                    + "'"))
        .isEqualTo(1);
    assertThat(Sql.text(db, "select input_hash from lead where crm_id = '" + id + "'"))
        .as("processed again, with the open among its inputs")
        .isNotEqualTo(inputs);
  }

  private void readActivities() {
    org.apache.camel.Exchange e = new org.apache.camel.support.DefaultExchange(camel);
    e.getMessage().setHeader(PollStage.PROFILE, PROFILE);
    e.getMessage().setHeader(PollStage.OBJECT, "Lead");
    activities.poll(e);
  }

  private static String sfTime(Instant at) {
    return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx")
        .withZone(ZoneOffset.UTC)
        .format(at);
  }

  @Test
  void callsMeetingsAndCampaignResponsesLoggedInSalesforceBecomeSignals() throws Exception {
    assertThat(catalog.profile(PROFILE).object("Lead").orElseThrow().activity())
        .contains(Duration.ofMinutes(1));
    List<String> ids = scoredLeads(2);
    String lead = ids.get(0);
    Instant now = Instant.now();
    Map<String, Object> call = new HashMap<>();
    call.put("WhoId", lead);
    call.put("Subject", "Discovery call");
    call.put("TaskSubtype", "Call");
    call.put("Status", "Completed");
    call.put("Priority", "Normal");
    call.put("CompletedDateTime", sfTime(now.minus(Duration.ofHours(1))));
    org.insert("Task", call);
    Map<String, Object> chore = new HashMap<>(call);
    chore.put("Subject", "Send the deck");
    chore.put("TaskSubtype", "Task");
    chore.put("Type", "Other");
    org.insert("Task", chore); // a rep's to-do, not a conversation with the lead
    Map<String, Object> planned = new HashMap<>(call);
    planned.put("WhoId", ids.get(1));
    planned.put("Status", "Not Started");
    planned.remove("CompletedDateTime");
    org.insert("Task", planned); // not happened yet
    // A lead created a moment ago, with a call logged on it, that AIX has not read yet.
    String unread = org.insert("Lead", new LeadGenerator(99, Clock.systemUTC()).lead());
    Map<String, Object> firstCall = new HashMap<>(call);
    firstCall.put("WhoId", unread);
    org.insert("Task", firstCall);
    org.insert(
        "CampaignMember",
        Map.of(
            "CampaignId",
            "7015e000000WebinAAA",
            "LeadId",
            lead,
            "Status",
            "Responded",
            "HasResponded",
            true,
            "FirstRespondedDate",
            LocalDate.now(ZoneOffset.UTC).toString()));

    readActivities();
    assertThat(
            count(
                "select count(*) from engagement_signal where crm_id = '"
                    + lead
                    + "' and ((source = 'crm:Task' and type = 'meeting') or (source ="
                    + " 'crm:CampaignMember' and type = 'form_submit'))"))
        .isEqualTo(2);
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(2);
    assertThat(count("select count(*) from inbound_event where kind = 'activity'"))
        .as("the new lead AIX has not read: a notice to read it, no signal yet")
        .isEqualTo(1);
    driver.push(PROFILE, "Lead");
    driver.drain(PROFILE, "Lead");
    assertThat(org.record("Lead", unread).hasNonNull("AIX_Score__c")).isTrue();
    assertThat(org.record("Lead", lead).path("AIX_Signals__c").asText())
        .startsWith("1 form submitted, 1 meeting in 28 days; latest: ");
    assertThat(org.tasksOf(lead))
        .as("a meeting and a campaign response within a day: the engagement rule fires")
        .anyMatch(t -> t.path("Subject").asText().equals("Engagement burst: call today"));

    // Read again (the overlap): the same records add nothing, the new lead's call counts now;
    // two queries, one per source.
    long calls = org.apiCalls();
    readActivities();
    assertThat(org.apiCalls()).isEqualTo(calls + 2);
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(3);
    assertThat(count("select count(*) from engagement_signal where crm_id = '" + unread + "'"))
        .isEqualTo(1);
    assertThat(count("select count(*) from inbound_event where kind = 'signal'")).isEqualTo(3);
    assertThat(
            count(
                "select count(*) from source_offset where stream in ('Lead:activity:Task',"
                    + " 'Lead:activity:CampaignMember')"))
        .isEqualTo(2);
  }

  @Test
  void aBulkOfActivityIsReadPageAfterPageAndOnlyOnce() throws Exception {
    List<String> ids = scoredLeads(3);
    Map<String, Object> call = new HashMap<>();
    call.put("Subject", "Call");
    call.put("TaskSubtype", "Call");
    call.put("Status", "Completed");
    call.put("Priority", "Normal");
    for (int i = 0; i < 2200; i++) {
      if (i == 1500) {
        Thread.sleep(1100); // the rest a second later: queries compare whole seconds
      }
      call.put("WhoId", ids.get(i % 3));
      org.insert("Task", call);
    }
    readActivities();
    assertThat(count("select count(*) from engagement_signal where source = 'crm:Task'"))
        .as("2,000 in the first read, the rest in the one straight after it")
        .isEqualTo(2200);
    assertThat(org.queries("Task")).isEqualTo(2);
    readActivities(); // the overlap again: nothing new
    assertThat(count("select count(*) from engagement_signal")).isEqualTo(2200);
  }
}
