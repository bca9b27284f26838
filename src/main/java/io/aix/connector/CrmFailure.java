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

  @Override
  public String toString() {
    return kind + " " + code + ": " + message;
  }
}
