package io.aix.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class OffsetTest {
  @Test
  void watermarksRoundTrip() {
    Offset w =
        new Offset.Watermark(Instant.parse("2026-11-24T10:15:30.123Z"), "00Q5e00000AbCdEFGH");
    assertThat(Offset.decode(w.encode())).isEqualTo(w);
    assertThat(Offset.decode(Offset.Watermark.START.encode())).isEqualTo(Offset.Watermark.START);
  }

  @Test
  void aReplayPositionRoundTrips() {
    Offset.Replay r = new Offset.Replay(4711, Instant.parse("2026-11-24T10:15:30.123Z"));
    assertThat(Offset.decode(r.encode())).isEqualTo(r);
  }

  @Test
  void unknownOrMalformedOffsetsAreRefused() {
    assertThatThrownBy(() -> Offset.decode("cursor:42"))
        .hasMessageContaining("unknown offset kind");
    assertThatThrownBy(() -> Offset.decode("replay:42"))
        .hasMessageContaining("malformed replay offset");
    assertThatThrownBy(() -> Offset.decode("replay:garbage|2026-11-24T10:15:30Z"))
        .hasMessageContaining("malformed replay offset");
    assertThatThrownBy(() -> Offset.decode("watermark:2026-11-24T10:15:30Z"))
        .hasMessageContaining("malformed watermark");
  }
}
