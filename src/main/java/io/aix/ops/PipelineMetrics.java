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
 * AIX's figures for Prometheus ({@code /q/metrics}), recorded once per checkpointed page: leads
 * ingested, scored, written and dead-lettered per profile and object, the lag from a CRM change to
 * its score in the CRM, the score distribution, and per CRM the API calls made and the daily usage
 * the CRM reports. Also remembers when each source last completed a page, for the alerts.
 */
@ApplicationScoped
public class PipelineMetrics {
  private static final Set<LeadWork.Status> SCORED =
      Set.of(
          LeadWork.Status.SCORED,
          LeadWork.Status.SAME_SCORE,
          LeadWork.Status.WRITTEN,
          LeadWork.Status.PENDING);

  @Inject MeterRegistry registry;
  @Inject ConnectorRegistry connectors;

  private final Map<String, Instant> lastPage = new ConcurrentHashMap<>();
  private final Map<String, Boolean> apiGauges = new ConcurrentHashMap<>();

  /** Called by the checkpoint stage with the page it just made durable. */
  public void page(PollStage.Page page, List<LeadWork> work) {
    String profile = page.profileId();
    String object = page.object();
    String source = page.stream().substring(page.stream().indexOf(':') + 1);
    Instant now = Instant.now();
    counter("aix.leads.ingested", profile, object, "source", source)
        .increment(page.records().size());
    long scored = 0;
    long written = 0;
    long dead = 0;
    DistributionSummary scores =
        DistributionSummary.builder("aix.lead.score")
            .description("Scores given, 0-100")
            .tags("profile", profile, "object", object)
            .serviceLevelObjectives(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
            .register(registry);
    Timer lag =
        Timer.builder("aix.change.to.score")
            .description("From the CRM's change stamp to the score written back")
            .tags("profile", profile, "object", object, "source", source)
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
    for (LeadWork w : work) {
      if (SCORED.contains(w.status()) && w.score() != null) {
        scored++;
        scores.record(w.score().score());
      }
      if (w.status() == LeadWork.Status.WRITTEN) {
        written++;
        Duration d = Duration.between(w.record().modifiedAt(), now);
        if (!d.isNegative()) {
          lag.record(d);
        }
      }
      if (w.status() == LeadWork.Status.REJECTED) {
        dead++;
        counter("aix.dead.letters", profile, object, "stage", w.failedStage()).increment();
      }
    }
    counter("aix.leads.scored", profile, object, "source", source).increment(scored);
    counter("aix.leads.written", profile, object, "source", source).increment(written);
    lastPage.put(profile + "/" + object + "/" + source, now);
    registerApiGauges(profile);
  }

  /** When a source (profile/object/poll or push) last completed a page; null if never. */
  public Instant lastPage(String profile, String object, String source) {
    return lastPage.get(profile + "/" + object + "/" + source);
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
  }
}
