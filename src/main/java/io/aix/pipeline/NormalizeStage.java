package io.aix.pipeline;

import io.aix.lead.CanonicalLead;
import io.aix.mapping.LeadMapper;
import io.aix.persistence.LeadState;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.aix.scoring.ScoreResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;

/**
 * Stage {@code normalize}: maps the CRM record through its mapping profile, and recognises
 * deletions, records whose mapped inputs (fields and engagement signals) did not change (AIX's own
 * writes coming back), and versions older than the one AIX processed last.
 */
@ApplicationScoped
@Named("normalizer")
public class NormalizeStage {
  @Inject LiveCatalog catalog;
  @Inject ScoreStage scorer;

  /** The whole batch; a record that fails is dead-lettered, the others go on. */
  public void normalizeBatch(List<LeadWork> batch) {
    DeadLetterStage.eachRecord(batch, true, this::normalize);
  }

  public void normalize(LeadWork work) {
    if (work.fromStore()) {
      restored(work);
      return;
    }
    if (work.record().deleted()) {
      work.status(LeadWork.Status.DELETED);
      return;
    }
    CrmProfile profile = catalog.profile(work.record().key().profileId());
    String mappingId = profile.object(work.record().key().crmObject()).orElseThrow().mapping();
    work.lead(
        LeadMapper.map(catalog.mapping(mappingId), work.record()).withSignals(work.signals()));
    if (work.stored() != null && work.stored().deleted()) {
      work.reject(
          LeadMapper.STAGE,
          "TOMBSTONED",
          "the record was deleted in the CRM earlier; AIX no longer writes to it");
    } else if (work.stored() != null && work.stored().newerThan(work.record().modifiedAt())) {
      // Scored, it would put a score of the record's older state over the newer one's.
      work.status(LeadWork.Status.UNCHANGED);
    } else if (upToDate(work.stored(), work.lead())) {
      work.status(LeadWork.Status.UNCHANGED);
    }
  }

  /**
   * A re-score from stored state (a promotion, or the replay of one's dead letter): the lead as AIX
   * stored it, mapped when its CRM version came in; nothing to map. It asks for nothing when AIX no
   * longer holds the lead (tombstoned or erased after it was queued), when a newer version of the
   * record was processed after it was queued, or when it is up to date as {@link #upToDate} says
   * (the current model's score, written).
   */
  void restored(LeadWork work) {
    LeadState stored = work.stored();
    if (work.lead() == null
        || stored == null
        || stored.deleted()
        || stored.newerThan(work.record().modifiedAt())
        || upToDate(stored, work.lead())) {
      work.status(LeadWork.Status.UNCHANGED);
    }
  }

  /**
   * Nothing in this version of the lead asks for work: AIX holds the record (not deleted), nothing
   * it reads changed (mapped fields and engagement signals), the CRM shows its latest score, and
   * that score is by the current model (a lead scored by an older model is scored again even when
   * its fields did not change). Intake asks the same of a page before queuing it ({@link
   * IntakeEchoes}).
   */
  boolean upToDate(LeadState stored, CanonicalLead lead) {
    if (stored == null || stored.deleted() || !stored.upToDateFor(lead.inputHash())) {
      return false;
    }
    return byCurrentModel(stored, lead.key().profileId(), lead.key().crmObject());
  }

  /**
   * The stored score is by the model that scores this object now (or by none that AIX can name).
   * Checked before any mapping by intake: after a promotion every record read until the re-score
   * reaches it fails it, and none is worth mapping twice, once to find that out and once to score
   * it.
   */
  boolean byCurrentModel(LeadState stored, String profileId, String object) {
    String scoredBy = ScoreResult.modelVersionOf(stored.fingerprint());
    return scoredBy == null || scorer.currentVersion(profileId, object).startsWith(scoredBy);
  }
}
