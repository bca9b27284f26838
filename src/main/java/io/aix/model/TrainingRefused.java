package io.aix.model;

import java.util.List;

/** The training set is not fit to learn from; the reasons say why, the champion keeps scoring. */
public class TrainingRefused extends RuntimeException {
  private final List<String> reasons;

  public TrainingRefused(List<String> reasons) {
    super(String.join("; ", reasons));
    this.reasons = List.copyOf(reasons);
  }

  public List<String> reasons() {
    return reasons;
  }
}
