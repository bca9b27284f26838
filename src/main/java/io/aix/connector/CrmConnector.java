package io.aix.connector;

import io.aix.lead.CrmRecord;
import io.aix.mapping.MappingProfile;
import io.aix.profile.CrmProfile;
import java.time.Instant;
import java.util.List;

/**
 * The CRM service-provider interface: everything AIX needs from one connected CRM org or portal.
 * One instance serves one {@link CrmProfile}; {@link ConnectorFactory} creates it at start-up.
 *
 * <h2>Who calls, when, on which thread</h2>
 *
 * <ul>
 *   <li>{@link #poll} is called by the source route of one CRM object, which runs only on the
 *       elected leader ({@code master:} endpoint), on that route's timer thread, one call at a time
 *       per object. It blocks until the page is read. It never writes.
 *   <li>{@link #writeScores} is called by the writeback stage of the pipeline on a Camel worker
 *       thread, possibly concurrently for different objects; implementations must be thread-safe.
 *   <li>Neither method retries a failed call by itself; the caller owns retry policy, so retries
 *       stay visible and bounded.
 * </ul>
 *
 * <h2>What must hold</h2>
 *
 * <ul>
 *   <li>{@code poll} returns records in ascending (modification stamp, id) order, starting at the
 *       offset's watermark minus the object's overlap; callers de-duplicate by {@link
 *       io.aix.lead.CrmRecord#changeKey()}, so re-reading is harmless and missing is not.
 *   <li>{@code writeScores} receives at most {@link #maxWriteBatch()} records of one object and
 *       returns exactly one {@link WriteOutcome} per input, in input order. A per-record refusal is
 *       a {@link WriteOutcome.Failed}; a failure of the whole call is a {@link CrmCallException}.
 *       Writing the same score twice must be harmless (idempotent field updates).
 *   <li>Errors are classified by the connector ({@link CrmFailure.Kind}), because only it knows
 *       which of its CRM's codes are worth a retry.
 *   <li>Secrets are resolved when the connector is created and never logged.
 * </ul>
 */
public interface CrmConnector {

  CrmProfile profile();

  /**
   * Reads one page of records of {@code object} changed at or after {@code since} minus the
   * object's overlap, or the page after {@code pageToken} when it is not null.
   */
  PollPage poll(String object, MappingProfile mapping, Offset since, String pageToken);

  /**
   * As {@link #poll}, leaving out the records whose last change was made by AIX's own user when
   * {@code othersOnly} and the CRM can tell (the caller says so only where every other change
   * reached AIX another way: see {@code io.aix.pipeline.PollCoverage}). A connector that cannot
   * tell reads everything, which is always safe.
   */
  default PollPage poll(
      String object, MappingProfile mapping, Offset since, String pageToken, boolean othersOnly) {
    return poll(object, mapping, since, pageToken);
  }

  /** Largest batch {@link #writeScores} accepts (Salesforce: 200; HubSpot: 100). */
  int maxWriteBatch();

  /** Writes AIX's fields for each record; see the class comment for the contract. */
  List<WriteOutcome> writeScores(String object, List<ScoreWrite> writes);

  /**
   * Of these writes, the records whose AIX fields in the CRM already show exactly this score (all
   * written fields but the scoring time), read back in as few calls as the CRM allows. The
   * writeback stage asks only after a write whose answer AIX never recorded (a crash or a failed
   * call), so a restart never writes the same score twice. The default knows nothing: write.
   */
  default java.util.Set<String> showing(String object, List<ScoreWrite> writes) {
    return java.util.Set.of();
  }

  /**
   * Reads the current version of the given records, for CRMs that push change notices carrying ids
   * only (HubSpot webhooks). Same ordering-free contract as a poll page; records that no longer
   * exist are simply absent.
   *
   * @throws UnsupportedOperationException when this CRM's changes arrive only by polling
   */
  default List<CrmRecord> read(String object, MappingProfile mapping, List<String> ids) {
    throw new UnsupportedOperationException(
        profile().type() + " connector does not read records by id");
  }

  /**
   * The kinds of activity records this CRM keeps on leads that {@link #activities} reads as
   * engagement (Salesforce: {@code Task}, {@code CampaignMember}); none by default.
   */
  default List<String> activitySources() {
    return List.of();
  }

  /**
   * Activity records of one source about records of {@code object}, changed at or after {@code
   * since}, oldest first, at most {@code limit}: completed calls and meetings, campaign responses.
   */
  default List<CrmActivity> activities(String object, String source, Instant since, int limit) {
    return List.of();
  }

  /** Whether {@link #createTasks} is implemented; profiles enabling tasks are refused otherwise. */
  default boolean createsTasks() {
    return false;
  }

  /**
   * Creates one follow-up task per hot lead, assigned to the lead's owner and linked to the record.
   * Returns one outcome per input, in input order. Each task carries its {@link
   * HotLeadTask#idempotencyKey()} so a caller can recognise a task it created before a crash.
   */
  default List<TaskOutcome> createTasks(String object, List<HotLeadTask> tasks) {
    throw new UnsupportedOperationException(profile().type() + " connector does not create tasks");
  }

  /**
   * Tasks this connector created earlier for these claims, found in the CRM by their idempotency
   * keys: key to CRM task id. Asked before a claim is sent again after an attempt whose answer
   * never arrived, since the CRM may have created the task all the same. The default finds none.
   */
  default java.util.Map<String, String> findTasks(String object, List<HotLeadTask> tasks) {
    return java.util.Map.of();
  }

  /**
   * Erases one record from the CRM at a data subject's request, as the CRM does it for privacy
   * (HubSpot's GDPR delete; Salesforce's delete). Called only when the profile's privacy policy
   * says so; a record already gone counts as erased.
   *
   * @return what the CRM did, in words for the erasure report
   */
  default String erase(String object, String crmId) {
    throw new UnsupportedOperationException(profile().type() + " connector does not erase");
  }

  /**
   * What the CRM has and lacks for AIX: every field or property AIX writes or the mappings read,
   * the object permissions and API scopes it uses, each with the admin's fix. Makes a few read-only
   * calls; changes nothing.
   *
   * @param mappings the mapping of each object this profile syncs, by object name
   */
  default List<InstallFinding> checkInstall(java.util.Map<String, MappingProfile> mappings) {
    throw new UnsupportedOperationException(
        profile().type() + " connector does not check installs");
  }

  /**
   * The CRM fields and values a write of this score would set, as the CRM's API receives them: what
   * a dry run records instead of writing. No call is made.
   */
  java.util.Map<String, Object> previewWrite(String object, ScoreWrite write);

  /** A task creation's result: the CRM's task id, or why there is none. */
  record TaskOutcome(HotLeadTask task, String crmTaskId, CrmFailure failure) {}

  /** API calls this connector has made since start, and the CRM's last reported usage. */
  ApiUsage apiUsage();

  /** Counters of one connector's API use. */
  record ApiUsage(long callsMade, long orgUsed, long orgLimit) {}
}
