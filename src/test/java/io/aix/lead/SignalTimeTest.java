package io.aix.lead;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The forms CRMs write a signal field's time in (HubSpot, Salesforce), and what is not a time. */
class SignalTimeTest {
  private static final Instant AT = Instant.parse("2026-11-26T04:23:20.123Z");

  @Test
  void readsEveryFormACrmWrites() {
    assertThat(EngagementSignal.parseTime("1795666999123"))
        .contains(Instant.ofEpochMilli(1795666999123L));
    assertThat(EngagementSignal.parseTime("2026-11-26"))
        .contains(Instant.parse("2026-11-26T00:00:00Z"));
    assertThat(EngagementSignal.parseTime("2026-11-26T04:23:20.123Z")).contains(AT);
    assertThat(EngagementSignal.parseTime("2026-11-26T04:23:20.123+0000")).contains(AT);
    assertThat(EngagementSignal.parseTime("2026-11-26T06:23:20.123+02:00")).contains(AT);
    assertThat(EngagementSignal.parseTime("2026-11-26T06:23:20.123+0200")).contains(AT);
    assertThat(EngagementSignal.parseTime(" 2026-11-26T04:23:20Z "))
        .contains(Instant.parse("2026-11-26T04:23:20Z"));
  }

  @Test
  void anythingElseIsNoTime() {
    assertThat(EngagementSignal.parseTime(null)).isEmpty();
    assertThat(EngagementSignal.parseTime(" ")).isEmpty();
    assertThat(EngagementSignal.parseTime("yesterday")).isEmpty();
    assertThat(EngagementSignal.parseTime("2026-11-26T04:23:20")).as("no offset").isEmpty();
    assertThat(EngagementSignal.parseTime("123456789")).as("too short for epoch ms").isEmpty();
    assertThat(EngagementSignal.parseTime("2026-13-26")).isEmpty();
  }
}
