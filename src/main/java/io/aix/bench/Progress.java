package io.aix.bench;

import java.io.PrintStream;

/**
 * Progress of long work on standard error, every few seconds: done of total, the rate, the time
 * left. Standard output stays for the result (its last line is the JSON).
 */
public final class Progress {
  private static final long EVERY_NANOS = 5_000_000_000L;

  private final PrintStream out;
  private final String what;
  private final long total;
  private final long start = System.nanoTime();
  private long lastPrint = start;
  private long lastDone;

  public Progress(PrintStream out, String what, long total) {
    this.out = out;
    this.what = what;
    this.total = total;
  }

  /** Notes how much is done; prints when the last line is a few seconds old. */
  public void at(long done) {
    lastDone = done;
    long now = System.nanoTime();
    if (now - lastPrint >= EVERY_NANOS) {
      lastPrint = now;
      out.println(line(done, now));
    }
  }

  /** Prints the final line. */
  public void done() {
    out.println(line(lastDone, System.nanoTime()) + ", done");
  }

  String line(long done, long now) {
    double seconds = Math.max(1e-3, (now - start) / 1e9);
    double rate = done / seconds;
    // Nothing done yet (a bulk job shows its records all at once): no rate to tell the time by.
    String left = done >= total ? "0s" : rate <= 0 ? "?" : duration((long) ((total - done) / rate));
    return String.format(
        "%s: %,d/%,d (%.1f%%), %,.0f/s, %s elapsed, %s left",
        what,
        done,
        total,
        total == 0 ? 100.0 : 100.0 * done / total,
        rate,
        duration((long) seconds),
        left);
  }

  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + "m" + String.format("%02d", seconds % 60) + "s";
    }
    return (seconds / 3600) + "h" + String.format("%02d", (seconds % 3600) / 60) + "m";
  }
}
