package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.persistence.AuditLog;
import io.aix.persistence.DryRunStore;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.CrmProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Stage {@code writeback}: stores the scores, then writes the changed ones to the CRM in batches of
 * the connector's size, through the profile's fault-tolerance guard (which retries the retriable
 * class). Idempotent per (profile, record, score version): a version is noted as being written
 * before the call and as written after the CRM's answer; when a version was started but never
 * confirmed (a crash, a call that failed for good), the CRM is asked what it shows before anything
 * is written again. A record the CRM refuses for good is dead-lettered with the CRM's code; a
 * retriable refusal or a failed call leaves the record pending, and the work queue brings it back.
 */
@ApplicationScoped
@Named("writeback")
public class WritebackStage {
  private static final Logger LOG = Logger.getLogger(WritebackStage.class);

  @Inject ConnectorRegistry connectors;
  @Inject LeadStore store;
  @Inject AuditLog audit;
  @Inject DryRunStore dryRuns;
  @Inject io.aix.profile.LiveCatalog catalog;
  @Inject ScoreStage scorer;
  @Inject BulkWriteStage bulk;

  public void write(List<LeadWork> page) {
    List<LeadWork> scored =
        page.stream().filter(w -> w.status() == LeadWork.Status.SCORED).toList();
    if (scored.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    List<LeadWork> toWrite =
        ReactiveBridge.await(() -> store.saveScored(scored, now, WorkStage.OWNER));
    if (toWrite.isEmpty()) {
      return;
    }
    String profileId = toWrite.get(0).lead().key().profileId();
    String object = toWrite.get(0).lead().key().crmObject();
    CrmConnector connector = connectors.connector(profileId);
    if (!connector.profile().writeback().enabled()) {
      return;
    }
    // Read from the live catalog: turning a dry run on or off takes effect without a restart.
    if (catalog.profile(profileId).writeback().dryRun()) {
      recordDryRun(connector, object, toWrite, now);
      return;
    }
    List<LeadWork> written = new ArrayList<>(confirmShown(connector, object, toWrite));
    int confirmed = written.size();
    List<LeadWork> unconfirmed =
        toWrite.stream().filter(w -> w.status() == LeadWork.Status.SCORED).toList();
    // What a bulk read brought (a backfill, a re-score) goes back in bulk jobs, not 200 per call.
    Set<LeadWork> diverted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    diverted.addAll(bulk.divert(connector, object, unconfirmed));
    List<LeadWork> remaining = unconfirmed.stream().filter(w -> !diverted.contains(w)).toList();
    if (!remaining.isEmpty()) {
      ReactiveBridge.await(() -> store.markWriting(remaining));
    }
    int batch = connector.maxWriteBatch();
    for (int from = 0; from < remaining.size(); from += batch) {
      written.addAll(
          writeBatch(
              connector,
              object,
              remaining.subList(from, Math.min(remaining.size(), from + batch))));
    }
    if (!written.isEmpty()) {
      ReactiveBridge.await(() -> store.markWritten(written, Instant.now()));
      audit.appendQuietly(
          AuditLog.SYSTEM,
          AuditLog.Action.CRM_WRITE,
          profileId + "/" + object,
          (written.size() - confirmed)
              + " score(s) written"
              + (confirmed > 0 ? ", " + confirmed + " found already shown" : "")
              + " by "
              + WorkStage.OWNER);
    }
  }

  /** A dry run: what the CRM would be sent, and the task it would get, recorded instead. */
  private void recordDryRun(
      CrmConnector connector, String object, List<LeadWork> works, Instant now) {
    CrmProfile.Tasks tasks = connector.profile().tasks();
    List<DryRunStore.Planned> planned = new ArrayList<>();
    for (LeadWork w : works) {
      ScoreWrite write = new ScoreWrite(w.lead().key().crmId(), w.score());
      String task = null;
      if (tasks.enabled() && connector.createsTasks()) {
        io.aix.scoring.RulesScorer rules = scorer.rules(connector.profile().id());
        for (CrmProfile.HotRule rule : tasks.rules()) {
          if (task == null && TaskStage.hotBecause(rule, w, rules, now).isPresent()) {
            Object owner = w.lead().values().get(io.aix.lead.CanonicalField.OWNER_ID);
            task =
                "'"
                    + (rule.subject() != null ? rule.subject() : tasks.subject())
                    + "' (rule "
                    + rule.id()
                    + ") for owner "
                    + (owner == null ? "(none)" : owner)
                    + ", due in "
                    + tasks.dueIn();
          }
        }
      }
      planned.add(
          new DryRunStore.Planned(
              write.crmId(), w.scoreVersion(), connector.previewWrite(object, write), task));
    }
    int recorded =
        ReactiveBridge.await(() -> dryRuns.record(connector.profile().id(), object, planned, now));
    LOG.debugf(
        "%s: dry run, %d would-be write(s) recorded, nothing sent",
        connector.profile().id(), recorded);
  }

  /**
   * Versions whose write was started but never confirmed: those the CRM already shows count as
   * written without a second write. If the CRM cannot be asked, they all stay pending.
   */
  private List<LeadWork> confirmShown(
      CrmConnector connector, String object, List<LeadWork> toWrite) {
    List<LeadWork> unsure =
        toWrite.stream()
            .filter(w -> w.stored() != null && w.stored().writingVersion() >= w.scoreVersion())
            .toList();
    if (unsure.isEmpty()) {
      return List.of();
    }
    Set<String> shown;
    try {
      shown = connector.showing(object, writes(unsure));
    } catch (CrmCallException e) {
      unsure.forEach(w -> w.pending(e.failure(), true));
      return List.of();
    }
    List<LeadWork> confirmed = new ArrayList<>();
    for (LeadWork w : unsure) {
      if (shown.contains(w.lead().key().crmId())) {
        w.status(LeadWork.Status.WRITTEN);
        confirmed.add(w);
      }
    }
    LOG.infof(
        "%s: %d of %d interrupted write(s) already shown in the CRM; not written again",
        connector.profile().id(), confirmed.size(), unsure.size());
    return confirmed;
  }

  private static List<ScoreWrite> writes(List<LeadWork> works) {
    return works.stream().map(w -> new ScoreWrite(w.lead().key().crmId(), w.score())).toList();
  }

  private List<LeadWork> writeBatch(CrmConnector connector, String object, List<LeadWork> batch) {
    List<WriteOutcome> outcomes;
    try {
      outcomes = connector.writeScores(object, writes(batch));
    } catch (CrmCallException e) {
      LOG.warnf(
          "Writing %d score(s) to %s failed (%s); queued for a later attempt",
          batch.size(), connector.profile().id(), e.failure());
      batch.forEach(w -> w.pending(e.failure(), true));
      if (e.failure().notSent()) {
        // Refused before sending: nothing to ask the CRM about next time.
        ReactiveBridge.await(() -> store.unmarkWriting(batch));
      }
      return List.of();
    }
    Map<String, LeadWork> byId = new HashMap<>();
    batch.forEach(w -> byId.put(w.lead().key().crmId(), w));
    List<LeadWork> written = new ArrayList<>();
    for (WriteOutcome outcome : outcomes) {
      LeadWork w = byId.get(outcome.crmId());
      if (outcome instanceof WriteOutcome.Written) {
        w.status(LeadWork.Status.WRITTEN);
        written.add(w);
      } else if (outcome instanceof WriteOutcome.Failed failed) {
        CrmFailure f = failed.failure();
        switch (f.kind()) {
          case RETRIABLE -> w.pending(f, false);
          case BUDGET_EXHAUSTED -> w.pending(f, true);
          case PERMANENT -> w.reject("writeback", f.code(), f.message());
        }
      }
    }
    return written;
  }
}
