package io.aix.model;

import java.util.Arrays;
import java.util.Comparator;

/** Honest figures for a probabilistic binary classifier. */
public final class Metrics {
  private Metrics() {}

  /**
   * Area under the ROC curve: the chance that a random positive scores above a random negative,
   * ties counting half (the Mann-Whitney statistic, with average ranks).
   */
  public static double auc(double[] scores, boolean[] positive) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          rankSumPositive += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException("AUC needs both classes");
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Mean squared error of the probabilities: 0 is perfect, 0.25 is a coin. */
  public static double brier(double[] probabilities, boolean[] positive) {
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double d = probabilities[i] - (positive[i] ? 1 : 0);
      sum += d * d;
    }
    return sum / probabilities.length;
  }

  /** Mean negative log-likelihood, with probabilities clipped away from 0 and 1. */
  public static double logLoss(double[] probabilities, boolean[] positive) {
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]));
      sum -= positive[i] ? Math.log(p) : Math.log(1 - p);
    }
    return sum / probabilities.length;
  }

  /** Shares of probabilities in ten equal-width bins: the distribution PSI compares. */
  public static double[] histogram(double[] probabilities) {
    double[] bins = new double[10];
    for (double p : probabilities) {
      bins[Math.max(0, Math.min(9, (int) (p * 10)))]++;
    }
    for (int i = 0; i < bins.length; i++) {
      bins[i] = probabilities.length == 0 ? 0 : bins[i] / probabilities.length;
    }
    return bins;
  }

  /**
   * Population stability index of {@code actual} against {@code expected} (bin shares): under 0.1
   * stable, 0.1 to 0.25 shifting, over 0.25 a different population. Empty bins count as 0.1%.
   */
  public static double psi(double[] expected, double[] actual) {
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(expected[i], 0.001);
      double a = Math.max(actual[i], 0.001);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}
