package io.aix.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.aix.connector.hubspot.WebhookSignature;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.PortalReadback;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HubSpot connector and the pipeline against the sandbox portal over real HTTP, with the real
 * PostgreSQL: poll, batch writeback (refusals: HubSpotContractTest), tasks, webhooks. Poll cycles
 * run synchronously through the routes the timers run ({@link PipelineDriver}).
 */
@QuarkusTest
class HubSpotPipelineTest {
  static final String PROFILE = "demo-hubspot";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "aix-hubspot-app-secret";

  @Inject ProducerTemplate camel;
  @Inject Sandbox sandbox;
  @Inject AgroalDataSource db;
  @Inject IntakeController intake;
  @Inject PipelineDriver driver;

  @ConfigProperty(name = "quarkus.http.test-port", defaultValue = "8081")
  int port;

  HubSpotPortal portal;

  @BeforeEach
  void cleanPortalAndDatabase() throws SQLException {
    portal = sandbox.hubspot().portal();
    portal.reset();
    driver.reset();
  }

  private List<String> seed(int n) {
    LeadGenerator generator = new LeadGenerator(11, Clock.systemUTC());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(portal.createContact(generator.contact()));
    }
    return ids;
  }

  /** One poll cycle, after the clock has passed every stamp the seeding made. */
  private void pollOk() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Exchange e = driver.cycle(PROFILE, "contacts");
    assertThat(e.getException()).as("poll cycle failure").isNull();
  }

  private long calls(String request) {
    return portal.requests().stream().filter(r -> r.toString().equals(request)).count();
  }

  /**
   * Update calls made before AIX (re)installed its properties: when an earlier test left the
   * connector believing they exist, the first write is refused for the missing properties, AIX
   * installs them and writes again.
   */
  private long refusedForMissingProperties() {
    long refused = 0;
    for (HubSpotPortal.Request r : portal.requests()) {
      if (r.toString().equals("POST /crm/v3/properties/contacts/groups")) {
        return refused;
      }
      if (r.toString().equals("POST /crm/v3/objects/contacts/batch/update")) {
        refused++;
      }
    }
    return refused;
  }

  private PortalReadback readback() {
    return new PortalReadback(sandbox.hubspot().baseUrl(), "pat-na1-aix-sandbox");
  }

  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  /** Records a poll left out as up to date: looked at, mapped, and found asking for nothing. */
  private double echoes() {
    io.micrometer.core.instrument.Counter c =
        registry
            .find("aix.leads.echoes")
            .tags("profile", PROFILE, "object", "contacts", "source", "poll")
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aixsOwnWritesReadAgainByTheOverlapAreLookedAtOnce() {
    seed(30);
    pollOk();
    long updates = calls("POST /crm/v3/objects/contacts/batch/update");
    assertThat(updates).as("the 30 scores written").isPositive();
    double before = echoes();
    // The next cycle reads the writes back (their lastmodifieddate moved): up to date.
    pollOk();
    assertThat(echoes() - before)
        .as("each write read back, mapped, found up to date")
        .isEqualTo(30);
    // The one after reads them again: the profile's two-minute overlap still covers their stamps.
    // Their versions were taken: skipped by change key, not mapped a second time.
    long searches = calls("POST /crm/v3/objects/contacts/search");
    pollOk();
    assertThat(calls("POST /crm/v3/objects/contacts/search"))
        .as("the overlap did read them again")
        .isGreaterThan(searches);
    assertThat(echoes() - before).as("looked at once").isEqualTo(30);
    assertThat(calls("POST /crm/v3/objects/contacts/batch/update")).isEqualTo(updates);
  }

  @Test
  void aWriteWhoseConfirmationWasLostIsReadBackNotWrittenAgain() throws SQLException {
    List<String> ids = seed(20);
    pollOk();
    // As if AIX died after HubSpot took the writes and before it recorded them.
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("update lead set written_version = 0 where profile_id = '" + PROFILE + "'");
    }
    long updates = calls("POST /crm/v3/objects/contacts/batch/update");
    portal.updateContact(ids.get(0), Map.of("jobtitle", "Chief Executive Officer"), "CRM_UI");
    String untouched = portal.contact(ids.get(1)).get("lastmodifieddate");

    pollOk();

    assertThat(calls("POST /crm/v3/objects/contacts/batch/update"))
        .as("only the changed contact is written")
        .isEqualTo(updates + 1);
    assertThat(portal.contact(ids.get(1)).get("lastmodifieddate"))
        .as("the others were read back, found written, and not written again")
        .isEqualTo(untouched);
    assertThat(Sql.count(db, "select count(*) from lead where written_version < score_version"))
        .isZero();
  }

  @Test
  void aTaskCreatedWithoutAnAnswerIsFoundNotCreatedTwice() throws SQLException {
    seed(200);
    // HubSpot creates the tasks, but the connection resets before its answer reaches AIX.
    portal.faults().loseAnswerOfNextCreations(1);
    pollOk();
    int created = portal.taskCount();
    assertThat(created).as("the portal made them").isPositive();
    assertThat(Sql.count(db, "select count(*) from lead_task where crm_task_id is null"))
        .as("AIX does not know yet")
        .isEqualTo(created);

    assertThat(driver.drain(PROFILE, "contacts").getException()).isNull();

    assertThat(portal.taskCount()).as("found by their keys, not created again").isEqualTo(created);
    assertThat(Sql.count(db, "select count(*) from lead_task where crm_task_id is null")).isZero();
    assertThat(calls("POST /crm/v3/objects/tasks/batch/create")).isEqualTo(1);
  }

  @Test
  void pollsWritesBackCreatesOneTaskPerHotLeadAndASecondCycleWritesNothing() {
    List<String> ids = seed(450);

    pollOk();

    assertThat(calls("POST /crm/v3/objects/contacts/batch/update") - refusedForMissingProperties())
        .as("450 contacts in batches of 100")
        .isEqualTo(5);
    List<JsonNode> scored =
        readback().scoredContacts(List.of("aix_score", "aix_grade", "aix_top_factors"));
    assertThat(scored).as("every contact, read back through the portal's own API").hasSize(450);
    assertThat(portal.properties("contacts"))
        .as("the aix group's properties were installed")
        .containsKeys("aix_score", "aix_grade", "aix_top_factors", "aix_model_version");
    List<String> hot =
        scored.stream()
            .filter(r -> r.path("properties").path("aix_grade").asText().equals("A"))
            .map(r -> r.path("id").asText())
            .toList();
    assertThat(hot).as("the seeded data has hot leads").isNotEmpty();
    for (String id : hot) {
      List<String> tasks = readback().tasksOf(id);
      assertThat(tasks).as("exactly one task for hot contact %s", id).hasSize(1);
      Map<String, String> task = portal.task(tasks.get(0));
      assertThat(task.get("hs_task_subject")).isEqualTo("Hot lead: call within a day");
      assertThat(task.get("hs_task_body")).contains("AIX score").contains("grade A");
      assertThat(task.get("hubspot_owner_id"))
          .isEqualTo(portal.contact(id).get("hubspot_owner_id"));
    }
    assertThat(portal.taskCount()).isEqualTo(hot.size());
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .as("per-profile figures for Prometheus")
        .contains(
            "aix_leads_written_total{object=\"contacts\",profile=\"demo-hubspot\",source=\"poll\"}")
        .contains("aix_change_to_score_seconds")
        .contains("aix_lead_score_bucket")
        .contains("aix_api_calls{crm=\"hubspot\",profile=\"demo-hubspot\"}");
    assertThat(calls("POST /crm/v3/objects/tasks/batch/create"))
        .as("the cycle's tasks go in one batch")
        .isEqualTo(1);

    long updates = calls("POST /crm/v3/objects/contacts/batch/update");
    long taskCalls = calls("POST /crm/v3/objects/tasks/batch/create");
    pollOk();
    assertThat(calls("POST /crm/v3/objects/contacts/batch/update"))
        .as("AIX's own writes come back as changes, are recognised and not written again")
        .isEqualTo(updates);
    assertThat(calls("POST /crm/v3/objects/tasks/batch/create")).isEqualTo(taskCalls);
    assertThat(portal.taskCount())
        .as("no second task for a lead that stays hot")
        .isEqualTo(hot.size());

    String cold = ids.stream().filter(id -> !hot.contains(id)).findFirst().orElseThrow();
    portal.updateContact(
        cold,
        Map.of(
            "jobtitle", "Chief Executive Officer",
            "numemployees", "1000+",
            "hs_analytics_source", "REFERRALS",
            "notes_last_updated", java.time.Instant.now().toString()),
        "CRM");
    pollOk();
    assertThat(calls("POST /crm/v3/objects/contacts/batch/update"))
        .as("one changed contact, one write call")
        .isEqualTo(updates + 1);
    assertThat(portal.contact(cold).get("aix_top_factors")).contains("Executive buyer (c-level)");
  }

  @Test
  void everyRequestAixSendsHasTheShapeOfHubSpotsApiReference() throws Exception {
    seed(120);
    pollOk();

    assertThat(portal.requests()).isNotEmpty();
    Set<String> known =
        Set.of(
            "POST /crm/v3/objects/contacts/search",
            "POST /crm/v3/objects/contacts/batch/update",
            "POST /crm/v3/objects/tasks/batch/create",
            "POST /crm/v3/properties/contacts/groups",
            "GET /crm/v3/properties/contacts",
            "POST /crm/v3/properties/contacts/batch/create");
    for (HubSpotPortal.Request r : portal.requests()) {
      assertThat(known).as("endpoint of %s", r).contains(r.toString());
      if (r.method().equals("GET")) {
        continue;
      }
      JsonNode body = JSON.readTree(r.body());
      switch (r.path()) {
        case "/crm/v3/objects/contacts/search" -> {
          assertThat(body.fieldNames())
              .toIterable()
              .containsExactlyInAnyOrder("filterGroups", "sorts", "properties", "limit");
          assertThat(body.path("limit").asInt()).isBetween(1, 200);
          assertThat(body.path("sorts")).hasSize(1);
          assertThat(body.path("sorts").get(0).path("direction").asText())
              .isIn("ASCENDING", "DESCENDING");
          assertThat(body.path("filterGroups").size()).isBetween(1, 5);
          for (JsonNode f : body.path("filterGroups").get(0).path("filters")) {
            assertThat(f.path("propertyName").isTextual()).isTrue();
            assertThat(f.path("operator").asText()).isIn("EQ", "GT", "GTE", "LT");
            assertThat(f.path("value").isTextual()).as("values are strings").isTrue();
          }
          assertThat(body.path("properties")).isNotEmpty();
        }
        case "/crm/v3/objects/contacts/batch/update" -> {
          assertThat(body.path("inputs").size()).isBetween(1, 100);
          for (JsonNode in : body.path("inputs")) {
            assertThat(in.fieldNames()).toIterable().containsExactly("id", "properties");
            in.path("properties")
                .fields()
                .forEachRemaining(
                    p -> {
                      assertThat(p.getKey()).startsWith("aix_");
                      assertThat(p.getValue().isTextual()).as("HubSpot takes strings").isTrue();
                    });
          }
        }
        case "/crm/v3/objects/tasks/batch/create" -> {
          for (JsonNode in : body.path("inputs")) {
            JsonNode p = in.path("properties");
            assertThat(p.path("hs_timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
            assertThat(p.path("hs_task_status").asText()).isEqualTo("NOT_STARTED");
            assertThat(p.path("hs_task_priority").asText()).isEqualTo("HIGH");
            assertThat(p.path("hs_task_type").asText()).isEqualTo("TODO");
            JsonNode type = in.path("associations").get(0).path("types").get(0);
            assertThat(type.path("associationCategory").asText()).isEqualTo("HUBSPOT_DEFINED");
            assertThat(type.path("associationTypeId").asInt()).as("task to contact").isEqualTo(204);
            assertThat(in.path("objectWriteTraceId").asText()).contains(":hot:");
          }
        }
        case "/crm/v3/properties/contacts/groups" -> {
          assertThat(body.path("name").asText()).isEqualTo("aix");
          assertThat(body.has("label")).isTrue();
        }
        case "/crm/v3/properties/contacts/batch/create" -> {
          for (JsonNode in : body.path("inputs")) {
            assertThat(in.path("name").asText()).startsWith("aix_");
            assertThat(in.path("groupName").asText()).isEqualTo("aix");
            assertThat(in.path("type").asText())
                .isIn("number", "enumeration", "string", "datetime");
            assertThat(in.path("fieldType").asText())
                .isIn("number", "select", "text", "textarea", "date");
          }
        }
        default -> throw new AssertionError("unexpected " + r);
      }
    }
  }

  @Test
  void theSandboxAnswersInHubSpotsShapes() throws Exception {
    seed(3);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = sandbox.hubspot().baseUrl();
    java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> post =
        (path, body) -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                    .header("Authorization", "Bearer pat-na1-aix-sandbox")
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    var search =
        post.apply("/crm/v3/objects/contacts/search", "{\"limit\":2,\"properties\":[\"email\"]}");
    JsonNode page = JSON.readTree(search.body());
    assertThat(search.statusCode()).isEqualTo(200);
    assertThat(page.path("total").asInt()).isEqualTo(3);
    assertThat(page.path("paging").path("next").path("after").asText()).isEqualTo("2");
    JsonNode first = page.path("results").get(0);
    assertThat(first.fieldNames())
        .toIterable()
        .contains("id", "properties", "createdAt", "updatedAt", "archived");
    assertThat(first.path("properties").fieldNames())
        .toIterable()
        .contains("email", "createdate", "lastmodifieddate", "hs_object_id");
    assertThat(search.headers().firstValue("X-HubSpot-RateLimit-Daily")).isEmpty();

    var capped =
        post.apply("/crm/v3/objects/contacts/search", "{\"limit\":200,\"after\":\"9900\"}");
    assertThat(capped.statusCode()).as("beyond 10,000 results").isEqualTo(400);
    JsonNode error = JSON.readTree(capped.body());
    assertThat(error.fieldNames())
        .toIterable()
        .contains("status", "message", "correlationId", "category");
    assertThat(error.path("category").asText()).isEqualTo("VALIDATION_ERROR");

    var partial =
        post.apply(
            "/crm/v3/objects/contacts/batch/update",
            "{\"inputs\":[{\"id\":\""
                + portal.contactIds().get(0)
                + "\",\"properties\":{}},"
                + "{\"id\":\"999999\",\"properties\":{}}]}");
    assertThat(partial.statusCode()).isEqualTo(207);
    JsonNode multi = JSON.readTree(partial.body());
    assertThat(multi.path("status").asText()).isEqualTo("COMPLETE");
    assertThat(multi.path("numErrors").asInt()).isEqualTo(1);
    assertThat(multi.path("errors").get(0).path("category").asText()).isEqualTo("OBJECT_NOT_FOUND");
    assertThat(multi.path("errors").get(0).path("context").path("ids").get(0).asText())
        .isEqualTo("999999");
    assertThat(partial.headers().firstValue("X-HubSpot-RateLimit-Remaining")).isPresent();

    portal.faults().failNext(1, 429);
    var limited = post.apply("/crm/v3/objects/contacts/batch/read", "{\"inputs\":[]}");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(JSON.readTree(limited.body()).path("policyName").asText())
        .isEqualTo("TEN_SECONDLY_ROLLING");
  }

  @Test
  void contactsWithoutEmailAndWithWrongTypesAreHandledOneByOne() throws SQLException {
    String noEmail =
        portal.createContact(
            Map.of("firstname", "Ana", "lastname", "Silva", "jobtitle", "CFO", "company", "Acme"));
    String wrongType =
        portal.createContact(
            Map.of("email", "x@acme.com", "numemployees", "a few", "hs_email_optout", "sometimes"));

    pollOk();

    assertThat(portal.contact(noEmail))
        .as("no email is a gap, not an error")
        .containsKey("aix_score");
    assertThat(
            Sql.count(
                db,
                "select count(*) from dead_letter where crm_id = '"
                    + wrongType
                    + "' and reason like '%numemployees: ''a few'' is not a number%'"
                    + " and reason like '%hs_email_optout: ''sometimes'' is not true or false%'"))
        .isEqualTo(1);
  }

  // ------------------------------------------------------------------ webhooks

  private String url() {
    return "http://localhost:" + port + "/webhooks/hubspot/" + PROFILE;
  }

  private io.restassured.response.Response deliver(
      String url, String body, String secret, long timestamp) {
    String ts = String.valueOf(timestamp);
    return given()
        .contentType("application/json")
        .header("X-HubSpot-Signature-v3", WebhookSignature.v3(secret, "POST", url, body, ts))
        .header("X-HubSpot-Request-Timestamp", ts)
        .body(body)
        .post(url);
  }

  private static String event(long eventId, String type, String objectId, String property) {
    return "{\"eventId\":"
        + eventId
        + ",\"subscriptionId\":1201,\"portalId\":62515,\"appId\":54321,\"occurredAt\":"
        + System.currentTimeMillis()
        + ",\"subscriptionType\":\""
        + type
        + "\",\"attemptNumber\":0,\"objectId\":"
        + objectId
        + (property == null ? "" : ",\"propertyName\":\"" + property + "\",\"propertyValue\":\"x\"")
        + ",\"changeSource\":\"CRM\"}";
  }

  @Test
  void aSignedDeliveryIsQueuedOnceAndAixsOwnChangesAreIgnored() throws SQLException {
    String body =
        "["
            + event(501, "contact.propertyChange", "151", "jobtitle")
            + ","
            + event(502, "contact.propertyChange", "151", "aix_score")
            + ","
            + event(503, "contact.creation", "152", null)
            + ","
            + event(504, "contact.propertyChange", "153", "aix_feedback")
            + "]";
    long now = System.currentTimeMillis();

    deliver(url(), body, SECRET, now).then().statusCode(200);
    deliver(url(), body, SECRET, now + 1000).then().statusCode(200);

    assertThat(Sql.count(db, "select count(*) from inbound_event"))
        .as("a redelivery is stored once; AIX's aix_score is not work, a rep's aix_feedback is")
        .isEqualTo(3);
  }

  @Test
  void forgedStaleMalformedAndMisaddressedDeliveriesAreRefused() throws SQLException {
    String body = "[" + event(601, "contact.creation", "160", null) + "]";
    long now = System.currentTimeMillis();

    deliver(url(), body, "not-the-app-secret", now).then().statusCode(401);
    deliver(url(), body, SECRET, now - Duration.ofMinutes(6).toMillis()).then().statusCode(401);
    given().contentType("application/json").body(body).post(url()).then().statusCode(401);
    deliver(url(), "[{\"eventId\":", SECRET, now).then().statusCode(400);
    deliver(url(), "{\"eventId\":1}", SECRET, now).then().statusCode(400);
    String other = "http://localhost:" + port + "/webhooks/hubspot/no-such-profile";
    deliver(other, body, SECRET, now).then().statusCode(404);
    assertThat(Sql.count(db, "select count(*) from inbound_event")).as("nothing queued").isZero();
  }

  @Test
  void aChangeInThePortalIsScoredThroughTheWebhookWithinSeconds() throws Exception {
    String id = seed(1).get(0);
    intake.start();
    try {
      waitFor(() -> portal.contact(id).containsKey("aix_score"), "first score");
      long eventsBefore = Sql.count(db, "select count(*) from inbound_event");
      portal.updateContact(
          id, Map.of("jobtitle", "Chief Executive Officer", "numemployees", "1000+"), "CRM");
      waitFor(
          () -> portal.contact(id).getOrDefault("aix_top_factors", "").contains("c-level"),
          "the new title in the score");
      assertThat(Sql.count(db, "select count(*) from inbound_event where crm_id = '" + id + "'"))
          .as("the portal's signed deliveries were accepted and queued")
          .isGreaterThan(eventsBefore);
      waitFor(
          () -> {
            try {
              return Sql.count(db, "select count(*) from inbound_event where processed_at is null")
                  == 0;
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          },
          "the queue drained");
      assertThat(sandbox.hubspot().webhooks().dropped()).as("no delivery was refused").isZero();
    } finally {
      intake.stop();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
