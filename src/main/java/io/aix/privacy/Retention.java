package io.aix.privacy;

import io.aix.connector.ConnectorRegistry;
import io.aix.persistence.AuditLog;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.RetentionStore;
import io.aix.profile.CrmProfile;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Applies each profile's {@code privacy.retention} every few hours (and at a test's request): leads
 * unchanged in their CRM for longer leave AIX, with their history. Each purge that removed anything
 * is audited with its counts.
 */
@ApplicationScoped
public class Retention {
  private static final Logger LOG = Logger.getLogger(Retention.class);

  @Inject ConnectorRegistry connectors;
  @Inject RetentionStore store;
  @Inject AuditLog audit;

  private volatile boolean running;

  /**
   * Starts the scheduled purges (with intake): a process that only checks files, runs a bench or
   * sets up Keycloak has no database of its own to purge (a bench's harness logged an ERROR per
   * profile every six hours for a database that did not exist).
   */
  public void start() {
    running = true;
  }

  @Scheduled(
      every = "${aix.retention.every:6h}",
      delayed = "${aix.retention.delay:10m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    if (running) {
      purge(Instant.now());
    }
  }

  /** Purges every profile with a retention period; yields the counts per profile. */
  public Map<String, Map<String, Long>> purge(Instant now) {
    Map<String, Map<String, Long>> all = new LinkedHashMap<>();
    for (CrmProfile profile : connectors.activeProfiles()) {
      if (profile.privacy().retention().isEmpty()) {
        continue;
      }
      Instant cutoff = now.minus(profile.privacy().retention().get());
      try {
        Map<String, Long> counts = ReactiveBridge.await(() -> store.purge(profile.id(), cutoff));
        all.put(profile.id(), counts);
        if (counts.values().stream().anyMatch(n -> n > 0)) {
          audit.appendQuietly(
              AuditLog.SYSTEM,
              AuditLog.Action.RETENTION_PURGE,
              profile.id(),
              "unchanged since " + cutoff + ": " + counts);
          LOG.infof("Retention %s: purged %s (cut-off %s)", profile.id(), counts, cutoff);
        }
      } catch (RuntimeException e) {
        LOG.errorf(e, "Retention purge of %s failed; the next run tries again", profile.id());
      }
    }
    return all;
  }
}
