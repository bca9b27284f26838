package io.aix.bench;

import io.aix.model.BinaryModel;
import io.aix.model.BinaryModel.Algorithm;
import io.aix.model.BinaryModel.Row;
import io.aix.model.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Cross-validated figures for each algorithm on one data set: stratified k folds from a fixed seed
 * (the same split on every run), or a given train/test split.
 */
public final class ModelBench {
  public static final long SEED = 20261125L;

  /** What one algorithm achieved. */
  public record Result(
      Algorithm algorithm,
      double auc,
      double brier,
      double logLoss,
      double trainSeconds,
      double p50Micros,
      double p99Micros,
      int scored) {}

  private ModelBench() {}

  /** Stratified folds: each fold gets its share of converted and not-converted leads. */
  static List<List<Row>> folds(List<Row> rows, int k, long seed) {
    List<Row> positives = new ArrayList<>(rows.stream().filter(Row::converted).toList());
    List<Row> negatives = new ArrayList<>(rows.stream().filter(r -> !r.converted()).toList());
    Random random = new Random(seed);
    Collections.shuffle(positives, random);
    Collections.shuffle(negatives, random);
    List<List<Row>> folds = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      folds.add(new ArrayList<>());
    }
    for (int i = 0; i < positives.size(); i++) {
      folds.get(i % k).add(positives.get(i));
    }
    for (int i = 0; i < negatives.size(); i++) {
      folds.get(i % k).add(negatives.get(i));
    }
    return folds;
  }

  public static Result crossValidate(Algorithm algorithm, List<Row> rows, int k) {
    List<List<Row>> folds = folds(rows, k, SEED);
    List<double[]> parts = new ArrayList<>();
    List<boolean[]> truths = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    long trainNanos = 0;
    for (int f = 0; f < k; f++) {
      List<Row> train = new ArrayList<>();
      for (int g = 0; g < k; g++) {
        if (g != f) {
          train.addAll(folds.get(g));
        }
      }
      long started = System.nanoTime();
      BinaryModel model = BinaryModel.train(algorithm, train, SEED + f);
      trainNanos += System.nanoTime() - started;
      parts.add(score(model, folds.get(f), latencies));
      truths.add(truth(folds.get(f)));
    }
    return result(algorithm, concat(parts), concatB(truths), trainNanos / (double) k, latencies);
  }

  public static Result trainTest(Algorithm algorithm, List<Row> train, List<Row> test) {
    long started = System.nanoTime();
    BinaryModel model = BinaryModel.train(algorithm, train, SEED);
    long trainNanos = System.nanoTime() - started;
    List<Long> latencies = new ArrayList<>();
    double[] p = score(model, test, latencies);
    return result(algorithm, p, truth(test), trainNanos, latencies);
  }

  /** Scores each lead on its own, as the pipeline does, timing each call. */
  private static double[] score(BinaryModel model, List<Row> rows, List<Long> latencies) {
    // Warm the model's code paths before timing, as a running service would be.
    for (int i = 0; i < Math.min(200, rows.size()); i++) {
      model.probability(rows.get(i).features());
    }
    double[] p = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      long t = System.nanoTime();
      p[i] = model.probability(rows.get(i).features());
      latencies.add(System.nanoTime() - t);
    }
    return p;
  }

  private static boolean[] truth(List<Row> rows) {
    boolean[] t = new boolean[rows.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = rows.get(i).converted();
    }
    return t;
  }

  private static Result result(
      Algorithm algorithm, double[] p, boolean[] t, double trainNanos, List<Long> latencies) {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Result(
        algorithm,
        Metrics.auc(p, t),
        Metrics.brier(p, t),
        Metrics.logLoss(p, t),
        trainNanos / 1e9,
        percentile(sorted, 0.50) / 1e3,
        percentile(sorted, 0.99) / 1e3,
        p.length);
  }

  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static double[] concat(List<double[]> parts) {
    return parts.stream().flatMapToDouble(Arrays::stream).toArray();
  }

  private static boolean[] concatB(List<boolean[]> parts) {
    int n = parts.stream().mapToInt(a -> a.length).sum();
    boolean[] out = new boolean[n];
    int i = 0;
    for (boolean[] part : parts) {
      System.arraycopy(part, 0, out, i, part.length);
      i += part.length;
    }
    return out;
  }
}
