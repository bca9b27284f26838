package io.aix.connector;

import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.aix.sandbox.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The connectors of the active profiles, created on first use. A profile on the embedded sandbox is
 * active only while the sandbox is enabled (demo and tests); every other profile is active.
 */
@ApplicationScoped
public class ConnectorRegistry {
  private static final Logger LOG = Logger.getLogger(ConnectorRegistry.class);

  @Inject LiveCatalog catalog;
  @Inject Instance<ConnectorFactory> factories;
  @Inject Sandbox sandbox;

  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.timeout",
      defaultValue = "60s")
  java.time.Duration timeout;

  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.retries",
      defaultValue = "5")
  int retries;

  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.retry-delay",
      defaultValue = "500ms")
  java.time.Duration retryDelay;

  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.breaker.delay",
      defaultValue = "30s")
  java.time.Duration breakerDelay;

  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.concurrency",
      defaultValue = "4")
  int concurrency;

  private final Map<String, CrmConnector> connectors = new LinkedHashMap<>();

  public List<CrmProfile> activeProfiles() {
    return catalog.profiles().values().stream()
        .filter(p -> sandbox.enabled() || !p.connection().usesSandbox())
        .sorted(java.util.Comparator.comparing(CrmProfile::id))
        .toList();
  }

  public synchronized CrmConnector connector(String profileId) {
    return connectors.computeIfAbsent(
        profileId,
        id -> {
          CrmProfile profile = catalog.profile(id);
          GuardedConnector.Settings guard =
              new GuardedConnector.Settings(
                  timeout,
                  retries,
                  retryDelay,
                  java.time.Duration.ofSeconds(10),
                  java.time.Duration.ofSeconds(90),
                  20,
                  0.5,
                  breakerDelay,
                  concurrency);
          ConnectorFactory factory =
              factories.stream()
                  .filter(f -> f.type().equals(profile.type()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new IllegalStateException("no connector for CRM type " + profile.type()));
          LOG.infof(
              "Connecting profile %s (%s, %s)",
              id,
              profile.type(),
              profile.connection().usesSandbox()
                  ? "embedded sandbox"
                  : profile.connection().loginUrl());
          return new GuardedConnector(factory.create(profile), guard);
        });
  }
}
