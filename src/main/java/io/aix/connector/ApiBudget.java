package io.aix.connector;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One profile's API budget: the admin's {@code limits.dailyApiBudget}, counted per window (a UTC
 * day by default) across every replica through a {@link Ledger}, plus what the CRM itself says.
 * Connectors call {@link #acquire()} before each HTTP call to the CRM; once the budget or the CRM's
 * own daily limit is spent, every call is refused with {@link CrmFailure.Kind#BUDGET_EXHAUSTED}
 * until the window rolls, work waits in the queue, and health says why.
 */
public final class ApiBudget {
  /** Where calls are counted: shared by every replica of AIX. */
  public interface Ledger {
    /**
     * Counts one more call of {@code profileId} in the window starting at {@code windowStart},
     * unless {@code limit} calls were counted already; returns the new count, or -1 when the budget
     * is spent.
     */
    long reserve(String profileId, Instant windowStart, long limit);
  }

  private final String profileId;
  private final long limit;
  private final Duration window;
  private final Supplier<Clock> clock;
  private final Ledger ledger;
  private volatile Instant spentWindow;
  private volatile String reason;
  private volatile long used;

  public ApiBudget(
      String profileId, long limit, Duration window, Supplier<Clock> clock, Ledger ledger) {
    this.profileId = profileId;
    this.limit = limit;
    this.window = window;
    this.clock = clock;
    this.ledger = ledger;
  }

  /** Reserves one call, or refuses it when the budget is spent. */
  public void acquire() {
    Instant start = windowStart();
    if (start.equals(spentWindow)) {
      throw refusal();
    }
    long n = ledger.reserve(profileId, start, limit);
    if (n < 0) {
      spend(
          start,
          "AIX's API budget of "
              + limit
              + " calls per "
              + describe(window)
              + " (limits.dailyApiBudget) is spent");
      throw refusal();
    }
    used = n;
  }

  /** The CRM refused a call because its own daily limit is spent (shared with other apps). */
  public void spentByCrm(String detail) {
    spend(windowStart(), "the CRM's own API limit is spent: " + detail);
  }

  /** The CRM's reported daily usage: at or over its limit, AIX stops before being refused. */
  public void observe(long crmUsed, long crmLimit) {
    if (crmLimit > 0 && crmUsed >= crmLimit) {
      spend(windowStart(), "the CRM reports " + crmUsed + " of " + crmLimit + " calls used today");
    }
  }

  private void spend(Instant start, String why) {
    if (!start.equals(spentWindow)) {
      reason = why;
      spentWindow = start;
    }
  }

  /** Forgets a spent window learned in memory (the ledger's counts stay). */
  void forget() {
    spentWindow = null;
    reason = null;
  }

  public boolean spent() {
    return windowStart().equals(spentWindow);
  }

  /** Why calls are refused, while {@link #spent()}. */
  public String reason() {
    return reason;
  }

  /** Calls counted in the current window when this instance last reserved one. */
  public long used() {
    return used;
  }

  public long limit() {
    return limit;
  }

  /** When the current window ends and calls may resume. */
  public Instant nextWindow() {
    return windowStart().plus(window);
  }

  Instant windowStart() {
    long ms = window.toMillis();
    long now = clock.get().millis();
    return Instant.ofEpochMilli(Math.floorDiv(now, ms) * ms);
  }

  private CrmCallException refusal() {
    return new CrmCallException(
        new CrmFailure(
            CrmFailure.Kind.BUDGET_EXHAUSTED,
            "AIX_BUDGET",
            reason + "; calls resume at " + nextWindow()),
        null);
  }

  private static String describe(Duration d) {
    return d.equals(Duration.ofDays(1)) ? "day" : d.toString();
  }
}
