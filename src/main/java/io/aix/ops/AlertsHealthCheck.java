package io.aix.ops;

import io.aix.persistence.AlertStore;
import io.aix.persistence.ReactiveBridge;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/well}: DOWN while an alert episode is open, with its message. Not a readiness
 * check: a stalled CRM is not cured by taking this pod out of the Service.
 */
@Wellness
@ApplicationScoped
public class AlertsHealthCheck implements HealthCheck {
  @Inject AlertStore store;

  @Override
  public HealthCheckResponse call() {
    List<AlertStore.Episode> open = ReactiveBridge.await(() -> store.openEpisodes());
    HealthCheckResponseBuilder b = HealthCheckResponse.named("aix-alerts").status(open.isEmpty());
    b.withData("open", open.size());
    for (AlertStore.Episode e : open) {
      b.withData(e.key(), e.message());
    }
    return b.build();
  }
}
