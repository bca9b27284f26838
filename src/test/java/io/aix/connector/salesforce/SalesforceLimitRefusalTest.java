package io.aix.connector.salesforce;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.aix.connector.ApiBudgets;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.GuardedConnector;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.profile.CrmProfile;
import io.aix.profile.SecretRef;
import io.aix.scoring.ScoreResult;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Salesforce's 403 {@code REQUEST_LIMIT_EXCEEDED} is the daily limit or a limit on requests at
 * once, told apart by the message. Against a plain WireMock answering with the vendors' published
 * bodies (src/test/resources/wiremock/salesforce/PROVENANCE.md), not the team's sandbox org: the
 * real Camel Salesforce component logs in and writes through AIX's connector and its guard.
 */
@QuarkusTest
@QuarkusTestResource(value = SalesforceWireMockResource.class, restrictToAnnotatedClass = true)
class SalesforceLimitRefusalTest {
  static final String COLLECTIONS = "/services/data/v62.0/composite/sobjects";

  /** simple-salesforce's Sforce-Limit-Info values (tests/test_api.py): calls left for the day. */
  static final String USAGE_BEFORE = "api-usage=18/5000";

  static final String USAGE_AFTER =
      "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-app)";

  @Inject SalesforceConnectorFactory factory;
  @Inject ApiBudgets budgets;

  WireMockServer wiremock;

  @BeforeEach
  void stubLogin() throws IOException {
    wiremock = SalesforceWireMockResource.server;
    wiremock.resetAll();
    // simple-salesforce's TOKEN_LOGIN_RESPONSE_SUCCESS (tests/__init__.py @ 9e964768), its host
    // replaced by WireMock's so that Camel calls the instance here.
    String token =
        Files.readString(
                Path.of("src/test/resources/wiremock/salesforce/__files/oauth-token-success.json"))
            .replace("https://na15.salesforce.com", wiremock.baseUrl());
    wiremock.stubFor(
        post(urlPathEqualTo("/services/oauth2/token"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json;charset=UTF-8")
                    .withBody(token)));
  }

  private CrmProfile profile(String id) {
    return new CrmProfile(
        id,
        "salesforce",
        "wiremock.yaml",
        new CrmProfile.Connection(
            wiremock.baseUrl(),
            "62.0",
            new CrmProfile.Auth.ClientCredentials(
                new SecretRef("AIX_WM_SF_CLIENT_ID", "wiremock.yaml", 1),
                new SecretRef("AIX_WM_SF_CLIENT_SECRET", "wiremock.yaml", 2)),
            1),
        List.of(
            new CrmProfile.ObjectSync(
                "Lead", "salesforce-lead", Duration.ofSeconds(30), Duration.ofMinutes(2), 2000, 1)),
        new CrmProfile.Writeback(true, 200, List.of("AIX_Score__c", "AIX_Grade__c")),
        "default-rules",
        new CrmProfile.Limits(5000),
        Optional.empty(),
        CrmProfile.Tasks.OFF,
        CrmProfile.ModelSettings.DEFAULT,
        CrmProfile.Privacy.DEFAULT);
  }

  /** The guard a profile gets in production (ConnectorRegistry's defaults): 500 ms backoff. */
  private CrmConnector guarded(CrmProfile profile) {
    return new GuardedConnector(
        factory.create(profile),
        new GuardedConnector.Settings(
            Duration.ofSeconds(60),
            5,
            Duration.ofMillis(500),
            Duration.ofSeconds(10),
            Duration.ofSeconds(90),
            20,
            0.5,
            Duration.ofSeconds(30),
            4));
  }

  private static List<ScoreWrite> twoScores() {
    Instant now = Instant.now();
    return List.of(
        new ScoreWrite(
            "00Q5e000001AbCdEAA",
            new ScoreResult(81, "A", 0.62, 70, 90, "Executive buyer", "rules@1", now, "")),
        new ScoreWrite(
            "00Q5e000001AbCeEAA",
            new ScoreResult(35, "C", 0.12, 40, 20, "Small company", "rules@1", now, "")));
  }

  @Test
  void aConcurrencyRefusalIsRetriedInSecondsAndTheWriteFinishes() {
    CrmProfile profile = profile("wm-concurrent-" + System.nanoTime());
    // One refusal of too many long-running requests at once, then the write goes through.
    wiremock.stubFor(
        patch(urlPathEqualTo(COLLECTIONS))
            .inScenario("limit")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("answered")
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json;charset=UTF-8")
                    .withHeader("Sforce-Limit-Info", USAGE_BEFORE)
                    // The REST error array, Salesforce's concurrency message (FACTS.md).
                    .withBodyFile("request-limit-concurrent.json")));
    wiremock.stubFor(
        patch(urlPathEqualTo(COLLECTIONS))
            .inScenario("limit")
            .whenScenarioStateIs("answered")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json;charset=UTF-8")
                    .withHeader("Sforce-Limit-Info", USAGE_AFTER)
                    // Camel's composite_response_example_success.json save results.
                    .withBodyFile("sobject-collections-save-results.json")));
    CrmConnector connector = guarded(profile);

    long start = System.nanoTime();
    List<WriteOutcome> outcomes = connector.writeScores("Lead", twoScores());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(outcomes)
        .as("the refusal was transient: the guard retried and both scores were written")
        .allMatch(o -> o instanceof WriteOutcome.Written)
        .hasSize(2);
    wiremock.verify(2, patchRequestedFor(urlPathEqualTo(COLLECTIONS)));
    assertThat(budgets.budget(profile).spent())
        .as("a concurrency refusal does not pause the profile until the next day")
        .isFalse();
    assertThat(took).as("it costs seconds, not a day").isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void theDailyLimitPausesTheProfileAndIsNotRetried() {
    CrmProfile profile = profile("wm-daily-" + System.nanoTime());
    wiremock.stubFor(
        patch(urlPathEqualTo(COLLECTIONS))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json;charset=UTF-8")
                    // The REST error array, Salesforce's daily limit message (FACTS.md).
                    .withBodyFile("request-limit-daily.json")));
    CrmConnector connector = guarded(profile);

    CrmCallException refused =
        catchThrowableOfType(
            () -> connector.writeScores("Lead", twoScores()), CrmCallException.class);

    assertThat(refused.failure())
        .extracting(CrmFailure::kind, CrmFailure::code)
        .containsExactly(CrmFailure.Kind.BUDGET_EXHAUSTED, "REQUEST_LIMIT_EXCEEDED");
    wiremock.verify(1, patchRequestedFor(urlPathEqualTo(COLLECTIONS)));
    assertThat(budgets.budget(profile).spent()).as("paused until the next window").isTrue();

    CrmCallException again =
        catchThrowableOfType(
            () -> connector.writeScores("Lead", twoScores()), CrmCallException.class);
    assertThat(again.failure().code()).as("AIX remembers the spent day").isEqualTo("AIX_BUDGET");
    wiremock.verify(1, patchRequestedFor(urlPathEqualTo(COLLECTIONS)));
  }
}
