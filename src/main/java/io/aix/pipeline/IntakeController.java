package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.profile.CrmProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.jboss.logging.Logger;

/**
 * Starts and stops the source routes: one route per profile and object, instantiated from the
 * {@code crm-poll} template in {@code routes/sources.yaml}. Commands ({@code serve}, {@code demo})
 * start intake explicitly, so {@code validate} and {@code --help} never touch a CRM.
 */
@ApplicationScoped
public class IntakeController {
  private static final Logger LOG = Logger.getLogger(IntakeController.class);
  static final String TEMPLATE = "crm-poll";

  @Inject CamelContext camel;
  @Inject ConnectorRegistry connectors;

  private final List<String> routeIds = new ArrayList<>();

  public synchronized List<String> start() {
    if (!routeIds.isEmpty()) {
      return List.copyOf(routeIds);
    }
    for (CrmProfile profile : connectors.activeProfiles()) {
      connectors.connector(profile.id());
      for (CrmProfile.ObjectSync object : profile.objects()) {
        String routeId = "poll-" + profile.id() + "-" + object.name();
        TemplatedRouteBuilder.builder(camel, TEMPLATE)
            .routeId(routeId)
            .parameter("profileId", profile.id())
            .parameter("crmObject", object.name())
            .parameter("period", String.valueOf(object.every().toMillis()))
            .add();
        routeIds.add(routeId);
        LOG.infof(
            "Intake %s: polling %s every %s (leader only)",
            profile.id(), object.name(), object.every());
      }
    }
    return List.copyOf(routeIds);
  }

  public synchronized void stop() {
    for (String id : routeIds) {
      try {
        camel.getRouteController().stopRoute(id);
        camel.removeRoute(id);
      } catch (Exception e) {
        throw new IllegalStateException("could not stop route " + id, e);
      }
    }
    routeIds.clear();
  }
}
