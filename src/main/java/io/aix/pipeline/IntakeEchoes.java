package io.aix.pipeline;

import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import io.aix.lead.EngagementSignal;
import io.aix.mapping.LeadMapper;
import io.aix.mapping.MappingProfile;
import io.aix.persistence.LeadState;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.SignalStore;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Intake's look at a poll's page (a REST page or a bulk read's) before it is queued: which records
 * ask for no work at all, in the same terms as the workers' own check ({@link
 * NormalizeStage#upToDate}). These are AIX's own writes coming back: after a bulk job has written
 * 150,000 scores, the next poll reads those 150,000 records again, as they changed (Salesforce
 * stamps them with AIX's write; a filter on the modifying user would hide a user's change that
 * AIX's write then overwrote as last modifier). Queued, each cost a work row with its payload, a
 * change key, a worker's claim, mapping and state lookup, and a delete; at a million leads these
 * echoes doubled the workers' load and the queue's dead rows. Here a page costs one state lookup
 * (and, for records AIX holds up to date, one for their signals), and the records are mapped only
 * where AIX holds them up to date already.
 *
 * <p>A version older than the one AIX processed last asks for no work either: a bulk query's
 * results are a snapshot, read page by page for minutes, and a change event may have brought a
 * user's newer version meanwhile (the workers skip such a version too, {@link NormalizeStage}).
 *
 * <p>A record is kept, to be queued, whenever in doubt: a mapping that fails (the worker then
 * dead-letters it with its reason), a signal field whose value AIX has not stored, a record named
 * for re-scoring, a deletion. The queue keeps any record that is waiting or in work already, so an
 * older version waiting is never processed in place of this one ({@code WorkQueue.accept}).
 */
@ApplicationScoped
public class IntakeEchoes {
  @Inject LeadStore store;
  @Inject SignalStore signals;
  @Inject LiveCatalog catalog;
  @Inject NormalizeStage normalizer;
  @Inject WorkStage worker;
  @Inject io.aix.persistence.BulkWriteStore bulkWrites;
  @Inject io.aix.persistence.WorkQueue queue;

  /**
   * Whether this page is looked at: a poll's page. Pushed pages (change events, webhooks) hold
   * records read just now for a change a user made: neither echoes nor old versions, and their
   * seconds are not spent on lookups.
   */
  public boolean looksAt(PollStage.Page page) {
    return page.stream().equals(PollStage.streamName(page.object()));
  }

  /**
   * The ids of the page's records that ask for no work: up to date, or older than AIX's. Versions
   * whose change key is in {@code taken} (the stream took them before) are left to the queue's own
   * skipping, unmapped.
   */
  public Set<String> upToDate(PollStage.Page page, Set<String> taken, Instant now) {
    if (!looksAt(page)) {
      return Set.of();
    }
    // The latest version of each record the page holds: the one the queue would take.
    Map<String, CrmRecord> latest = new LinkedHashMap<>();
    for (CrmRecord r : page.records()) {
      latest.merge(r.key().crmId(), r, (a, b) -> b.modifiedAt().isBefore(a.modifiedAt()) ? a : b);
    }
    latest.values().removeIf(r -> taken.contains(r.changeKey()));
    latest.values().removeIf(r -> r.deleted() || page.rescore().contains(r.key().crmId()));
    if (latest.isEmpty()) {
      return Set.of();
    }
    String profileId = page.profileId();
    String object = page.object();
    Map<String, LeadState> states =
        ReactiveBridge.await(() -> store.states(profileId, object, List.copyOf(latest.keySet())));
    Set<String> out = new HashSet<>();
    // A version older than the one AIX processed asks for nothing: a bulk query's snapshot, read
    // minutes after a change event brought the newer one. Queued, it was scored and written over
    // the newer score, and the CRM showed a score of the record's old state until the next read.
    latest
        .values()
        .removeIf(
            r -> {
              LeadState s = states.get(r.key().crmId());
              if (s != null && !s.deleted() && s.newerThan(r.modifiedAt())) {
                out.add(r.key().crmId());
                return true;
              }
              return false;
            });
    // A latest score not yet in the CRM is on its way there when a bulk job holds it (waiting for
    // the job or in it): the job's results settle it. Such records are read back while the job
    // runs (an import writes for minutes, and the poll reads the rows it has written so far);
    // queued, each was read back from the CRM by a worker, 2 batch reads per 200 records.
    List<String> unwritten =
        latest.keySet().stream()
            .filter(
                id -> {
                  LeadState s = states.get(id);
                  return s != null && s.writtenVersion() < s.scoreVersion();
                })
            .toList();
    Map<String, Integer> inBulk =
        unwritten.isEmpty()
            ? Map.of()
            : ReactiveBridge.await(() -> bulkWrites.pendingVersions(profileId, object, unwritten));
    // A record whose score is by a model no longer current is scored again by a re-score from
    // stored state while one is under way (a promotion's): its version is up to date when its
    // fields are unchanged, as the stored lead's re-score does the work. Queued, the overlap's
    // re-read of AIX's own writes took each such record off the re-score's bulk lane and wrote it
    // over REST (35,000 batch-updated contacts in the 200,000-contact bench).
    boolean rescoring =
        latest.values().stream()
                .anyMatch(
                    r -> {
                      LeadState s = states.get(r.key().crmId());
                      return s != null
                          && !s.deleted()
                          && !normalizer.byCurrentModel(s, profileId, object);
                    })
            && ReactiveBridge.await(() -> queue.rescoring(profileId, object));
    // A record AIX does not hold yet, whose latest score is not in the CRM and held by no bulk job,
    // or whose score is by a model no longer current with no re-score under way (a scoring
    // profile's new version) asks for work whatever its fields say: no mapping spent on it.
    latest
        .values()
        .removeIf(
            r -> {
              LeadState s = states.get(r.key().crmId());
              return s == null
                  || s.deleted()
                  || (s.writtenVersion() < s.scoreVersion()
                      && inBulk.getOrDefault(r.key().crmId(), -1) < s.scoreVersion())
                  || (!rescoring && !normalizer.byCurrentModel(s, profileId, object));
            });
    if (latest.isEmpty()) {
      return out;
    }
    List<CrmRecord> candidates = new ArrayList<>(latest.values());
    List<SignalStore.Incoming> fromCrm = worker.crmSignals(profileId, object, candidates, now);
    if (!fromCrm.isEmpty()) {
      Set<String> known =
          ReactiveBridge.await(
              () ->
                  signals.known(
                      profileId, fromCrm.stream().map(SignalStore.Incoming::signalId).toList()));
      Set<String> bringsNew = new HashSet<>();
      fromCrm.stream()
          .filter(i -> !known.contains(i.signalId()))
          .forEach(i -> bringsNew.add(i.crmId()));
      candidates.removeIf(r -> bringsNew.contains(r.key().crmId()));
    }
    List<String> ids = candidates.stream().map(r -> r.key().crmId()).toList();
    Instant since = worker.signalsSince(now);
    Map<String, List<EngagementSignal>> activity =
        ReactiveBridge.await(
            () -> signals.forRecords(profileId, object, ids, since, WorkStage.SIGNALS_PER_RECORD));
    MappingProfile mapping =
        catalog.mapping(catalog.profile(profileId).object(object).orElseThrow().mapping());
    for (CrmRecord r : candidates) {
      String id = r.key().crmId();
      CanonicalLead lead;
      try {
        lead = LeadMapper.map(mapping, r).withSignals(activity.getOrDefault(id, List.of()));
      } catch (RuntimeException e) {
        continue; // the worker maps it again and dead-letters it with its reason
      }
      LeadState s = inBulk.containsKey(id) ? states.get(id).withWriteHeld() : states.get(id);
      if (normalizer.upToDate(s, lead)
          || (rescoring
              && s.upToDateFor(lead.inputHash())
              && !normalizer.byCurrentModel(s, profileId, object))) {
        out.add(id);
      }
    }
    return out;
  }
}
