package io.aix.connector;

import java.util.List;
import java.util.Map;

/**
 * An optional ability of a connector: mass writebacks (a backfill, a re-score after a model
 * promotion) through the CRM's bulk API, in jobs of many thousands of records, instead of one call
 * per batch of 200. Called by the bulk writer on one thread at a time per profile; every call goes
 * through the connector's one call path (API budget, limit headers).
 *
 * <p>A job's life: {@link #startJob} uploads the rows and closes the upload; {@link #job} tells its
 * state; once it is {@link JobState#done done}, {@link #results} says, for every row, written,
 * failed (with the CRM's error, classified) or unprocessed (never tried: to be sent again). A CRM
 * that counts a job's rows may answer only the failed and unprocessed ones and say that every other
 * row was written ({@link Results#othersWritten}); the writer then checks the count against the
 * rows it sent.
 */
public interface BulkScoreWrites {

  /** The CRM's columns and values for one score: a null value sets the field to null. */
  Map<String, Object> bulkRow(String object, ScoreWrite write);

  /** Starts a job writing these rows (each: the record id, then its columns); its id. */
  String startJob(String object, List<String> columns, List<BulkRow> rows);

  JobState job(String jobId);

  /**
   * Every row's outcome; only for a job that is done, with the state {@link #job} last told. A
   * state without counts ({@link JobState#withoutCounts}) asks for every row's outcome as such.
   */
  Results results(String jobId, JobState state);

  /**
   * The most a job's failed rows may weigh in the CRM's answer: a CRM that answers a job's failures
   * in one response (each row echoed with its error) needs them to fit the largest response AIX
   * reads, should every row fail. Unbounded by default.
   */
  default long maxJobBytes() {
    return Long.MAX_VALUE;
  }

  /**
   * Rows a call of the CRM's record API takes in {@link #writeRows}; 0 where the connector cannot
   * write rows so.
   */
  default int maxRowsPerWrite() {
    return 0;
  }

  /**
   * Writes these rows ({@link #bulkRow}'s columns) at once through the CRM's record API, the
   * real-time path's call, at most {@link #maxRowsPerWrite} of them: each row's outcome, in order.
   * For a few rows a job's calls and wait cost more (the rows a running job held while a newer
   * version was written over REST, which the job may have put back; the last few rows of a pass).
   */
  default List<WriteOutcome> writeRows(String object, List<BulkRow> rows) {
    throw new UnsupportedOperationException("this connector writes rows in jobs only");
  }

  record BulkRow(String crmId, Map<String, Object> values) {}

  /**
   * @param done the job reached a final state (complete, failed, aborted)
   * @param failedWhole the whole job failed or was aborted (its rows are to be sent again)
   * @param processed the rows the CRM says it processed so far, or -1 when it does not count them
   * @param failedRows of those, the rows that failed, or -1 when it does not count them
   * @param processingMillis how long the CRM says it took to process the job, or -1 when it does
   *     not say (Salesforce: {@code totalProcessingTime}, "Get Information About an Ingest Job")
   */
  record JobState(
      String state,
      boolean done,
      boolean failedWhole,
      String error,
      long processed,
      long failedRows,
      long processingMillis) {

    /** A state without counts. */
    public JobState(String state, boolean done, boolean failedWhole, String error) {
      this(state, done, failedWhole, error, -1, -1, -1);
    }

    /** A state with counts, without the CRM's processing time. */
    public JobState(
        String state,
        boolean done,
        boolean failedWhole,
        String error,
        long processed,
        long failedRows) {
      this(state, done, failedWhole, error, processed, failedRows, -1);
    }

    public JobState withoutCounts() {
      return new JobState(state, done, failedWhole, error);
    }

    public boolean counted() {
      return processed >= 0 && failedRows >= 0;
    }
  }

  /**
   * @param written the rows written, by record id
   * @param othersWritten every row of the job that is neither failed nor unprocessed was written
   *     (the CRM counted them; {@code written} is then empty)
   */
  record Results(
      List<String> written,
      List<WriteOutcome.Failed> failed,
      List<String> unprocessed,
      boolean othersWritten) {

    public Results(
        List<String> written, List<WriteOutcome.Failed> failed, List<String> unprocessed) {
      this(written, failed, unprocessed, false);
    }
  }
}
