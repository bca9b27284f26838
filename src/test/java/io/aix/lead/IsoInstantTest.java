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

  @Test
  void everyFractionLengthAndUtcSuffixReadsAsTheGeneralParserReadsIt() {
    for (String fraction :
        new String[] {"", ".1", ".12", ".123", ".1234", ".123456", ".123456789"}) {
      String base = "2026-11-26T04:23:20" + fraction;
      Instant expected = Instant.parse(base + "Z");
      assertThat(IsoInstant.parse(base + "Z")).isEqualTo(expected);
      assertThat(IsoInstant.parse(base + "+00:00")).isEqualTo(expected);
      assertThat(IsoInstant.parse(base + "+0000")).isEqualTo(expected);
    }
    // Ten fraction digits: refused, as the general way refuses them. (A dot without digits goes
    // the general way too, which takes it.)
    assertThatThrownBy(() -> IsoInstant.parse("2026-11-26T04:23:20.1234567891Z"))
        .isInstanceOf(DateTimeParseException.class);
    assertThat(IsoInstant.parse("2026-11-26T04:23:20.Z"))
        .isEqualTo(Instant.parse("2026-11-26T04:23:20.Z"));
    assertThatThrownBy(() -> IsoInstant.parse("2026-02-30T04:23:20Z"))
        .isInstanceOf(DateTimeParseException.class);
  }

  @Test
  void formatWritesWhatInstantToStringWrites() {
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-62_000_000_000L, 300_000_000_000L);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
    }
    assertThat(IsoInstant.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
  }
}
