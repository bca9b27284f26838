package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.connector.CrmFailure;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Pacing by HubSpot's headers, and the classification of its errors. */
class RateGovernorTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private final RateGovernor governor = new RateGovernor(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void a429WaitsForItsRetryAfter() {
    governor.observe(Response.status(429).header("Retry-After", "3").build());
    assertThat(governor.notBefore()).isEqualTo(NOW.plusSeconds(3));
  }

  @Test
  void aSpentBurstWindowWaitsForTheWindowToRoll() {
    governor.observe(
        Response.ok()
            .header("X-HubSpot-RateLimit-Remaining", "0")
            .header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
            .header("X-HubSpot-RateLimit-Daily", "250000")
            .header("X-HubSpot-RateLimit-Daily-Remaining", "249990")
            .build());
    assertThat(governor.notBefore()).isEqualTo(NOW.plusMillis(10_000));
    assertThat(governor.dailyUsed()).isEqualTo(10);
    assertThat(governor.dailyLimit()).isEqualTo(250_000);
  }

  @Test
  void headroomDoesNotPause() {
    governor.observe(
        Response.ok()
            .header("X-HubSpot-RateLimit-Remaining", "150")
            .header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
            .build());
    assertThat(governor.notBefore()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void anAbsurdRetryAfterIsCapped() {
    governor.observe(Response.status(429).header("Retry-After", "86400").build());
    assertThat(governor.notBefore()).isEqualTo(NOW.plus(RateGovernor.MAX_PAUSE));
  }

  @Test
  void errorsAreClassifiedByStatusAndPolicy() {
    HubSpotApi.ErrorBody daily =
        new HubSpotApi.ErrorBody("error", "daily", "c", null, "RATE_LIMIT", "DAILY", null);
    HubSpotApi.ErrorBody burst =
        new HubSpotApi.ErrorBody(
            "error", "burst", "c", null, "RATE_LIMIT", "TEN_SECONDLY_ROLLING", null);
    HubSpotApi.ErrorBody invalid =
        new HubSpotApi.ErrorBody("error", "bad", "c", "VALIDATION_ERROR", null, null, null);
    assertThat(HubSpotErrors.callError(429, daily).kind())
        .isEqualTo(CrmFailure.Kind.BUDGET_EXHAUSTED);
    assertThat(HubSpotErrors.callError(429, burst).kind()).isEqualTo(CrmFailure.Kind.RETRIABLE);
    assertThat(HubSpotErrors.callError(502, null).kind()).isEqualTo(CrmFailure.Kind.RETRIABLE);
    assertThat(HubSpotErrors.callError(400, invalid))
        .extracting(CrmFailure::kind, CrmFailure::code)
        .containsExactly(CrmFailure.Kind.PERMANENT, "VALIDATION_ERROR");
    assertThat(HubSpotErrors.callError(403, null).kind()).isEqualTo(CrmFailure.Kind.PERMANENT);
  }
}
