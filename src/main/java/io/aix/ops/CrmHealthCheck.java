package io.aix.ops;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.persistence.AlertStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.CrmProfile;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/well}: each connected CRM, with the API calls this instance made, the day's
 * usage the CRM reports, the admin's budget, and when each of its objects last completed a poll.
 * DOWN when a CRM reports usage at or over the profile's {@code limits.dailyApiBudget}. Kept out of
 * readiness on purpose: a CRM's trouble is not cured by taking this pod out of the Service, and
 * webhooks must still be received.
 */
@Wellness
@ApplicationScoped
public class CrmHealthCheck implements HealthCheck {
  @Inject ConnectorRegistry connectors;
  @Inject AlertStore store;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("aix-crms");
    boolean up = true;
    for (CrmProfile profile : connectors.activeProfiles()) {
      CrmConnector.ApiUsage usage = connectors.connector(profile.id()).apiUsage();
      int budget = profile.limits().dailyApiBudget();
      boolean spent = usage.orgLimit() > 0 && usage.orgUsed() >= budget;
      up &= !spent;
      b.withData(
          profile.id(),
          String.format(
              "%s: %d calls by this instance; the CRM reports %d of %d today; AIX's budget %d%s",
              profile.type(),
              usage.callsMade(),
              usage.orgUsed(),
              usage.orgLimit(),
              budget,
              spent ? " (SPENT: polling pauses until the window rolls)" : ""));
      Map<String, Instant> beats = ReactiveBridge.await(() -> store.heartbeats(profile.id()));
      beats.forEach((stream, at) -> b.withData(profile.id() + " " + stream, "last page " + at));
    }
    return b.status(up).build();
  }
}
