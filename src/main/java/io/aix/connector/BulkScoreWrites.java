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
 * failed (with the CRM's error, classified) or unprocessed (never tried: to be sent again).
 */
public interface BulkScoreWrites {

  /** The CRM's columns and values for one score: a null value sets the field to null. */
  Map<String, Object> bulkRow(String object, ScoreWrite write);

  /** Starts a job writing these rows (each: the record id, then its columns); its id. */
  String startJob(String object, List<String> columns, List<BulkRow> rows);

  JobState job(String jobId);

  /** Every row's outcome; only for a job that is done. */
  Results results(String jobId);

  /**
   * The most a job's rows may weigh, as the CRM's CSV: a CRM that answers a job's results in one
   * response (echoing each row) needs them to fit the largest response AIX reads. Unbounded by
   * default.
   */
  default long maxJobBytes() {
    return Long.MAX_VALUE;
  }

  record BulkRow(String crmId, Map<String, Object> values) {}

  /**
   * @param done the job reached a final state (complete, failed, aborted)
   * @param failedWhole the whole job failed or was aborted (its rows are to be sent again)
   */
  record JobState(String state, boolean done, boolean failedWhole, String error) {}

  record Results(
      List<String> written, List<WriteOutcome.Failed> failed, List<String> unprocessed) {}
}
