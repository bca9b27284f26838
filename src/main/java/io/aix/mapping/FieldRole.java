package io.aix.mapping;

import java.util.Arrays;
import java.util.Optional;

/** What a mapped field may be used for. */
public enum FieldRole {
  /** An input to scoring and training. */
  FEATURE("feature"),
  /** The training outcome (for example Salesforce {@code IsConverted}); never a scoring input. */
  LABEL("label"),
  /** The record's identity in the CRM. */
  ID("id"),
  /**
   * Kept for operations (routing a task to an owner, audit) but never a scoring or training input,
   * typically because it is only set after sales contact and would leak the outcome.
   */
  NEVER_USE("never-use");

  private final String yamlName;

  FieldRole(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  public static Optional<FieldRole> parse(String text) {
    return Arrays.stream(values()).filter(r -> r.yamlName.equals(text)).findFirst();
  }
}
