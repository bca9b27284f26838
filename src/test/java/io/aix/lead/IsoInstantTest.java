package io.aix.lead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

/** Date-times as Salesforce's REST and Bulk APIs write them, read the fast way and the long. */
class IsoInstantTest {
  @Test
  void theUtcFormsReadAsTheGeneralParserReadsThem() {
    for (String rest :
        new String[] {
          "2026-11-26T04:23:20.000+0000",
          "2024-02-29T23:59:59.999+0000",
          "1999-01-01T00:00:00.001+0000"
        }) {
      Instant expected = OffsetDateTime.parse(rest.replaceFirst("\\+0000$", "+00:00")).toInstant();
      assertThat(IsoInstant.parse(rest)).isEqualTo(expected);
      assertThat(IsoInstant.parse(rest.replace("+0000", "Z"))).isEqualTo(expected);
    }
  }

  @Test
  void otherOffsetsAndMalformedStampsGoTheGeneralWay() {
    assertThat(IsoInstant.parse("2026-11-26T06:23:20.000+0200"))
        .isEqualTo(Instant.parse("2026-11-26T04:23:20Z"));
    assertThat(IsoInstant.parse("2026-11-26T04:23:20Z"))
        .isEqualTo(Instant.parse("2026-11-26T04:23:20Z"));
    // Same length as the fast form, but not a date: refused, not misread.
    assertThatThrownBy(() -> IsoInstant.parse("2026-13-26T04:23:20.000+0000"))
        .isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> IsoInstant.parse("2026-1x-26T04:23:20.000Z"))
        .isInstanceOf(DateTimeParseException.class);
  }
}
