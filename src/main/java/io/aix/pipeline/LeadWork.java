package io.aix.pipeline;

import io.aix.enrichment.Enrichment;
import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import io.aix.persistence.LeadState;
import io.aix.scoring.ScoreResult;

/**
 * One record's way through the pipeline. Stages fill it in place (normalize sets {@link #lead},
 * enrich sets {@link #enrichment}, score sets {@link #score}), and its {@link Status} tells the
 * checkpoint what became of it. Used by one thread at a time.
 */
public final class LeadWork {
  /** What happened to the record; every status but {@code PENDING} is final for this version. */
  public enum Status {
    NEW,
    /**
     * The mapped fields did not change (typically AIX's own write coming back), or a later version
     * was processed already: not re-scored.
     */
    UNCHANGED,
    SCORED,
    /** Scored, but the score equals the one in the CRM: no write needed. */
    SAME_SCORE,
    WRITTEN,
    /** Deleted or merged away in the CRM: tombstoned, never written to again. */
    DELETED,
    /** Dead-lettered with a reason. */
    REJECTED,
    /**
     * A retriable failure (or a spent API budget): the record goes back to the work queue and is
     * tried again later; {@link #failure()} says why.
     */
    PENDING
  }

  private final CrmRecord record;
  private final LeadState stored;
  private CanonicalLead lead;
  private Enrichment enrichment;
  private ScoreResult score;
  private int scoreVersion;
  private Status status = Status.NEW;
  private String failedStage;
  private String errorCode;
  private String reason;
  private String source = "poll";
  private io.aix.connector.CrmFailure failure;
  private boolean wholeCall;
  private java.util.List<io.aix.lead.EngagementSignal> signals = java.util.List.of();
  private boolean fromStore;

  public LeadWork(CrmRecord record, LeadState stored) {
    this.record = record;
    this.stored = stored;
  }

  public CrmRecord record() {
    return record;
  }

  /** What AIX held for this record before this version arrived, or null for a new record. */
  public LeadState stored() {
    return stored;
  }

  public CanonicalLead lead() {
    return lead;
  }

  /** The record's engagement signals, newest first (within the signal horizon). */
  public java.util.List<io.aix.lead.EngagementSignal> signals() {
    return signals;
  }

  public LeadWork signals(java.util.List<io.aix.lead.EngagementSignal> signals) {
    this.signals = java.util.List.copyOf(signals);
    return this;
  }

  public void lead(CanonicalLead lead) {
    this.lead = lead;
  }

  /**
   * A re-score from stored state: the record carries no CRM fields, and {@code lead} is what AIX
   * stored for it (null when AIX no longer holds it). Normalize does not map it.
   */
  public LeadWork fromStore(CanonicalLead lead) {
    this.fromStore = true;
    this.lead = lead;
    return this;
  }

  public boolean fromStore() {
    return fromStore;
  }

  public Enrichment enrichment() {
    return enrichment;
  }

  public void enrichment(Enrichment enrichment) {
    this.enrichment = enrichment;
  }

  public ScoreResult score() {
    return score;
  }

  public void score(ScoreResult score) {
    this.score = score;
    this.status = Status.SCORED;
  }

  public int scoreVersion() {
    return scoreVersion;
  }

  public void scoreVersion(int version) {
    this.scoreVersion = version;
  }

  public Status status() {
    return status;
  }

  public void status(Status status) {
    this.status = status;
  }

  /** For route conditions: true while the record still needs scoring. */
  public boolean isChanged() {
    return status == Status.NEW;
  }

  public void reject(String stage, String code, String reason) {
    this.status = Status.REJECTED;
    this.failedStage = stage;
    this.errorCode = code;
    this.reason = reason;
  }

  /** The record will be tried again: {@code wholeCall} when the CRM call failed, not the record. */
  public void pending(io.aix.connector.CrmFailure failure, boolean wholeCall) {
    this.status = Status.PENDING;
    this.failure = failure;
    this.wholeCall = wholeCall;
  }

  public io.aix.connector.CrmFailure failure() {
    return failure;
  }

  public boolean failedWholeCall() {
    return wholeCall;
  }

  /** {@code poll} or {@code push}: which intake brought this version. */
  public String source() {
    return source;
  }

  public LeadWork source(String source) {
    this.source = source;
    return this;
  }

  public String failedStage() {
    return failedStage;
  }

  public String errorCode() {
    return errorCode;
  }

  public String reason() {
    return reason;
  }
}
