package io.aix.connector;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Foresees how long a CRM's bulk job of a given size takes, from the processing times the CRM gave
 * for the last few jobs: a fixed start and a time per row, fitted by least squares (one job size
 * alone: its time per row). A job's look is an API call, so the writer looks when the job should be
 * done; a time per row alone, learnt from a small job, put a 185,000-row job's look 20 s late, and
 * one from a large job put a small job's look before its start was over.
 */
public final class JobPace {
  /** Jobs remembered. */
  static final int KEPT = 8;

  private final Deque<long[]> seen = new ArrayDeque<>();

  /** A job of {@code rows} rows took {@code millis} to process, as the CRM says. */
  public synchronized void observed(long rows, long millis) {
    if (rows <= 0 || millis <= 0) {
      return;
    }
    seen.addLast(new long[] {rows, millis});
    while (seen.size() > KEPT) {
      seen.removeFirst();
    }
  }

  /** How long a job of {@code rows} rows should take (ms), or -1 before any job was seen. */
  public synchronized long foresee(long rows) {
    if (seen.isEmpty()) {
      return -1;
    }
    double n = seen.size();
    double meanRows = 0;
    double meanMillis = 0;
    for (long[] s : seen) {
      meanRows += s[0] / n;
      meanMillis += s[1] / n;
    }
    double covariance = 0;
    double variance = 0;
    for (long[] s : seen) {
      covariance += (s[0] - meanRows) * (s[1] - meanMillis);
      variance += (s[0] - meanRows) * (s[0] - meanRows);
    }
    if (variance == 0) {
      // One size seen: its time per row.
      return Math.round(meanMillis / meanRows * rows);
    }
    double perRow = covariance / variance;
    if (perRow <= 0) {
      // Larger jobs took no longer: the start is all there is to foresee (a time per row from a
      // 50-row job of 300 ms foresaw four minutes for 20,000 rows).
      return Math.round(meanMillis);
    }
    double start = Math.max(0, meanMillis - perRow * meanRows);
    return Math.round(start + perRow * rows);
  }
}
