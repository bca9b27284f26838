package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.hubspot.WebhookSignature.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signature v3 against the vector from HubSpot's own SDK tests (copied with its provenance to
 * src/test/resources/hubspot), and the freshness window checked separately from the HMAC, as the
 * vector's note asks.
 */
class WebhookSignatureTest {
  private static JsonNode vector;

  @BeforeAll
  static void readVector() throws IOException {
    JsonNode all =
        new ObjectMapper()
            .readTree(Path.of("src/test/resources/hubspot/signature-test-vectors.json").toFile());
    for (JsonNode v : all.path("vectors")) {
      if (v.path("name").asText().equals("python-v3")) {
        vector = v;
      }
    }
    assertThat(vector).as("the python-v3 vector").isNotNull();
  }

  private static String field(String name) {
    return vector.path(name).asText();
  }

  private static Instant vectorTime() {
    return Instant.ofEpochMilli(Long.parseLong(field("timestamp")));
  }

  @Test
  void theHmacMatchesHubSpotsOwnVector() {
    assertThat(
            WebhookSignature.v3(
                field("clientSecret"),
                field("method"),
                field("uri"),
                field("body"),
                field("timestamp")))
        .isEqualTo(field("expected"));
  }

  @Test
  void aGenuineFreshRequestIsAccepted() {
    assertThat(
            WebhookSignature.check(
                field("clientSecret"),
                "POST",
                field("uri"),
                field("body"),
                field("expected"),
                field("timestamp"),
                vectorTime().plusSeconds(299)))
        .isNull();
  }

  @Test
  void theVectorItselfIsTooOldToday() {
    assertThat(
            WebhookSignature.check(
                field("clientSecret"),
                "POST",
                field("uri"),
                field("body"),
                field("expected"),
                field("timestamp"),
                Instant.now()))
        .isEqualTo(Problem.TOO_OLD);
  }

  @Test
  void aTimestampFarInTheFutureIsRefusedToo() {
    assertThat(
            WebhookSignature.check(
                field("clientSecret"),
                "POST",
                field("uri"),
                field("body"),
                field("expected"),
                field("timestamp"),
                vectorTime().minusSeconds(301)))
        .isEqualTo(Problem.TOO_OLD);
  }

  @Test
  void anotherSecretBodyOrUriFailsTheSignature() {
    Instant fresh = vectorTime().plusSeconds(10);
    assertThat(
            WebhookSignature.check(
                "wrong-secret",
                "POST",
                field("uri"),
                field("body"),
                field("expected"),
                field("timestamp"),
                fresh))
        .isEqualTo(Problem.BAD_SIGNATURE);
    assertThat(
            WebhookSignature.check(
                field("clientSecret"),
                "POST",
                field("uri"),
                field("body") + " ",
                field("expected"),
                field("timestamp"),
                fresh))
        .isEqualTo(Problem.BAD_SIGNATURE);
    assertThat(
            WebhookSignature.check(
                field("clientSecret"),
                "POST",
                field("uri") + "?x=1",
                field("body"),
                field("expected"),
                field("timestamp"),
                fresh))
        .isEqualTo(Problem.BAD_SIGNATURE);
  }

  @Test
  void missingOrMalformedHeadersAreNamed() {
    Instant fresh = vectorTime();
    assertThat(
            WebhookSignature.check(
                field("clientSecret"), "POST", field("uri"), "", null, field("timestamp"), fresh))
        .isEqualTo(Problem.MISSING_HEADERS);
    assertThat(
            WebhookSignature.check(
                field("clientSecret"), "POST", field("uri"), "", "sig", "yesterday", fresh))
        .isEqualTo(Problem.BAD_TIMESTAMP);
  }

  @Test
  void encodedCharactersHubSpotDecodesAreDecodedBeforeSigning() {
    String plain = WebhookSignature.v3("s", "POST", "https://x.io/hook?a=b:c", "", "1");
    assertThat(WebhookSignature.v3("s", "POST", "https://x.io/hook?a=b%3Ac", "", "1"))
        .isEqualTo(plain);
  }
}
