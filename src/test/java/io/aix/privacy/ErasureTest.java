package io.aix.privacy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.aix.connector.hubspot.WebhookSignature;
import io.aix.pipeline.PipelineDriver;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.aix.testing.Sql;
import io.aix.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GDPR/CCPA erasure end to end: a person held in both sandbox CRMs, scored, with score history, a
 * hot-lead task and a refused record, is exported, then erased through the API; a scan of every
 * column of every table finds nothing of them, and later polls of the CRMs do not bring them back.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
class ErasureTest {
  static final String SF = "demo-salesforce";
  static final String HS = "demo-hubspot";

  @Inject Sandbox sandbox;
  @Inject PipelineDriver driver;
  @Inject AgroalDataSource db;

  @ConfigProperty(name = "quarkus.http.test-port", defaultValue = "8081")
  int port;

  SalesforceOrg org;
  HubSpotPortal portal;

  static String admin() {
    return Tokens.of("alice", "aix-admin");
  }

  @BeforeEach
  void clean() throws SQLException {
    org = sandbox.salesforce().org();
    org.reset();
    portal = sandbox.hubspot().portal();
    portal.reset();
    // Deliveries are made explicitly here, when the test says HubSpot would make them.
    sandbox.hubspot().webhooks().unsubscribe();
    driver.reset("erased_subject");
  }

  /** Other people, so the erasure has something to leave alone. */
  private void crowd() {
    LeadGenerator g = new LeadGenerator(21, Clock.systemUTC());
    for (int i = 0; i < 15; i++) {
      org.insert("Lead", g.lead());
      portal.createContact(g.contact());
    }
  }

  private Map<String, Object> ada(LeadGenerator g) {
    Map<String, Object> lead = g.lead();
    lead.put("FirstName", "Adelheid");
    lead.put("LastName", "Quenstedt-Vorbrugg");
    lead.put("Email", "Adelheid.Q@vorbrugg-analytics.example");
    lead.put("Title", "Chief Executive Officer");
    lead.put("NumberOfEmployees", 2000);
    return lead;
  }

  private void cycleAll() {
    sleep(5);
    assertThat(driver.cycle(SF, "Lead").getException()).isNull();
    assertThat(driver.cycle(HS, "contacts").getException()).isNull();
  }

  @Test
  void anErasedPersonLeavesNoTraceAndIsNotIngestedAgain() throws SQLException {
    crowd();
    LeadGenerator g = new LeadGenerator(5, Clock.systemUTC());
    String leadId = org.insert("Lead", ada(g));
    Map<String, Object> refused = ada(g);
    refused.put("NumberOfEmployees", "lots"); // dead-lettered at normalize, raw payload kept
    String refusedId = org.insert("Lead", refused);
    Map<String, String> hs = g.contact();
    hs.put("firstname", "Adelheid");
    hs.put("lastname", "Quenstedt-Vorbrugg");
    hs.put("email", "adelheid.q@vorbrugg-analytics.example");
    hs.put("jobtitle", "Chief Executive Officer");
    hs.put("numemployees", "1000+");
    String contactId = portal.createContact(hs);
    cycleAll();
    // A second version: score history, not just one row.
    org.update("Lead", leadId, Map.of("Title", "Chief Operating Officer"));
    portal.updateContact(contactId, Map.of("jobtitle", "Chief Operating Officer"), "CRM");
    cycleAll();

    // An engagement signal whose detail names the person, as a careless sender's might.
    given()
        .auth()
        .oauth2(admin())
        .contentType("application/json")
        .body(
            Map.of(
                "signals",
                List.of(
                    Map.of(
                        "id", "web-ada-1",
                        "profile", "demo-salesforce",
                        "object", "Lead",
                        "recordId", leadId,
                        "type", "form_submit",
                        "occurredAt", java.time.Instant.now().toString(),
                        "detail", "Demo request form, signed Adelheid"))))
        .post("/api/v1/signals")
        .then()
        .statusCode(200);

    String email = "adelheid.q@vorbrugg-analytics.example";
    List<String> traces = List.of(email, "Adelheid", "Quenstedt-Vorbrugg", leadId, refusedId);
    assertThat(found(traces, contactId)).as("seeded and scored").isNotEmpty();
    assertThat(Sql.count(db, "select count(*) from score where crm_id = '" + leadId + "'"))
        .isEqualTo(2);
    assertThat(Sql.count(db, "select count(*) from dead_letter where crm_id = '" + refusedId + "'"))
        .isEqualTo(1);

    JsonPath export =
        given()
            .auth()
            .oauth2(admin())
            .get("/api/v1/subjects/{email}", "ADELHEID.Q@vorbrugg-analytics.example ")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(export.getBoolean("erased")).isFalse();
    assertThat(export.getList("records.crmId", String.class))
        .containsExactlyInAnyOrder(leadId, refusedId, contactId);
    Map<String, Object> sfLead = recordOf(export, leadId);
    assertThat(sfLead.toString()).contains("Quenstedt-Vorbrugg", "Chief Operating Officer");
    assertThat((List<?>) sfLead.get("scores")).hasSize(2);
    assertThat(sfLead.get("signals").toString()).contains("web-ada-1", "form_submit");
    assertThat((List<?>) recordOf(export, refusedId).get("deadLetters")).hasSize(1);

    JsonPath erased =
        given()
            .auth()
            .oauth2(admin())
            .queryParam("propagate", true)
            .delete("/api/v1/subjects/{email}", email)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(erased.getInt("records")).isEqualTo(3);
    assertThat(erased.getInt("inFlight")).isZero();
    assertThat(erased.getString("subject")).isEqualTo(new Subject(email).hash());
    Map<String, String> outcomes = new LinkedHashMap<>();
    for (Map<String, Object> c : erased.<Map<String, Object>>getList("crm")) {
      outcomes.put((String) c.get("crmId"), (String) c.get("outcome"));
    }
    assertThat(outcomes.get(contactId)).isEqualTo("GDPR-deleted in HubSpot");
    assertThat(outcomes.get(leadId)).startsWith("kept: the profile's privacy.eraseInCrm is off");
    assertThat(portal.gdprDeleted()).containsExactly(contactId);
    assertThat(org.deletedByApi()).isEmpty();

    assertThat(found(traces, contactId)).as("every table, every column").isEmpty();
    // HubSpot reports its GDPR delete back as contact.privacyDeletion: nothing comes back.
    deliverPrivacyDeletion(contactId, 9002);
    driver.push(HS, "contacts");
    assertThat(found(traces, contactId)).as("after HubSpot's echo").isEmpty();
    assertThat(Sql.count(db, "select count(*) from lead")).as("the others stay").isEqualTo(30);

    // The Salesforce records stay in the org and change again: intake drops them.
    org.update("Lead", leadId, Map.of("Title", "Founder"));
    org.update("Lead", refusedId, Map.of("Title", "Founder"));
    cycleAll();
    assertThat(found(traces, contactId)).as("after later polls").isEmpty();

    // The erasure is audited by hash, without the email.
    given()
        .auth()
        .oauth2(admin())
        .queryParam("action", "subject.erase")
        .get("/api/v1/audit")
        .then()
        .statusCode(200)
        .body(
            "find { it.actor == 'alice' }.target", equalTo("subject:" + new Subject(email).hash()))
        .body("target", everyItem(not(containsString("@"))));
    // Asking again is harmless; the export now says erased and holds nothing.
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/subjects/{email}", email)
        .then()
        .statusCode(200)
        .body("erased", equalTo(true))
        .body("records", hasSize(0));
  }

  @Test
  void aGdprDeleteInHubSpotErasesThePersonFromAix() throws SQLException {
    crowd();
    Map<String, String> hs = new LeadGenerator(8, Clock.systemUTC()).contact();
    hs.put("firstname", "Wendeline");
    hs.put("lastname", "Oberstrasser-Kuhl");
    hs.put("email", "wendeline@oberstrasser.example");
    String contactId = portal.createContact(hs);
    cycleAll();
    List<String> traces =
        List.of("wendeline@oberstrasser.example", "Wendeline", "Oberstrasser-Kuhl");
    assertThat(found(traces, contactId)).isNotEmpty();

    portal.privacyDeleteContact(contactId);
    deliverPrivacyDeletion(contactId, 9001);
    driver.push(HS, "contacts");

    assertThat(found(traces, contactId)).isEmpty();
    assertThat(Sql.count(db, "select count(*) from erased_subject")).isEqualTo(1);
    assertThat(
            Sql.count(
                db,
                "select count(*) from audit_log where action = 'subject.erase'"
                    + " and actor = 'crm:demo-hubspot privacyDeletion'"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void badSubjectsAndRolesAreRefused() {
    given()
        .auth()
        .oauth2(admin())
        .delete("/api/v1/subjects/{email}", "not-an-email")
        .then()
        .statusCode(400);
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/subjects/{email}", "x' or '1'='1@example.org")
        .then()
        .statusCode(400);
    given()
        .auth()
        .oauth2(admin())
        .get("/api/v1/subjects/{email}", "x'or'1'='1%_\\@example.org")
        .then()
        .statusCode(200)
        .body("records", hasSize(0));
    given()
        .auth()
        .oauth2(Tokens.of("ivan", "aix-integrator"))
        .delete("/api/v1/subjects/{email}", "someone@example.org")
        .then()
        .statusCode(403);
  }

  /** A signed {@code contact.privacyDeletion} delivery, as HubSpot sends it. */
  private void deliverPrivacyDeletion(String contactId, long eventId) {
    String body =
        "[{\"eventId\":"
            + eventId
            + ",\"subscriptionId\":1201,\"portalId\":62515,\"appId\":54321,"
            + "\"occurredAt\":"
            + System.currentTimeMillis()
            + ",\"subscriptionType\":\"contact.privacyDeletion\",\"attemptNumber\":0,"
            + "\"objectId\":"
            + contactId
            + ",\"changeSource\":\"GDPR\"}]";
    String url = "http://localhost:" + port + "/webhooks/hubspot/" + HS;
    String ts = String.valueOf(System.currentTimeMillis());
    given()
        .contentType("application/json")
        .header(
            "X-HubSpot-Signature-v3",
            WebhookSignature.v3("aix-hubspot-app-secret", "POST", url, body, ts))
        .header("X-HubSpot-Request-Timestamp", ts)
        .body(body)
        .post(url)
        .then()
        .statusCode(200);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> recordOf(JsonPath export, String crmId) {
    for (Map<String, Object> r : export.<Map<String, Object>>getList("records")) {
      if (crmId.equals(r.get("crmId"))) {
        return r;
      }
    }
    throw new AssertionError("no record " + crmId + " in the export");
  }

  /**
   * Every place, in every text-like column of every table, where one of the traces appears (any
   * case), or where a number-only id appears as a whole value, a JSON string or a change key.
   */
  private List<String> found(List<String> traces, String numericId) throws SQLException {
    List<String> hits = new ArrayList<>();
    try (Connection c = db.getConnection()) {
      List<String[]> columns = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "select table_name, column_name from information_schema.columns"
                      + " where table_schema = 'public' and data_type in"
                      + " ('text', 'character varying', 'jsonb', 'json', 'bytea')")) {
        while (r.next()) {
          columns.add(new String[] {r.getString(1), r.getString(2)});
        }
      }
      assertThat(columns.size()).as("columns scanned").isGreaterThan(40);
      for (String[] col : columns) {
        String value =
            col[1].equals("model") ? "encode(\"model\", 'escape')" : "\"" + col[1] + "\"::text";
        String sql =
            "select count(*) from \""
                + col[0]
                + "\" where "
                + value
                + " ilike any (?) or "
                + value
                + " = ? or "
                + value
                + " like ? or "
                + value
                + " like ?";
        try (PreparedStatement p = c.prepareStatement(sql)) {
          p.setArray(
              1,
              c.createArrayOf(
                  "text", traces.stream().map(t -> "%" + t + "%").toArray(String[]::new)));
          p.setString(2, numericId);
          p.setString(3, "%\"" + numericId + "\"%");
          p.setString(4, numericId + "@%");
          try (ResultSet r = p.executeQuery()) {
            r.next();
            if (r.getLong(1) > 0) {
              hits.add(col[0] + "." + col[1] + ": " + r.getLong(1));
            }
          }
        }
      }
    }
    return hits;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
