package io.aix.ops;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.pipeline.LeadWork;
import io.aix.pipeline.PollStage;
import io.aix.profile.CrmProfile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AIX's figures for Prometheus ({@code /q/metrics}), recorded as intake queues pages and workers
 * settle batches: leads ingested, scored, written and dead-lettered per profile and object, the lag
 * from a CRM change to its score in the CRM, the score distribution, and per CRM the API calls made
 * and the daily usage the CRM reports, records sent back to the queue for a retry, and the circuit
 * breaker and API budget of each profile.
 */
@ApplicationScoped
public class PipelineMetrics {
  private static final Set<LeadWork.Status> SCORED =
      Set.of(LeadWork.Status.SCORED, LeadWork.Status.SAME_SCORE, LeadWork.Status.WRITTEN);

  @Inject MeterRegistry registry;
  @Inject ConnectorRegistry connectors;
  @Inject io.aix.connector.ApiBudgets budgets;
  @Inject io.aix.persistence.WorkQueue queue;
  @Inject io.aix.pipeline.ScoreStage scorer;

  private final Map<String, Boolean> apiGauges = new ConcurrentHashMap<>();

  /**
   * Called by intake's checkpoint with the page it just queued: {@code aix_leads_ingested_total}
   * counts the records queued, {@code aix_leads_echoes_total} those left out as up to date (AIX's
   * own writes coming back).
   */
  public void accepted(PollStage.Page page, int fresh, int upToDate) {
    String source = page.stream().substring(page.stream().indexOf(':') + 1);
    counter("aix.leads.ingested", page.profileId(), page.object(), "source", source)
        .increment(fresh);
    counter("aix.leads.echoes", page.profileId(), page.object(), "source", source)
        .increment(upToDate);
    registerApiGauges(page.profileId());
  }

  /**
   * {@code aix_change_events_total}: change events taken from a CRM's event stream, by outcome
   * (taken, duplicate, echo: AIX's own write, refused: malformed, overflow).
   */
  public void changeEvent(String profile, String object, String outcome) {
    counter("aix.change.events", profile, object, "outcome", outcome).increment();
  }

  /** {@code aix_replay_refused_total}: stored replay ids the CRM refused (gap polled instead). */
  public void replayRefused(String profile) {
    Counter.builder("aix.replay.refused").tags("profile", profile).register(registry).increment();
  }

  /**
   * {@code aix_change_events_refused_total}: connects on which Salesforce refused to deliver change
   * events because the org's daily delivery allocation is spent.
   */
  public void deliveryRefused() {
    Counter.builder("aix.change.events.refused").register(registry).increment();
  }

  /** Called by a worker with the batch it just settled. */
  public void processed(String profile, String object, List<LeadWork> work) {
    Instant now = Instant.now();
    modelVersion(profile, object);
    DistributionSummary scores =
        DistributionSummary.builder("aix.lead.score")
            .description("Scores given, 0-100")
            .tags("profile", profile, "object", object)
            .serviceLevelObjectives(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
            .register(registry);
    for (LeadWork w : work) {
      String source = w.source();
      if (SCORED.contains(w.status()) && w.score() != null) {
        counter("aix.leads.scored", profile, object, "source", source).increment();
        scores.record(w.score().score());
      }
      if (w.status() == LeadWork.Status.WRITTEN) {
        counter("aix.leads.written", profile, object, "source", source).increment();
        Duration d = Duration.between(w.record().modifiedAt(), now);
        if (!d.isNegative()) {
          Timer.builder("aix.change.to.score")
              .description("From the CRM's change stamp to the score written back")
              .tags("profile", profile, "object", object, "source", source)
              .publishPercentiles(0.5, 0.95, 0.99)
              .register(registry)
              .record(d);
        }
      }
      if (w.status() == LeadWork.Status.PENDING) {
        counter(
                "aix.leads.retried",
                profile,
                object,
                "reason",
                w.failure() == null ? "unknown" : w.failure().code())
            .increment();
      }
      if (w.status() == LeadWork.Status.REJECTED) {
        counter("aix.dead.letters", profile, object, "stage", w.failedStage()).increment();
      }
    }
    registerApiGauges(profile);
  }

  private Counter counter(String name, String profile, String object, String k, String v) {
    return Counter.builder(name)
        .tags("profile", profile, "object", object, k, v == null ? "none" : v)
        .register(registry);
  }

  private void registerApiGauges(String profileId) {
    if (apiGauges.putIfAbsent(profileId, Boolean.TRUE) != null) {
      return;
    }
    CrmConnector connector = connectors.connector(profileId);
    CrmProfile profile = connector.profile();
    Gauge.builder("aix.api.calls", connector, c -> c.apiUsage().callsMade())
        .description("API calls this instance made to the CRM since start")
        .tags("profile", profileId, "crm", profile.type())
        .register(registry);
    Gauge.builder("aix.api.daily.used", connector, c -> c.apiUsage().orgUsed())
        .description("The CRM's own count of today's API requests, from its headers")
        .tags("profile", profileId, "crm", profile.type())
        .register(registry);
    Gauge.builder("aix.api.daily.limit", connector, c -> c.apiUsage().orgLimit())
        .tags("profile", profileId, "crm", profile.type())
        .register(registry);
    Gauge.builder("aix.api.budget", profile, p -> p.limits().dailyApiBudget())
        .description("The admin's daily budget for AIX (limits.dailyApiBudget)")
        .tags("profile", profileId, "crm", profile.type())
        .register(registry);
    io.aix.connector.ApiBudget budget = budgets.budget(profileId);
    Gauge.builder("aix.api.budget.spent", budget, b -> b.spent() ? 1 : 0)
        .description("1 while the profile's API budget is spent and calls wait for the window")
        .tags("profile", profileId, "crm", profile.type())
        .register(registry);
    if (connector instanceof io.aix.connector.GuardedConnector guarded) {
      Gauge.builder(
              "aix.crm.breaker.open",
              guarded,
              g -> g.breaker() == io.smallrye.faulttolerance.api.CircuitBreakerState.CLOSED ? 0 : 1)
          .description("1 while the profile's circuit breaker is open or half-open")
          .tags("profile", profileId, "crm", profile.type())
          .register(registry);
    }
  }

  /** The registry version in a champion's name ({@code model:p/o@3 xgboost}). */
  private static final java.util.regex.Pattern REGISTRY_VERSION =
      java.util.regex.Pattern.compile("@(\\d+) ");

  private final Map<String, java.util.concurrent.atomic.AtomicLong> modelVersions =
      new ConcurrentHashMap<>();

  /**
   * {@code aix_model_version}: the registry version of the champion that scores this profile and
   * object, 0 while the rules scorer does. Read on the worker's thread, never on a scrape.
   */
  private void modelVersion(String profile, String object) {
    String current = scorer.currentVersion(profile, object);
    java.util.regex.Matcher m = REGISTRY_VERSION.matcher(current);
    long version = current.startsWith("model:") && m.find() ? Long.parseLong(m.group(1)) : 0;
    modelVersions
        .computeIfAbsent(
            profile + "/" + object,
            k -> {
              java.util.concurrent.atomic.AtomicLong holder =
                  new java.util.concurrent.atomic.AtomicLong();
              Gauge.builder(
                      "aix.model.version", holder, java.util.concurrent.atomic.AtomicLong::get)
                  .description("Registry version of the champion model scoring; 0 = rules scorer")
                  .tags("profile", profile, "object", object)
                  .register(registry);
              return holder;
            })
        .set(version);
  }

  /** Records waiting in the work queue, counted every few seconds (never on a scrape thread). */
  @jakarta.annotation.PostConstruct
  void queueGauge() {
    Gauge.builder("aix.queue.depth", this, m -> m.totalDepth())
        .description("Records waiting in the work queue, all profiles")
        .register(registry);
  }

  private volatile long depth;
  private volatile boolean intakeRunning;

  /** Intake started on this instance: the queue's depth is worth counting from now on. */
  public void intakeStarted() {
    intakeRunning = true;
  }

  private double totalDepth() {
    return intakeRunning ? depth : Double.NaN;
  }

  @io.quarkus.scheduler.Scheduled(
      every = "${aix.metrics.queue-every:5s}",
      concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
  void refreshDepth() {
    if (intakeRunning) {
      depth =
          io.aix.persistence.ReactiveBridge.await(queue::depth).values().stream()
              .mapToLong(Long::longValue)
              .sum();
    }
  }
}
