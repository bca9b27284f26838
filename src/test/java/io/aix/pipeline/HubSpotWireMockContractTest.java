package io.aix.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.agroal.api.AgroalDataSource;
import io.aix.profile.ProfileLoader;
import io.aix.testing.ConfigCopy;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, case 1, against a plain WireMock stub rather than the team's simulator: a HubSpot
 * profile whose {@code baseUrl} is a WireMock server over HTTPS, answering batch updates that carry
 * a refused value with a whole-batch 400. AIX must finish the run, write every other contact and
 * dead-letter exactly the refused ones with HubSpot's message.
 *
 * <p>The bodies follow HubSpot's published contract (CRM/Contacts/Rollouts/424/v3/contacts.json in
 * HubSpot's public spec collection, read not copied: search answers {@code total} and {@code
 * results} of {@code id}/{@code properties}/{@code createdAt}/{@code updatedAt}/{@code archived};
 * batch answers {@code status}, {@code results}, {@code startedAt}, {@code completedAt}; an Error
 * has {@code category}, {@code correlationId} and {@code message}). No openly licensed recording of
 * the 400 exists (reference/hubspot/FACTS.md): its message has the form HubSpot's client users
 * report, "Property values were not valid: [{isValid, message, error, name}]", with our own values.
 */
@QuarkusTest
@TestProfile(HubSpotWireMockContractTest.OnWireMock.class)
class HubSpotWireMockContractTest {
  static final String PROFILE = "wm-hubspot";
  static final WireMockServer HUBSPOT =
      new WireMockServer(options().dynamicHttpsPort().httpDisabled(true));

  static {
    HUBSPOT.start();
  }

  /** The shipped configuration plus a profile on the stub. */
  static Path config() {
    Path dir = ConfigCopy.create(null);
    try {
      Files.writeString(
          dir.resolve("crm-profiles/wm-hubspot.yaml"),
          """
          id: wm-hubspot
          type: hubspot
          connection:
            baseUrl: https://localhost:%d
            auth:
              flow: private-app
              token: { env: WM_HUBSPOT_TOKEN }
          objects:
            - { name: contacts, mapping: hubspot-contact, every: 1h, pageSize: 100 }
          writeback: { enabled: true, batchSize: 100 }
          scoring: default-rules
          """
              .formatted(HUBSPOT.httpsPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  public static class OnWireMock implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "aix.config-dir",
          config().toString(),
          "WM_HUBSPOT_TOKEN",
          "pat-na1-wiremock-contract",
          // WireMock's own self-signed certificate: trusted in this test only.
          "quarkus.tls.trust-all",
          "true");
    }
  }

  @AfterAll
  static void stop() {
    HUBSPOT.stop();
  }

  @Inject PipelineDriver driver;
  @Inject AgroalDataSource db;

  /** Four contacts: two decision makers at companies, two that score as little as a lead can. */
  private static final String SEARCH =
      """
      {"total":4,"results":[
       {"id":"5101","properties":{"hs_object_id":"5101","email":"maria.lopez@globex-industrial.com",
        "firstname":"Maria","lastname":"Lopez","jobtitle":"Chief Executive Officer",
        "company":"Globex Industrial","numemployees":"1000+","annualrevenue":"250000000",
        "country":"United States","createdate":"2026-11-30T08:00:00.000Z",
        "lastmodifieddate":"2026-11-30T08:00:00.000Z"},
        "createdAt":"2026-11-30T08:00:00.000Z","updatedAt":"2026-11-30T08:00:00.000Z","archived":false},
       {"id":"5102","properties":{"hs_object_id":"5102","email":"anon1234@gmail.com",
        "createdate":"2026-11-30T08:00:01.000Z","lastmodifieddate":"2026-11-30T08:00:01.000Z"},
        "createdAt":"2026-11-30T08:00:01.000Z","updatedAt":"2026-11-30T08:00:01.000Z","archived":false},
       {"id":"5103","properties":{"hs_object_id":"5103","email":"k.tanaka@initech-systems.com",
        "firstname":"Kenji","lastname":"Tanaka","jobtitle":"VP of Sales","company":"Initech Systems",
        "numemployees":"100-500","country":"Japan","createdate":"2026-11-30T08:00:02.000Z",
        "lastmodifieddate":"2026-11-30T08:00:02.000Z"},
        "createdAt":"2026-11-30T08:00:02.000Z","updatedAt":"2026-11-30T08:00:02.000Z","archived":false},
       {"id":"5104","properties":{"hs_object_id":"5104","email":"x99@yahoo.com","jobtitle":"Student",
        "createdate":"2026-11-30T08:00:03.000Z","lastmodifieddate":"2026-11-30T08:00:03.000Z"},
        "createdAt":"2026-11-30T08:00:03.000Z","updatedAt":"2026-11-30T08:00:03.000Z","archived":false}
      ]}
      """;

  private static final String REFUSED =
      """
      {"status":"error","message":"Property values were not valid: [{\\"isValid\\":false,\\"message\\":\\"D was not one of the allowed options: [label: \\\\\\"A\\\\\\"\\\\nvalue: \\\\\\"A\\\\\\"\\\\n, label: \\\\\\"B\\\\\\"\\\\nvalue: \\\\\\"B\\\\\\"\\\\n, label: \\\\\\"C\\\\\\"\\\\nvalue: \\\\\\"C\\\\\\"\\\\n]\\",\\"error\\":\\"INVALID_OPTION\\",\\"name\\":\\"aix_grade\\"}]","correlationId":"6f1d2c3b-0a4e-4c5d-9e8f-7a6b5c4d3e2f","category":"VALIDATION_ERROR"}
      """;

  @BeforeEach
  void stubHubSpot() throws SQLException {
    driver.reset();
    HUBSPOT.resetAll();
    HUBSPOT.stubFor(
        post(urlEqualTo("/crm/v3/objects/contacts/search"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(SEARCH)));
    HUBSPOT.stubFor(
        post(urlEqualTo("/crm/v3/properties/contacts/groups"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"name\":\"aix\",\"label\":\"AIX lead scoring\",\"displayOrder\":-1,\"archived\":false}")));
    StringBuilder properties = new StringBuilder("{\"results\":[");
    // Every AIX property exists in this portal already (the ones AIX writes, and reps' feedback).
    List<String> installed = new java.util.ArrayList<>(ProfileLoader.HUBSPOT_PROPERTIES);
    installed.add("aix_feedback");
    for (String name : installed) {
      properties
          .append(properties.charAt(properties.length() - 1) == '[' ? "" : ",")
          .append("{\"name\":\"")
          .append(name)
          .append("\",\"label\":\"")
          .append(name)
          .append("\",\"type\":\"string\",\"fieldType\":\"text\",\"groupName\":\"aix\"}");
    }
    HUBSPOT.stubFor(
        get(urlEqualTo("/crm/v3/properties/contacts"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(properties.append("]}").toString())));
    // aix_grade is a dropdown without D in this portal: a batch carrying a D is refused whole.
    HUBSPOT.stubFor(
        post(urlEqualTo("/crm/v3/objects/contacts/batch/update"))
            .atPriority(1)
            .withRequestBody(matchingJsonPath("$.inputs[?(@.properties.aix_grade == 'D')]"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(REFUSED)));
    HUBSPOT.stubFor(
        post(urlEqualTo("/crm/v3/objects/contacts/batch/update"))
            .atPriority(5)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"status\":\"COMPLETE\",\"results\":[],\"startedAt\":\"2026-11-30T08:01:00.000Z\","
                            + "\"completedAt\":\"2026-11-30T08:01:00.120Z\"}")));
  }

  private Map<String, String> grades() throws SQLException {
    Map<String, String> grades = new HashMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select l.crm_id, s.grade from lead l join score s on s.profile_id = l.profile_id"
                    + " and s.crm_object = l.crm_object and s.crm_id = l.crm_id"
                    + " and s.version = l.score_version where l.profile_id = '"
                    + PROFILE
                    + "'")) {
      while (r.next()) {
        grades.put(r.getString(1), r.getString(2));
      }
    }
    return grades;
  }

  @Test
  void aWholeBatch400EndsWithTheRestWrittenAndTheRefusedContactsDeadLetteredWithHubSpotsMessage()
      throws SQLException {
    assertThat(driver.cycle(PROFILE, "contacts").getException()).isNull();

    Map<String, String> grades = grades();
    assertThat(grades).as("all four scored").hasSize(4);
    List<String> refused =
        grades.entrySet().stream()
            .filter(e -> e.getValue().equals("D"))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(refused)
        .as("the stub refuses D; both ends of the scale are in the run")
        .isNotEmpty()
        .hasSizeLessThan(4);
    assertThat(
            Sql.count(
                db,
                "select count(*) from dead_letter where profile_id = '"
                    + PROFILE
                    + "' and error_code = 'VALIDATION_ERROR'"
                    + " and reason like 'Property values were not valid:%aix_grade%'"))
        .as("each refused contact is dead-lettered with HubSpot's message")
        .isEqualTo(refused.size());
    assertThat(
            Sql.count(
                db,
                "select count(*) from lead where profile_id = '"
                    + PROFILE
                    + "' and written_version = score_version"))
        .as("every other contact is written")
        .isEqualTo(4 - refused.size());
    assertThat(Sql.count(db, "select count(*) from work_item"))
        .as("nothing left to retry")
        .isZero();
    List<LoggedRequest> updates =
        HUBSPOT.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts/batch/update")));
    assertThat(updates.get(0).getBodyAsString())
        .as("the first batch carried all four")
        .contains("5101", "5102", "5103", "5104");
    assertThat(updates.stream().map(LoggedRequest::getBodyAsString).distinct().count())
        .as("no batch is sent twice unchanged")
        .isEqualTo(updates.size());
    assertThat(updates.size()).as("the batch, then one per grade").isLessThanOrEqualTo(5);
  }
}
