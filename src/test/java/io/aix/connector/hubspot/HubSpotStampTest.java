package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * HubSpot's record stamps: {@code lastmodifieddate} and {@code updatedAt} as ISO-8601 instants (CRM
 * API objects), epoch milliseconds in older payloads (webhooks' {@code occurredAt}).
 */
class HubSpotStampTest {
  @Test
  void readsIsoInstantsAndEpochMilliseconds() {
    assertThat(HubSpotConnector.parseStamp("2026-11-26T04:23:20.123Z"))
        .isEqualTo(Instant.parse("2026-11-26T04:23:20.123Z"));
    assertThat(HubSpotConnector.parseStamp("2026-11-26T04:23:20Z"))
        .isEqualTo(Instant.parse("2026-11-26T04:23:20Z"));
    assertThat(HubSpotConnector.parseStamp("1795666999123"))
        .isEqualTo(Instant.ofEpochMilli(1795666999123L));
    assertThat(HubSpotConnector.parseStamp("")).isEqualTo(Instant.EPOCH);
    assertThat(HubSpotConnector.parseStamp(null)).isEqualTo(Instant.EPOCH);
  }

  @Test
  void somethingElseIsAnError() {
    assertThatThrownBy(() -> HubSpotConnector.parseStamp("last tuesday"))
        .isInstanceOf(java.time.format.DateTimeParseException.class);
  }
}
