package io.aix.lead;

import java.util.List;

/**
 * A record that cannot be processed as it is: the pipeline dead-letters it with these reasons and
 * moves on. It is never retried on its own; a changed record in the CRM is a new record version.
 */
public class BadRecordException extends RuntimeException {
  private final String stage;
  private final List<String> reasons;

  public BadRecordException(String stage, List<String> reasons) {
    super(stage + ": " + String.join("; ", reasons));
    this.stage = stage;
    this.reasons = List.copyOf(reasons);
  }

  public String stage() {
    return stage;
  }

  public List<String> reasons() {
    return reasons;
  }
}
