package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.connector.BulkScoreWrites;
import io.aix.connector.ScoreWrite;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A bulk job is no bigger than its results can be read back: Salesforce answers an ingest job's
 * successful results in one response that repeats every row, and a 200,000-row job's (about 76 MB)
 * overran the 64 MB AIX reads, so the job was never settled.
 */
class BulkJobSizeTest {
  private static BulkScoreWrites bounded(long maxJobBytes) {
    return new BulkScoreWrites() {
      @Override
      public Map<String, Object> bulkRow(String object, ScoreWrite write) {
        return Map.of();
      }

      @Override
      public String startJob(String object, List<String> columns, List<BulkRow> rows) {
        throw new UnsupportedOperationException();
      }

      @Override
      public JobState job(String jobId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Results results(String jobId, JobState state) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long maxJobBytes() {
        return maxJobBytes;
      }
    };
  }

  @Test
  void aJobTakesNoMoreRowsThanItsFailedResultsCanBeReadIn() {
    BulkWriteStage stage = new BulkWriteStage();
    stage.jobRecords = 250_000;
    // Salesforce at 128 MB: every row failing, rows of 525 bytes of JSON and an error each.
    int rows = stage.rowsPerJob(bounded(128L * 1024 * 1024), 525);
    assertThat(rows).isBetween(180_000, 190_000);
    assertThat((rows * 725L)).isLessThanOrEqualTo(128L * 1024 * 1024);
    assertThat(stage.rowsPerJob(bounded(Long.MAX_VALUE), 525))
        .as("a CRM without a bound: the configured size")
        .isEqualTo(250_000);
    assertThat(stage.rowsPerJob(bounded(128L * 1024 * 1024), 10))
        .as("small rows: the configured size still caps")
        .isEqualTo(250_000);
    assertThat(stage.rowsPerJob(bounded(100), 525)).as("never none").isEqualTo(1);
  }

  @Test
  void aRunningJobIsLookedAtWhenItsOwnPaceSaysItEnds() {
    long[] job = {100_000, 0};
    assertThat(BulkWriteStage.nextLook(2_000, 0, job, 10_000))
        .as("nothing processed yet: the doubling pause")
        .isEqualTo(2_000);
    assertThat(BulkWriteStage.nextLook(2_000, 50_000, job, 20_000))
        .as("half done in 20 s: 20 s more")
        .isEqualTo(20_000);
    assertThat(BulkWriteStage.nextLook(2_000, 10_000, job, 60_000))
        .as("a tenth in a minute: at most a minute's pause")
        .isEqualTo(BulkWriteStage.MAX_LOOK_PAUSE_MILLIS);
    assertThat(BulkWriteStage.nextLook(2_000, 99_990, job, 60_000))
        .as("almost done: never under 2 s")
        .isEqualTo(2_000);
    assertThat(BulkWriteStage.nextLook(16_000, 50_000, null, 60_000))
        .as("a job another writer started: the doubling pause")
        .isEqualTo(16_000);
  }
}
