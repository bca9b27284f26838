package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.connector.Offset;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * When a poll may leave out AIX's own writes: only while the object's change event subscription has
 * been confirmed without a break since before a full read that ran to its end.
 */
class PollCoverageTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final Offset.Watermark AT_9 =
      new Offset.Watermark(Instant.parse("2026-12-01T09:00:00Z"), "00Q1");
  static final Offset.Watermark AT_10 = new Offset.Watermark(T0, "00Q2");

  final PollCoverage coverage = new PollCoverage();

  private void liveAndReadInFull() {
    coverage.subscribing("sf", "Lead", "AIX_Lead__chn");
    coverage.confirmed("/data/AIX_Lead__chn", T0);
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(2), AT_9, true);
  }

  @Test
  void aFullReadAfterTheConfirmationLetsTheNextPollsLeaveOutAixsWrites() {
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).as("nothing known").isFalse();
    coverage.subscribing("sf", "Lead", "AIX_Lead__chn");
    coverage.confirmed("/data/AIX_Lead__chn", T0);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).as("live, never read in full").isFalse();
    coverage.cycleDone("sf", "Lead", T0.minusSeconds(5), AT_9, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10))
        .as("the full read began before the confirmation")
        .isFalse();
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(2), AT_9, false);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).as("a filtered read counts not").isFalse();
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(2), AT_9, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).isTrue();
    assertThat(coverage.othersOnly("other", "Lead", AT_10)).as("per profile").isFalse();
  }

  @Test
  void aBreakAGapOrAStreamStartedOverAsksForAFullReadAgain() {
    liveAndReadInFull();
    coverage.broken("Connect failure: {}");
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).as("broken").isFalse();
    coverage.confirmed("/data/AIX_Lead__chn", T0.plusSeconds(10));
    assertThat(coverage.othersOnly("sf", "Lead", AT_10))
        .as("confirmed again after the full read: a change may have fallen in the break")
        .isFalse();
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(12), AT_9, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).isTrue();

    coverage.gap("sf", "Lead", T0.plusSeconds(20));
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).as("a gap polled").isFalse();
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(15), AT_9, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10))
        .as("a full read that began before the gap")
        .isFalse();
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(25), AT_10, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_10)).isTrue();

    assertThat(coverage.othersOnly("sf", "Lead", Offset.Watermark.START))
        .as("a promotion started the stream over: every record is read")
        .isFalse();
    assertThat(coverage.othersOnly("sf", "Lead", AT_10))
        .as("and the next cycle, too, until a full read ran to its end")
        .isFalse();
  }

  @Test
  void aWatermarkBehindTheLastFullReadIsReadInFull() {
    coverage.subscribing("sf", "Lead", "AIX_Lead__chn");
    coverage.confirmed("/data/AIX_Lead__chn", T0);
    coverage.cycleDone("sf", "Lead", T0.plusSeconds(2), AT_10, true);
    assertThat(coverage.othersOnly("sf", "Lead", AT_9)).as("rewound by someone else").isFalse();
  }

  @Test
  void twoOrgsOnOneChannelNameAreLiveOnlyOnceBothAreConfirmed() {
    coverage.subscribing("sf-eu", "Lead", "LeadChangeEvent");
    coverage.subscribing("sf-us", "Lead", "LeadChangeEvent");
    coverage.confirmed("/data/LeadChangeEvent", T0);
    assertThat(coverage.liveSince("sf-eu", "Lead")).isEmpty();
    assertThat(coverage.liveSince("sf-us", "Lead")).isEmpty();
    coverage.confirmed("/data/LeadChangeEvent", T0.plusSeconds(1));
    assertThat(coverage.liveSince("sf-eu", "Lead")).contains(T0.plusSeconds(1));
    assertThat(coverage.liveSince("sf-us", "Lead")).contains(T0.plusSeconds(1));
  }

  @Test
  void theFirstReadWaitsForTheConfirmationBoundedly() throws Exception {
    coverage.subscribing("sf", "Lead", "AIX_Lead__chn");
    assertThat(coverage.awaitLive("sf", "Lead", Duration.ofMillis(50))).isFalse();
    Thread confirm =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
              coverage.confirmed("/data/AIX_Lead__chn", Instant.now());
            });
    confirm.start();
    assertThat(coverage.awaitLive("sf", "Lead", Duration.ofSeconds(30))).isTrue();
    confirm.join();
    assertThat(coverage.firstPoll("sf", "Lead")).isTrue();
    assertThat(coverage.firstPoll("sf", "Lead")).isFalse();
  }

  /** Camel's log lines, as its SubscriptionHelper writes them, drive the coverage. */
  @Test
  void theSubscriptionHelpersLogConfirmsAndBreaks() {
    List<String> refusedDeliveries = new ArrayList<>();
    ReplayRefusalWatch watch =
        ReplayRefusalWatch.of((id, e) -> {}, refusedDeliveries::add, e -> {}, coverage);
    coverage.subscribing("sf", "Lead", "AIX_Lead__chn");
    watch.publish(record(Level.INFO, "Subscribing to channel {}...", "/data/AIX_Lead__chn"));
    assertThat(coverage.liveSince("sf", "Lead")).isEmpty();
    watch.publish(record(Level.INFO, "Subscribed to channel {}", "/data/AIX_Lead__chn"));
    assertThat(coverage.liveSince("sf", "Lead")).isPresent();
    watch.publish(record(Level.WARNING, "Connect failure: {}", "{failure=...}"));
    assertThat(coverage.liveSince("sf", "Lead")).isEmpty();
    watch.publish(record(Level.INFO, "Subscribed to channel {}", "/data/AIX_Lead__chn"));
    assertThat(coverage.liveSince("sf", "Lead")).isPresent();
    watch.publish(
        record(
            Level.WARNING,
            "Connect failure: {}",
            "{error=403::Organization total events daily limit exceeded}"));
    assertThat(coverage.liveSince("sf", "Lead")).isEmpty();
    assertThat(refusedDeliveries).hasSize(1);
  }

  private static LogRecord record(Level level, String message, Object param) {
    LogRecord r = new LogRecord(level, message);
    r.setParameters(new Object[] {param});
    return r;
  }
}
