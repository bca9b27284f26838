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
      public Results results(String jobId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long maxJobBytes() {
        return maxJobBytes;
      }
    };
  }

  @Test
  void aJobTakesNoMoreRowsThanItsResultsCanBeReadIn() {
    BulkWriteStage stage = new BulkWriteStage();
    stage.jobRecords = 250_000;
    // Salesforce at 64 MB: half of it for the job's CSV, rows of 525 bytes of JSON.
    int rows = stage.rowsPerJob(bounded(32L * 1024 * 1024), 525);
    assertThat(rows).isBetween(50_000, 60_000);
    assertThat((rows * 585L)).isLessThanOrEqualTo(32L * 1024 * 1024);
    assertThat(stage.rowsPerJob(bounded(Long.MAX_VALUE), 525))
        .as("a CRM without a bound: the configured size")
        .isEqualTo(250_000);
    assertThat(stage.rowsPerJob(bounded(32L * 1024 * 1024), 10))
        .as("small rows: the configured size still caps")
        .isEqualTo(250_000);
    assertThat(stage.rowsPerJob(bounded(100), 525)).as("never none").isEqualTo(1);
  }
}
