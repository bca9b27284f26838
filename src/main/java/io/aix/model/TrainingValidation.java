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
      List<String> warnings,
      Drift drift) {

    /** This report with its drift against the previous training set, warnings included. */
    public Report withDrift(Drift drift) {
      List<String> all = new ArrayList<>(warnings);
      if (!drift.drifted().isEmpty()) {
        all.add(
            "since the training set of v"
                + drift.againstVersion()
                + " these moved (PSI over "
                + DRIFT_PSI
                + "): "
                + String.join(", ", drift.drifted()));
      }
      return new Report(rows, converted, conversionRate, duplicateRows, groups, all, drift);
    }
  }

  /**
   * One feature group: share of leads without it, distinct values, its AUC on its own, and the
   * share of each value (pooled: rare values as {@code (other)}, sizes by order of magnitude),
   * which the next training compares with.
   */
  public record GroupStats(
      double missing, int distinct, double soloAuc, Map<String, Double> shares) {}

  /**
   * The population stability index of each group between the previous training set and this one;
   * {@code drifted} lists those over {@link #DRIFT_PSI}. Empty when there is nothing to compare.
   */
  public record Drift(Integer againstVersion, Map<String, Double> psi, List<String> drifted) {
    static final Drift NONE = new Drift(null, Map.of(), List.of());
  }

  /** The latest registered version's number and stored report. */
  public record Previous(int version, String validationJson) {}

  /** A group whose distribution moved this much is reported as drifted (the usual PSI bar). */
  static final double DRIFT_PSI = 0.25;

  /** Values rarer than this share are pooled, so that PSI compares stable buckets. */
  static final double MIN_SHARE = 0.01;

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
      groups.put(
          group,
          new GroupStats(missing / (double) n, distinct.size(), solo, shares(group, values)));
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
    return new Report(n, converted, rate, duplicates, groups, warnings, Drift.NONE);
  }

  /** Shares of each bucket of a group's values; see {@link GroupStats}. */
  static Map<String, Double> shares(String group, String[] values) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (String v : values) {
      counts.merge(bucket(group, v), 1, Integer::sum);
    }
    Map<String, Double> shares = new java.util.TreeMap<>();
    double other = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      double share = e.getValue() / (double) values.length;
      if (share < MIN_SHARE) {
        other += share;
      } else {
        shares.put(e.getKey(), Math.round(share * 10_000) / 10_000.0);
      }
    }
    if (other > 0) {
      shares.merge("(other)", Math.round(other * 10_000) / 10_000.0, Double::sum);
    }
    return shares;
  }

  /** Sizes and amounts by order of magnitude; everything else as described. */
  private static String bucket(String group, String value) {
    if (value == null) {
      return "(missing)";
    }
    if (group.equals("employees") || group.equals("annualRevenue")) {
      String digits = value.replaceAll("[^0-9]", "");
      return digits.isEmpty() ? value : "10^" + (digits.length() - 1);
    }
    return value;
  }

  /**
   * Drift of this training set against the previous one, group by group. A previous report that
   * cannot be read (older format) gives no comparison rather than a failure.
   */
  public static Drift drift(Report current, java.util.Optional<Previous> previous) {
    if (previous.isEmpty()) {
      return Drift.NONE;
    }
    com.fasterxml.jackson.databind.JsonNode before;
    try {
      before =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(previous.get().validationJson())
              .path("groups");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Drift.NONE;
    }
    Map<String, Double> psi = new LinkedHashMap<>();
    List<String> drifted = new ArrayList<>();
    for (Map.Entry<String, GroupStats> g : current.groups().entrySet()) {
      com.fasterxml.jackson.databind.JsonNode old = before.path(g.getKey()).path("shares");
      if (!old.isObject() || old.isEmpty()) {
        continue;
      }
      Map<String, Double> expected = new LinkedHashMap<>();
      old.fields().forEachRemaining(f -> expected.put(f.getKey(), f.getValue().asDouble()));
      double value = psi(expected, g.getValue().shares());
      psi.put(g.getKey(), Math.round(value * 10_000) / 10_000.0);
      if (value > DRIFT_PSI) {
        drifted.add(g.getKey());
      }
    }
    return new Drift(previous.get().version(), psi, drifted);
  }

  /** PSI over the union of buckets; a bucket absent on one side counts as a tiny share. */
  static double psi(Map<String, Double> expected, Map<String, Double> actual) {
    Set<String> keys = new HashSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    double psi = 0;
    for (String k : keys) {
      double e = Math.max(expected.getOrDefault(k, 0.0), 1e-4);
      double a = Math.max(actual.getOrDefault(k, 0.0), 1e-4);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
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
