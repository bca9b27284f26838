package io.aix.connector.hubspot;

import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Paces searches to HubSpot's per-second search limit, and all calls by what HubSpot's answers say:
 * a 429's {@code Retry-After}, and the burst window of {@code X-HubSpot-RateLimit-Remaining} /
 * {@code -Interval-Milliseconds}. When the window is spent, the next call waits for it to roll
 * instead of drawing a 429. Also keeps the daily figures from {@code X-HubSpot-RateLimit-Daily} and
 * {@code -Daily-Remaining}.
 */
final class RateGovernor {
  /** Longest pause AIX accepts from a header; longer ones are the CRM's problem to report. */
  static final Duration MAX_PAUSE = Duration.ofSeconds(60);

  /**
   * The spacing of searches. HubSpot's search endpoints are exempt from the ten-secondly bucket
   * ({@code x-hubspot-rate-limit-exemptions: ten-secondly} on {@code .../search} in CRM/Contacts v3
   * contacts.json) but allow about five requests a second per account, answering 429 "You have
   * reached your secondly limit." beyond (HubSpot's Node client, RetryDecorator.ts). AIX sends at
   * most four a second, so that network jitter never bunches five into one of HubSpot's seconds.
   */
  static final Duration SEARCH_SPACING = Duration.ofMillis(250);

  private final Clock clock;
  private Instant notBefore = Instant.EPOCH;
  private Instant nextSearch = Instant.EPOCH;
  private volatile long dailyLimit;
  private volatile long dailyUsed;

  RateGovernor(Clock clock) {
    this.clock = clock;
  }

  void awaitPermit() {
    Instant until;
    synchronized (this) {
      until = notBefore;
    }
    sleepUntil(until, "pacing HubSpot calls");
  }

  /** Waits for this search's slot; slots are handed out {@link #SEARCH_SPACING} apart. */
  void awaitSearchPermit() {
    Instant slot;
    synchronized (this) {
      Instant now = clock.instant();
      slot = nextSearch.isAfter(now) ? nextSearch : now;
      nextSearch = slot.plus(SEARCH_SPACING);
    }
    sleepUntil(slot, "pacing HubSpot searches");
  }

  private void sleepUntil(Instant until, String what) {
    long wait = Duration.between(clock.instant(), until).toMillis();
    if (wait > 0) {
      try {
        Thread.sleep(Math.min(wait, MAX_PAUSE.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + what, e);
      }
    }
  }

  void observe(Response response) {
    Long daily = number(response, "X-HubSpot-RateLimit-Daily");
    Long dailyRemaining = number(response, "X-HubSpot-RateLimit-Daily-Remaining");
    if (daily != null && dailyRemaining != null) {
      dailyLimit = daily;
      dailyUsed = daily - dailyRemaining;
    }
    Instant now = clock.instant();
    Instant pauseUntil = null;
    if (response.getStatus() == 429) {
      Long retryAfter = number(response, "Retry-After");
      pauseUntil = now.plusSeconds(retryAfter == null ? 1 : retryAfter);
    } else {
      Long remaining = number(response, "X-HubSpot-RateLimit-Remaining");
      Long interval = number(response, "X-HubSpot-RateLimit-Interval-Milliseconds");
      if (remaining != null && interval != null && remaining <= 0) {
        pauseUntil = now.plusMillis(interval);
      }
    }
    if (pauseUntil != null) {
      Instant capped = pauseUntil.isAfter(now.plus(MAX_PAUSE)) ? now.plus(MAX_PAUSE) : pauseUntil;
      synchronized (this) {
        if (capped.isAfter(notBefore)) {
          notBefore = capped;
        }
      }
    }
  }

  synchronized Instant notBefore() {
    return notBefore;
  }

  long dailyLimit() {
    return dailyLimit;
  }

  long dailyUsed() {
    return dailyUsed;
  }

  private static Long number(Response response, String header) {
    String value = response.getHeaderString(header);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
