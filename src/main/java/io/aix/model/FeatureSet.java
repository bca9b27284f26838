package io.aix.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

/**
 * The features of one lead, named so that a model trained on one set of leads can score another: a
 * categorical value becomes a one-hot feature {@code name=value} (a missing value is its own value,
 * {@code name=<missing>}, because "not given" often predicts), and a number becomes a feature
 * {@code name} plus a missing-indicator when it is absent.
 */
public final class FeatureSet {
  public static final String MISSING = "<missing>";

  private final List<String> names = new ArrayList<>();
  private final List<Double> values = new ArrayList<>();

  public FeatureSet categorical(String name, String value) {
    String v = value == null || value.isBlank() ? MISSING : value.trim().toLowerCase(Locale.ROOT);
    names.add(name + "=" + v);
    values.add(1.0);
    return this;
  }

  public FeatureSet numeric(String name, Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      names.add(name + "=" + MISSING);
      values.add(1.0);
    } else {
      names.add(name);
      values.add(value);
    }
    return this;
  }

  /** As a Tribuo example with the given outcome (training) or a placeholder (scoring). */
  public ArrayExample<Label> example(Label label) {
    String[] n = names.toArray(String[]::new);
    double[] v = new double[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return new ArrayExample<>(label, n, v);
  }

  public int size() {
    return names.size();
  }
}
