package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.profile.ConfigWatcher;
import io.aix.profile.LiveCatalog;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A changed mapping takes effect on the next record without a restart; a broken change is refused
 * with its {@code file:line} and the running mapping stays. AIX runs on a copy of the shipped
 * configuration, which the test edits the way an integration team would: by saving a file.
 */
@QuarkusTest
@io.quarkus.test.common.QuarkusTestResource(
    io.quarkus.test.oidc.server.OidcWiremockTestResource.class)
@TestProfile(HotReloadTest.OwnConfigDir.class)
class HotReloadTest {
  static final String PROFILE = "demo-hubspot";
  static final Path DIR = io.aix.testing.ConfigCopy.create(null);

  public static class OwnConfigDir implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aix.config-dir", DIR.toString());
    }
  }

  @Inject Sandbox sandbox;
  @Inject PipelineDriver driver;
  @Inject AgroalDataSource db;
  @Inject ConfigWatcher watcher;
  @Inject LiveCatalog catalog;
  @Inject org.apache.camel.CamelContext camel;

  private HubSpotPortal portal;
  private String original;

  @BeforeEach
  void start() throws Exception {
    portal = sandbox.hubspot().portal();
    portal.reset();
    driver.reset();
    original = Files.readString(mapping());
    watcher.start();
  }

  @AfterEach
  void restore() throws Exception {
    if (!Files.readString(mapping()).equals(original)) {
      save(mapping(), original, true);
    }
  }

  private static Path mapping() {
    return DIR.resolve("mappings/hubspot-contact.yaml");
  }

  private String leadSourceOf(String contactId) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "select mapped_values from lead where profile_id = ? and crm_id = ?")) {
      s.setString(1, PROFILE);
      s.setString(2, contactId);
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).as("lead %s stored", contactId).isTrue();
        return r.getString(1);
      }
    }
  }

  private String newReferral() {
    Map<String, String> contact =
        new java.util.HashMap<>(new LeadGenerator(7, Clock.systemUTC()).contact());
    contact.put("hs_analytics_source", "REFERRALS");
    return portal.createContact(contact);
  }

  private void cycle() throws InterruptedException {
    Thread.sleep(5);
    Exchange e = driver.cycle(PROFILE, "contacts");
    assertThat(e.getException()).as("poll cycle failure").isNull();
  }

  /** Saves a file and waits until the watcher has applied (or refused) exactly this content. */
  private void save(Path file, String content, boolean applied) throws Exception {
    Files.writeString(file, content);
    String hash =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      String seen = watcher.lastSeen(file);
      if (seen != null && seen.endsWith(hash) && watcher.lastRefusal().isEmpty() == applied) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        (applied ? "no reload of " : "no refusal of ") + file + " within 20 s");
  }

  /** Deletes a file and waits until a reload without it was applied. */
  private void delete(Path file) throws Exception {
    Files.deleteIfExists(file);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (watcher.lastSeen(file) == null && watcher.lastRefusal().isEmpty()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no reload after deleting " + file);
  }

  @Test
  void aMappingChangeAppliesToTheNextRecordAndABrokenOneLeavesItRunning() throws Exception {
    String first = newReferral();
    cycle();
    assertThat(leadSourceOf(first)).contains("Partner Referral");

    long version = catalog.version();
    save(
        mapping(),
        original.replace("REFERRALS: Partner Referral", "REFERRALS: Referral Partner"),
        true);
    assertThat(catalog.version()).isGreaterThan(version);

    String second = newReferral();
    cycle();
    assertThat(leadSourceOf(second)).as("no restart needed").contains("Referral Partner");

    // A typo: the file is refused with its line, and the last good mapping keeps running.
    version = catalog.version();
    String broken =
        original
            .replace("REFERRALS: Partner Referral", "REFERRALS: Broken")
            .replace("transforms: [trim, domain]", "transforms: [trim, domian]");
    save(mapping(), broken, false);
    assertThat(catalog.version()).isEqualTo(version);
    int line = (int) broken.lines().takeWhile(l -> !l.contains("domian")).count() + 1;
    assertThat(watcher.lastRefusal())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file()).endsWith("mappings/hubspot-contact.yaml");
              assertThat(e.line()).isEqualTo(line);
              assertThat(e.problem()).contains("unknown transform 'domian'");
            });

    String third = newReferral();
    cycle();
    assertThat(leadSourceOf(third)).contains("Referral Partner").doesNotContain("Broken");
  }

  @Test
  void aNewRouteFileIsLoadedAndABrokenOneIsRefused() throws Exception {
    Path extra = DIR.resolve("routes/extra.yaml");
    try {
      save(
          extra,
          """
          - route:
              id: echo-step
              from:
                uri: direct:echo-step
                steps:
                  - setBody:
                      simple: "echo ${body}"
          """,
          true);
      assertThat(camel.getRoute("echo-step")).as("the new route runs").isNotNull();
      assertThat(camel.createProducerTemplate().requestBody("direct:echo-step", "x", String.class))
          .isEqualTo("echo x");

      save(
          extra,
          """
          - route:
              id: echo-step
              from:
                uri: direct:echo-step
                steps:
                  - bean:
                      ref: nosuchbean
                      method: go
          """,
          false);
      assertThat(watcher.lastRefusal())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.file()).endsWith("routes/extra.yaml");
                assertThat(e.line()).isEqualTo(7);
                assertThat(e.problem()).contains("bean 'nosuchbean' does not exist");
              });
      assertThat(camel.createProducerTemplate().requestBody("direct:echo-step", "y", String.class))
          .as("the running version stays")
          .isEqualTo("echo y");
    } finally {
      delete(extra);
    }
    assertThat(camel.getRoute("echo-step")).as("a removed file's routes go with it").isNull();
  }

  /** {@code GET /api/v1/dry-run/demo-hubspot} as a viewer. */
  private static io.restassured.response.Response dryRunApi() {
    return io.restassured.RestAssured.given()
        .auth()
        .oauth2(io.aix.testing.Tokens.of("vera", "aix-viewer"))
        .get("/api/v1/dry-run/" + PROFILE);
  }

  private long updateCalls() {
    return portal.requests().stream()
        .filter(r -> r.toString().equals("POST /crm/v3/objects/contacts/batch/update"))
        .count();
  }

  @Test
  void aDryRunRecordsWhatItWouldWriteAndWritesNothingUntilTurnedOff() throws Exception {
    Path profile = DIR.resolve("crm-profiles/demo-hubspot.yaml");
    String shipped = Files.readString(profile);
    try {
      save(profile, shipped + "\ndryRun: true\n", true);

      String id = newReferral();
      long before = updateCalls();
      cycle();
      assertThat(updateCalls()).as("a dry run calls no write API").isEqualTo(before);
      assertThat(portal.contact(id)).doesNotContainKey("aix_score");

      io.restassured.response.Response api = dryRunApi();
      assertThat(api.statusCode()).isEqualTo(200);
      assertThat(api.jsonPath().getBoolean("dryRun")).isTrue();
      assertThat(api.jsonPath().getLong("recorded")).isEqualTo(1);
      assertThat(api.jsonPath().getString("writes[0].crmId")).isEqualTo(id);
      assertThat(api.jsonPath().getString("writes[0].changes.aix_score.before")).isNull();
      assertThat(api.jsonPath().getInt("writes[0].changes.aix_score.after")).isBetween(0, 100);
      assertThat(api.jsonPath().getString("writes[0].changes.aix_grade.after")).matches("[A-D]");

      // The same record changed: the row shows the change from what the last would-be write set.
      portal.updateContact(id, Map.of("jobtitle", "Chief Executive Officer"), "CRM_UI");
      cycle();
      api = dryRunApi();
      assertThat(api.jsonPath().getLong("recorded")).isEqualTo(2);
      assertThat(api.jsonPath().getString("writes[0].changes.aix_model_version")).isNull();
      assertThat(updateCalls()).isEqualTo(before);

      // Live again: the next change is written.
      save(profile, shipped, true);
      portal.updateContact(id, Map.of("jobtitle", "Chief Operating Officer"), "CRM_UI");
      cycle();
      assertThat(updateCalls()).isGreaterThan(before);
      assertThat(portal.contact(id)).containsKey("aix_score");
    } finally {
      if (!Files.readString(profile).equals(shipped)) {
        save(profile, shipped, true);
      }
    }
  }

  @Test
  void aRemovedProfileKeepsRunningUntilTheNextStart() throws Exception {
    Path file = DIR.resolve("crm-profiles/demo-salesforce.yaml");
    String shipped = Files.readString(file);
    try {
      delete(file);
      assertThat(catalog.profiles()).containsKey("demo-salesforce");
      assertThat(catalog.mapping("salesforce-lead")).isNotNull();
    } finally {
      save(file, shipped, true);
    }
  }
}
