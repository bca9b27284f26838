package io.aix.ops;

import io.aix.connector.ApiBudget;
import io.aix.connector.ApiBudgets;
import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.connector.GuardedConnector;
import io.aix.persistence.AlertStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.CrmProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
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
 * DOWN, with a {@code DEGRADED:} line saying why and until when, while a profile's API budget is
 * spent (AIX's {@code limits.dailyApiBudget} or the CRM's own limit) or its circuit breaker is
 * open. Kept out of readiness on purpose: a CRM's trouble is not cured by taking this pod out of
 * the Service, and webhooks must still be received.
 */
@Wellness
@ApplicationScoped
public class CrmHealthCheck implements HealthCheck {
  @Inject ConnectorRegistry connectors;
  @Inject AlertStore store;
  @Inject ApiBudgets budgets;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("aix-crms");
    boolean up = true;
    for (CrmProfile profile : connectors.activeProfiles()) {
      CrmConnector connector = connectors.connector(profile.id());
      CrmConnector.ApiUsage usage = connector.apiUsage();
      ApiBudget budget = budgets.budget(profile.id());
      boolean spent = budget.spent();
      boolean breakerOpen =
          connector instanceof GuardedConnector g && g.breaker() != CircuitBreakerState.CLOSED;
      up &= !spent && !breakerOpen;
      String state =
          spent
              ? "DEGRADED: "
                  + budget.reason()
                  + "; intake and writes wait, queued work resumes at "
                  + budget.nextWindow()
                  + ". "
              : breakerOpen
                  ? "DEGRADED: calls paused by the circuit breaker after repeated failures. "
                  : "";
      b.withData(
          profile.id(),
          String.format(
              "%s%s: %d calls by this instance; the CRM reports %d of %d today; AIX's budget %d",
              state,
              profile.type(),
              usage.callsMade(),
              usage.orgUsed(),
              usage.orgLimit(),
              profile.limits().dailyApiBudget()));
      Map<String, Instant> beats = ReactiveBridge.await(() -> store.heartbeats(profile.id()));
      beats.forEach((stream, at) -> b.withData(profile.id() + " " + stream, "last page " + at));
    }
    return b.status(up).build();
  }
}
