package io.aix.persistence;

/**
 * What AIX holds about a record between polls.
 *
 * @param inputHash hash of the mapped fields last processed
 * @param scoreVersion the latest score's version (0: never scored)
 * @param writtenVersion the latest version confirmed written to the CRM
 * @param fingerprint the latest score's {@link io.aix.scoring.ScoreResult#fingerprint()}
 * @param deleted tombstoned: deleted or merged in the CRM
 * @param writingVersion the latest version a write was started for; above {@code writtenVersion}
 *     after a crash or a failed call, when the CRM may or may not show it
 * @param crmModifiedAt the CRM's stamp of the version last processed (null: none stored)
 */
public record LeadState(
    String inputHash,
    int scoreVersion,
    int writtenVersion,
    String fingerprint,
    boolean deleted,
    int writingVersion,
    java.time.Instant crmModifiedAt) {

  /** Nothing AIX reads changed and the CRM already shows the latest score: skip. */
  public boolean upToDateFor(String newInputHash) {
    return inputHash.equals(newInputHash) && writtenVersion >= scoreVersion;
  }

  /**
   * This state with its latest score counted as written: a bulk job holds that write (waiting for
   * the job or in it), and the job's results settle it.
   */
  public LeadState withWriteHeld() {
    return new LeadState(
        inputHash,
        scoreVersion,
        Math.max(writtenVersion, scoreVersion),
        fingerprint,
        deleted,
        writingVersion,
        crmModifiedAt);
  }

  /**
   * AIX processed a later version of the record than one stamped {@code modifiedAt}: that one is
   * stale (a bulk query's snapshot, read minutes after a change event brought the newer version).
   */
  public boolean newerThan(java.time.Instant modifiedAt) {
    return crmModifiedAt != null && crmModifiedAt.isAfter(modifiedAt);
  }
}
