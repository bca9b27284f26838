package io.aix.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.aix.connector.ApiBudgets;
import io.aix.connector.CrmFailure;
import io.aix.lead.CanonicalLead;
import io.aix.lead.CrmRecord;
import io.aix.lead.EngagementSignal;
import io.aix.mapping.MappingProfile;
import io.aix.ops.PipelineMetrics;
import io.aix.persistence.LeadState;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.SignalStore;
import io.aix.persistence.WorkQueue;
import io.aix.persistence.WorkQueue.Item;
import io.aix.persistence.WorkQueue.Outcome;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The workers' side of the work queue, on every replica: {@link #claim} leases a batch of queued
 * records of one profile and object and turns it into work for the pipeline; {@link #complete}
 * settles the batch after writeback and tasks. A failure sends the record back with jittered
 * exponential backoff; one the CRM keeps refusing for {@code aix.queue.max-attempts} attempts is
 * dead-lettered with the CRM's code, and so is one whose CRM failed every call for {@code
 * aix.queue.max-outage}: nothing circles for ever and nothing is dropped.
 */
@ApplicationScoped
@Named("worker")
public class WorkStage {
  /** Exchange property: the {@link Batch} being processed. */
  public static final String BATCH = "aixBatch";

  private static final Logger LOG = Logger.getLogger(WorkStage.class);

  /** This process, as lease owner: host, pid and a random part (pids repeat in containers). */
  static final String OWNER =
      ManagementFactory.getRuntimeMXBean().getName()
          + "/"
          + UUID.randomUUID().toString().substring(0, 8);

  @Inject WorkQueue queue;
  @Inject LeadStore store;
  @Inject PipelineMetrics metrics;
  @Inject ApiBudgets budgets;
  @Inject IntakeGate gate;
  @Inject SignalStore signals;
  @Inject LiveCatalog catalog;

  /** Engagement signals older than this no longer count (nor are they accepted). */
  @ConfigProperty(name = "aix.signals.max-age", defaultValue = "90d")
  Duration signalMaxAge;

  /** The oldest moment a signal still counts from. */
  Instant signalsSince(Instant now) {
    return now.minus(signalMaxAge);
  }

  /** The newest signals per record that scoring reads; older ones have decayed to nothing. */
  static final int SIGNALS_PER_RECORD = 500;

  @ConfigProperty(name = "aix.queue.batch", defaultValue = "200")
  int batchSize;

  /** How long a worker holds a batch; a crashed worker's rows come back after this. */
  @ConfigProperty(name = "aix.queue.lease", defaultValue = "5m")
  Duration lease;

  @ConfigProperty(name = "aix.queue.max-attempts", defaultValue = "10")
  int maxAttempts;

  /** How long a record waits out a CRM that fails whole calls (an outage) before dead letters. */
  @ConfigProperty(name = "aix.queue.max-outage", defaultValue = "24h")
  Duration maxOutage;

  @ConfigProperty(name = "aix.queue.backoff", defaultValue = "2s")
  Duration backoff;

  @ConfigProperty(name = "aix.queue.max-backoff", defaultValue = "5m")
  Duration maxBackoff;

  /**
   * One leased batch.
   *
   * @param drained fewer rows than a full batch were available: the queue is empty for now
   */
  public record Batch(String profileId, String object, List<Item> items, boolean drained) {}

  public List<LeadWork> claim(Exchange exchange) {
    String profileId = exchange.getMessage().getHeader(PollStage.PROFILE, String.class);
    String object = exchange.getMessage().getHeader(PollStage.OBJECT, String.class);
    Instant now = Instant.now();
    List<Item> items =
        gate.isOpen() && !budgets.budget(profileId).spent()
            ? ReactiveBridge.await(
                () -> queue.claim(profileId, object, OWNER, batchSize, now, now.plus(lease)))
            : List.of();
    Batch batch = new Batch(profileId, object, items, items.size() < batchSize);
    exchange.setProperty(BATCH, batch);
    exchange.setProperty(PollStage.MORE, !batch.drained());
    if (items.isEmpty()) {
      return List.of();
    }
    List<String> ids = items.stream().map(i -> i.record().key().crmId()).toList();
    Map<String, LeadState> states =
        ReactiveBridge.await(() -> store.states(profileId, object, ids));
    List<SignalStore.Incoming> fromCrm =
        crmSignals(profileId, object, items.stream().map(Item::record).toList(), now);
    if (!fromCrm.isEmpty()) {
      ReactiveBridge.await(() -> signals.record(fromCrm, "crm", now));
    }
    Map<String, List<EngagementSignal>> activity =
        ReactiveBridge.await(
            () ->
                signals.forRecords(
                    profileId, object, ids, now.minus(signalMaxAge), SIGNALS_PER_RECORD));
    List<String> restored =
        items.stream()
            .filter(i -> WorkQueue.isStored(i.record().fields()))
            .map(i -> i.record().key().crmId())
            .toList();
    Map<String, CanonicalLead> stored =
        restored.isEmpty()
            ? Map.of()
            : ReactiveBridge.await(() -> store.storedLeads(profileId, object, restored));
    List<LeadWork> work = new ArrayList<>(items.size());
    for (Item i : items) {
      CrmRecord r = i.record();
      LeadWork w =
          new LeadWork(r, states.get(r.key().crmId()))
              .source(i.source())
              .signals(activity.getOrDefault(r.key().crmId(), List.of()));
      if (WorkQueue.isStored(r.fields())) {
        w.fromStore(stored.get(r.key().crmId()));
      }
      work.add(w);
    }
    LOG.debugf("%s %s: claimed %d queued record(s)", profileId, object, items.size());
    return work;
  }

  /**
   * The engagement the CRM recorded on these records, by the mapping's signal fields (HubSpot's
   * last e-mail open, last form submission, ...): one signal per field value, its id made of
   * record, field and time, so reading the same value again adds nothing.
   */
  List<SignalStore.Incoming> crmSignals(
      String profileId, String object, List<CrmRecord> records, Instant now) {
    MappingProfile mapping =
        catalog.mapping(catalog.profile(profileId).object(object).orElseThrow().mapping());
    if (mapping.signals().isEmpty()) {
      return List.of();
    }
    List<SignalStore.Incoming> out = new ArrayList<>();
    for (CrmRecord r : records) {
      if (r.deleted() || WorkQueue.isStored(r.fields())) {
        continue;
      }
      for (MappingProfile.SignalField f : mapping.signals()) {
        JsonNode v = r.fields().get(f.crmField());
        if (v == null || v.isNull()) {
          continue;
        }
        EngagementSignal.parseTime(v.asText())
            .filter(at -> !at.isAfter(now.plus(Duration.ofMinutes(5))))
            .filter(at -> at.isAfter(now.minus(signalMaxAge)))
            .ifPresent(
                at -> {
                  String id =
                      "crm:"
                          + object
                          + ":"
                          + r.key().crmId()
                          + ":"
                          + f.crmField()
                          + ":"
                          + at.toEpochMilli();
                  out.add(
                      new SignalStore.Incoming(
                          id.length() <= 128 ? id : id.substring(0, 128),
                          profileId,
                          object,
                          r.key().crmId(),
                          f.type(),
                          at,
                          f.crmField()));
                });
      }
    }
    return out;
  }

  public void complete(Exchange exchange) {
    Batch batch = exchange.getProperty(BATCH, Batch.class);
    if (batch == null || batch.items().isEmpty()) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<LeadWork> work = exchange.getMessage().getBody(List.class);
    Instant now = Instant.now();
    List<Outcome> outcomes = new ArrayList<>(work.size());
    for (int k = 0; k < work.size(); k++) {
      LeadWork w = work.get(k);
      Item item = batch.items().get(k);
      if (w.status() != LeadWork.Status.PENDING) {
        outcomes.add(new Outcome.Done(item));
        continue;
      }
      CrmFailure f = w.failure();
      // Every failure that reached the CRM counts, a whole call's as much as one record's: a
      // batch HubSpot refuses whole with a 400 would otherwise come back for ever. What never
      // reached the CRM (budget, open breaker, full bulkhead) or a spent daily budget does not
      // count: waiting for the window is not a failure of the record.
      boolean counts = f.kind() != CrmFailure.Kind.BUDGET_EXHAUSTED && !f.notSent();
      // A CRM that fails whole calls for a retriable reason (5xx, 429, timeouts) is down, not
      // refusing the record: its records wait out the outage, bounded by time, not attempts.
      boolean outage = w.failedWholeCall() && f.kind() == CrmFailure.Kind.RETRIABLE;
      boolean giveUp =
          counts
              && (outage
                  ? Duration.between(item.enqueuedAt(), now).compareTo(maxOutage) > 0
                  : item.attempts() + 1 >= maxAttempts);
      if (giveUp) {
        w.reject(
            "writeback",
            f.code(),
            (outage
                    ? "the CRM failed every call for over " + maxOutage.toHours() + "h"
                    : "still failing after "
                        + maxAttempts
                        + " attempts"
                        + (w.failedWholeCall() ? " of the whole call" : ""))
                + ": "
                + f.message());
        outcomes.add(new Outcome.Done(item));
        continue;
      }
      Instant notBefore =
          f.kind() == CrmFailure.Kind.BUDGET_EXHAUSTED
              ? budgets.budget(batch.profileId()).nextWindow()
              : now.plus(backoff(item.attempts() + 1));
      outcomes.add(new Outcome.Retry(item, notBefore, counts, f.toString()));
    }
    ReactiveBridge.await(() -> queue.complete(batch.profileId(), OWNER, outcomes, work, now));
    metrics.processed(batch.profileId(), batch.object(), work);
  }

  /** Jittered exponential backoff: half the step fixed, half random, capped. */
  Duration backoff(int attempt) {
    long step = backoff.toMillis() << Math.min(attempt - 1, 16);
    long capped = Math.min(step, maxBackoff.toMillis());
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }
}
