package io.aix.model;

import io.aix.model.TrainingData.Example;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a training set before any model sees it, and writes the report that is stored with the
 * model: size and label balance, per feature group its missingness and cardinality, duplicate rows,
 * and a leakage guard. Refuses: one class, too little data, a group missing everywhere, a group
 * that predicts the outcome almost perfectly on its own (a field set after conversion).
 */
public final class TrainingValidation {
  /** A single group whose values separate the classes this well is treated as a leak. */
  static final double LEAK_AUC = 0.95;

  /** What the check found; serialised into the registry. */
  public record Report(
      int rows,
      long converted,
      double conversionRate,
      long duplicateRows,
      Map<String, GroupStats> groups,
      List<String> warnings) {}

  /** One feature group: share of leads without it, distinct values, its AUC on its own. */
  public record GroupStats(double missing, int distinct, double soloAuc) {}

  private TrainingValidation() {}

  public static Report check(
      List<Example> examples, LeadFeatures features, int minLeads, int minConversions) {
    List<String> refusals = new ArrayList<>();
    long converted = examples.stream().filter(Example::converted).count();
    int n = examples.size();
    if (n == 0 || converted == 0 || converted == n) {
      throw new TrainingRefused(
          List.of(
              "the training set has one class only ("
                  + converted
                  + " converted of "
                  + n
                  + " labelled leads): nothing to learn"));
    }
    if (n < minLeads || converted < minConversions) {
      refusals.add(
          "not enough history: "
              + n
              + " labelled leads and "
              + converted
              + " conversions, the minimum is "
              + minLeads
              + " and "
              + minConversions
              + "; the rules scorer stays in charge");
    }
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      y[i] = examples.get(i).converted();
    }
    Map<String, GroupStats> groups = new LinkedHashMap<>();
    for (String group : features.groups()) {
      String[] values = new String[n];
      int missing = 0;
      for (int i = 0; i < n; i++) {
        Example e = examples.get(i);
        values[i] = LeadFeatures.describe(e.lead(), e.enrichment(), group);
        missing += values[i] == null ? 1 : 0;
      }
      Set<String> distinct = new HashSet<>();
      for (String v : values) {
        distinct.add(v == null ? FeatureSet.MISSING : v);
      }
      double solo = soloAuc(values, y);
      groups.put(group, new GroupStats(missing / (double) n, distinct.size(), solo));
      if (missing == n) {
        refusals.add(
            group + " is missing in every lead: fix its mapping, or map the field as never-use");
      } else if (solo >= LEAK_AUC) {
        refusals.add(
            String.format(
                "%s predicts the outcome almost perfectly on its own (AUC %.3f): it looks set"
                    + " after conversion; map it as never-use",
                group, solo));
      }
    }
    Set<String> seen = new HashSet<>();
    long duplicates = 0;
    for (Example e : examples) {
      StringBuilder key = new StringBuilder(e.converted() ? "1" : "0");
      for (String group : features.groups()) {
        key.append('|').append(LeadFeatures.describe(e.lead(), e.enrichment(), group));
      }
      if (!seen.add(key.toString())) {
        duplicates++;
      }
    }
    List<String> warnings = new ArrayList<>();
    if (duplicates > n / 2) {
      warnings.add(duplicates + " of " + n + " leads repeat another lead's features exactly");
    }
    double rate = converted / (double) n;
    if (rate < 0.02) {
      warnings.add(String.format("only %.1f%% converted: probabilities will be small", rate * 100));
    }
    if (!refusals.isEmpty()) {
      throw new TrainingRefused(refusals);
    }
    return new Report(n, converted, rate, duplicates, groups, warnings);
  }

  /**
   * The AUC of a group's values alone, scoring each lead by its value's conversion rate. Values
   * seen fewer than {@link #MIN_VALUE_COUNT} times are pooled, so that a near-unique value (an
   * exact revenue figure) cannot look predictive by memorising its one lead.
   */
  static double soloAuc(String[] values, boolean[] y) {
    Map<String, Integer> frequency = new HashMap<>();
    for (String v : values) {
      frequency.merge(v == null ? "" : v, 1, Integer::sum);
    }
    String[] pooled = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      String v = values[i] == null ? "" : values[i];
      pooled[i] = frequency.get(v) < MIN_VALUE_COUNT ? "\u0000rare" : v;
    }
    Map<String, int[]> counts = new HashMap<>();
    for (int i = 0; i < pooled.length; i++) {
      int[] c = counts.computeIfAbsent(pooled[i], k -> new int[2]);
      c[0]++;
      c[1] += y[i] ? 1 : 0;
    }
    double[] score = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      int[] c = counts.get(pooled[i]);
      score[i] = c[1] / (double) c[0];
    }
    return Metrics.auc(score, y);
  }

  static final int MIN_VALUE_COUNT = 20;
}
