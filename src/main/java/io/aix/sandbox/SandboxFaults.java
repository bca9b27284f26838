package io.aix.sandbox;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults the sandbox org injects on demand, so tests and benchmarks can prove AIX's behaviour under
 * the failures real CRMs produce.
 */
public final class SandboxFaults {
  /** The next N API calls answer with this HTTP status (429 or 503) and the CRM's error body. */
  final AtomicInteger failNextCalls = new AtomicInteger();

  volatile int failStatus = 503;

  /** The next N API calls have their connection reset by the server. */
  final AtomicInteger resetNextCalls = new AtomicInteger();

  /** Added to every API response. */
  volatile int latencyMillis;

  /** Writes to these record ids are refused with FIELD_CUSTOM_VALIDATION_EXCEPTION. */
  final Set<String> rejectWritesTo = ConcurrentHashMap.newKeySet();

  /** Writes to these record ids fail once each with UNABLE_TO_LOCK_ROW (retriable). */
  final Set<String> lockOnceOn = ConcurrentHashMap.newKeySet();

  public SandboxFaults failNext(int calls, int status) {
    failStatus = status;
    failNextCalls.set(calls);
    return this;
  }

  public SandboxFaults resetNext(int calls) {
    resetNextCalls.set(calls);
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
    latencyMillis = 0;
    rejectWritesTo.clear();
    lockOnceOn.clear();
  }
}
