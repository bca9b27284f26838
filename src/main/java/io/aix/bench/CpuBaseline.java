package io.aix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The machine's yardstick for a bench's CPU figures, measured in the same run: the CPU it takes
 * here to read one lead's record as JSON and write it out again, which is the least any integration
 * does with a lead. AIX's CPU a lead divided by it is a ratio that compares across machines and
 * across runs on a busy one; the bare milliseconds do neither.
 */
final class CpuBaseline {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CpuBaseline() {}

  /**
   * CPU milliseconds of one JSON round trip (parse, then write) of a record, over {@code records}
   * as the CRM serves them: the fastest of {@code rounds} rounds of {@code roundMillis} of this
   * thread's CPU each, the JIT's best code on this machine. A fixed warm-up of 2 s gave 0.021 ms in
   * one run and 0.0072 ms in another, the same records on the same machine, and two rounds in a row
   * that agreed could both come before the JIT had compiled the loop (0.0237 ms).
   */
  static double msPerRecord(List<String> records, long roundMillis, int rounds) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to measure a baseline on");
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isCurrentThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM does not measure a thread's CPU time");
    }
    double fastest = Double.MAX_VALUE;
    for (int round = 0; round < rounds; round++) {
      long[] done = roundTrips(records, threads, roundMillis);
      fastest = Math.min(fastest, done[1] / 1e6 / done[0]);
    }
    return fastest;
  }

  /** Round trips until {@code millis} of CPU are spent: {count, CPU nanoseconds}. */
  private static long[] roundTrips(List<String> records, ThreadMXBean threads, long millis) {
    long start = threads.getCurrentThreadCpuTime();
    long count = 0;
    long sink = 0;
    long spent;
    do {
      for (String r : records) {
        try {
          JsonNode tree = JSON.readTree(r);
          sink += JSON.writeValueAsBytes(tree).length;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      count += records.size();
      spent = threads.getCurrentThreadCpuTime() - start;
    } while (spent < millis * 1_000_000L);
    if (sink == 0) {
      throw new IllegalStateException("the baseline wrote nothing");
    }
    return new long[] {count, spent};
  }
}
