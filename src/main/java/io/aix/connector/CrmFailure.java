package io.aix.connector;

/**
 * A CRM error, classified by the connector that saw it.
 *
 * @param kind what AIX does about it
 * @param code the CRM's own error code (for example {@code UNABLE_TO_LOCK_ROW}), kept for the
 *     dead-letter row
 */
public record CrmFailure(Kind kind, String code, String message) {

  public enum Kind {
    /** Try again with backoff: lock contention, 429, 5xx, timeouts, connection resets. */
    RETRIABLE,
    /** The record itself is refused: dead-letter it with the code, move the offset on. */
    PERMANENT,
    /** The org's API budget is spent: pause this profile, do not retry until the next window. */
    BUDGET_EXHAUSTED
  }

  /** Codes of calls AIX refused itself, before anything reached the CRM. */
  public static final java.util.Set<String> NOT_SENT =
      java.util.Set.of("AIX_BUDGET", "CIRCUIT_OPEN", "BULKHEAD_FULL");

  /** The call never reached the CRM: nothing can have been written. */
  public boolean notSent() {
    return NOT_SENT.contains(code);
  }

  @Override
  public String toString() {
    return kind + " " + code + ": " + message;
  }
}
