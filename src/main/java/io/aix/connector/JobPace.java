package io.aix.connector;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When to first look at a CRM's bulk job (each look an API call), from the jobs before it. Where
 * the CRM gives its processing times, the last few jobs' are fitted as a fixed start and a time per
 * row by least squares (one job size alone: its time per row), and the look comes when the fit says
 * the job ends, and a second: a time per row alone, learnt from a small job, put a 185,000-row
 * job's look 20 s late, and one from a large job put a small job's look before its start was over.
 * Where the CRM gives none, the last large job's time per row as AIX saw it (to the look that found
 * it done), and the look at four fifths of its estimate: at the full estimate it would never learn
 * that the CRM got faster.
 */
public final class JobPace {
  /** Jobs remembered. */
  static final int KEPT = 8;

  /** Jobs smaller than this teach no pace by looks: their fixed start outweighs their rows. */
  public static final long MIN_LOOKED_ROWS = 10_000;

  private final Deque<long[]> seen = new ArrayDeque<>();

  /** The last job with a time per row as AIX saw it (ms); 0 before any. */
  private double lookedMillisPerRow;

  /** The last job that taught a pace had the CRM's processing time. */
  private boolean fromCrm;

  /** A job of {@code rows} rows took {@code millis} to process, as the CRM says. */
  public synchronized void observed(long rows, long millis) {
    if (rows <= 0 || millis <= 0) {
      return;
    }
    seen.addLast(new long[] {rows, millis});
    while (seen.size() > KEPT) {
      seen.removeFirst();
    }
    fromCrm = true;
  }

  /**
   * A job of {@code rows} rows was found done {@code millis} after it started, and the CRM gave no
   * processing time; jobs under {@link #MIN_LOOKED_ROWS} rows teach nothing.
   */
  public synchronized void lookedDone(long rows, long millis) {
    if (rows < MIN_LOOKED_ROWS) {
      return;
    }
    lookedMillisPerRow = (double) millis / rows;
    fromCrm = false;
  }

  /**
   * When to first look at a job of {@code rows} rows (ms after it started), or -1 before any job
   * taught a pace. A pace from looks foresees at most {@code maxFromLooks}.
   */
  public synchronized long firstLook(long rows, long maxFromLooks) {
    if (fromCrm) {
      return foresee(rows) + 1_000;
    }
    return lookedMillisPerRow > 0
        ? Math.min(maxFromLooks, (long) (0.8 * lookedMillisPerRow * rows))
        : -1;
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
