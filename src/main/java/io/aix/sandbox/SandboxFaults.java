package io.aix.sandbox;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults the sandbox org injects on demand, so tests and benchmarks can prove AIX's behaviour under
 * the failures real CRMs produce.
 */
public final class SandboxFaults {
  /**
   * The next N API calls answer with this failure and the CRM's error body: 503, or the CRM's
   * transient rate limit (429 or 403; HubSpot answers 429, a Salesforce org 403 {@code
   * REQUEST_LIMIT_EXCEEDED} "ConcurrentPerOrgLongTxn Limit exceeded." for either).
   */
  final AtomicInteger failNextCalls = new AtomicInteger();

  volatile int failStatus = 503;

  /** The next N API calls have their connection reset by the server. */
  final AtomicInteger resetNextCalls = new AtomicInteger();

  /** The next N creations are carried out, but the caller's connection resets before the answer. */
  final AtomicInteger loseAnswerOfNextCreations = new AtomicInteger();

  /** The next N updates are carried out, but the caller's connection resets before the answer. */
  final AtomicInteger loseAnswerOfNextUpdates = new AtomicInteger();

  /** Added to every API response. */
  volatile int latencyMillis;

  /** Writes to these record ids are refused with FIELD_CUSTOM_VALIDATION_EXCEPTION. */
  final Set<String> rejectWritesTo = ConcurrentHashMap.newKeySet();

  /** Writes to these record ids fail once each with UNABLE_TO_LOCK_ROW (retriable). */
  final Set<String> lockOnceOn = ConcurrentHashMap.newKeySet();

  /** The kinds of fault a random draw can give, in equal shares. */
  public enum Fault {
    NONE,
    TOO_MANY_REQUESTS,
    UNAVAILABLE,
    CONNECTION_RESET,
    TIMEOUT
  }

  /** Share of API calls that fail at random (0 = none), and how long a timed-out call hangs. */
  volatile double rate;

  volatile int hangMillis = 3000;

  private final java.util.Random random = new java.util.Random(20261125);

  /**
   * From now on, each API call fails with probability {@code rate}: a transient rate limit (a
   * Salesforce org's is 403 ConcurrentPerOrgLongTxn), a 503, a connection reset, or a hang of
   * {@code hangMillis} ending in a reset (a timeout, for the caller), in equal shares. Seeded, so
   * runs are comparable.
   */
  public SandboxFaults randomly(double rate, int hangMillis) {
    this.rate = rate;
    this.hangMillis = hangMillis;
    return this;
  }

  /** The fault this call gets, if any. */
  public Fault draw() {
    double r = rate;
    if (r <= 0) {
      return Fault.NONE;
    }
    synchronized (random) {
      if (random.nextDouble() >= r) {
        return Fault.NONE;
      }
      return Fault.values()[1 + random.nextInt(Fault.values().length - 1)];
    }
  }

  /** Sleeps as a hung server would; the caller then sees its connection reset. */
  void hang() {
    try {
      Thread.sleep(hangMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public SandboxFaults failNext(int calls, int status) {
    failStatus = status;
    failNextCalls.set(calls);
    return this;
  }

  public SandboxFaults resetNext(int calls) {
    resetNextCalls.set(calls);
    return this;
  }

  /** A creation that happens, but whose answer never arrives: the ambiguous failure. */
  public SandboxFaults loseAnswerOfNextCreations(int calls) {
    loseAnswerOfNextCreations.set(calls);
    return this;
  }

  /** An update that happens, but whose answer never arrives (Salesforce sandbox org only). */
  public SandboxFaults loseAnswerOfNextUpdates(int calls) {
    loseAnswerOfNextUpdates.set(calls);
    return this;
  }

  public SandboxFaults latency(int millis) {
    latencyMillis = millis;
    return this;
  }

  public SandboxFaults rejectWrites(String... ids) {
    rejectWritesTo.addAll(Set.of(ids));
    return this;
  }

  public SandboxFaults lockOnce(String... ids) {
    lockOnceOn.addAll(Set.of(ids));
    return this;
  }

  public void clear() {
    failNextCalls.set(0);
    resetNextCalls.set(0);
    loseAnswerOfNextCreations.set(0);
    loseAnswerOfNextUpdates.set(0);
    latencyMillis = 0;
    rejectWritesTo.clear();
    lockOnceOn.clear();
    rate = 0;
  }
}
