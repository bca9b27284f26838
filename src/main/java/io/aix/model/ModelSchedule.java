package io.aix.model;

import io.agroal.api.AgroalDataSource;
import io.aix.connector.ConnectorRegistry;
import io.aix.mapping.FieldRole;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Re-trains each profile's models on the cron in its {@code model.retrain} (default: Sundays at
 * 03:00), for every object whose mapping has a label. However many replicas run, one trains: the
 * run holds a PostgreSQL advisory lock named after the profile and object.
 */
@ApplicationScoped
public class ModelSchedule {
  private static final Logger LOG = Logger.getLogger(ModelSchedule.class);

  @Inject Scheduler scheduler;
  @Inject ConnectorRegistry connectors;
  @Inject LiveCatalog catalog;
  @Inject ModelTrainer trainer;
  @Inject AgroalDataSource db;

  private final List<String> jobs = new ArrayList<>();

  /** The objects of a profile that a model can learn for: their mapping has a label field. */
  List<String> trainable(CrmProfile profile) {
    return profile.objects().stream()
        .filter(
            o ->
                catalog.mapping(o.mapping()).fields().stream()
                    .anyMatch(f -> f.role() == FieldRole.LABEL))
        .map(CrmProfile.ObjectSync::name)
        .toList();
  }

  public synchronized List<String> start() {
    for (CrmProfile profile : connectors.activeProfiles()) {
      String cron = profile.model().retrain();
      if (cron.equals("off")) {
        continue;
      }
      for (String object : trainable(profile)) {
        String id = "aix-model-" + profile.id() + "-" + object;
        if (jobs.contains(id)) {
          continue;
        }
        scheduler
            .newJob(id)
            .setCron(cron)
            .setTask(execution -> trainIfFirst(profile.id(), object))
            .schedule();
        jobs.add(id);
        LOG.infof("Model for %s %s re-trains on cron '%s'", profile.id(), object, cron);
      }
    }
    return List.copyOf(jobs);
  }

  public synchronized void stop() {
    jobs.forEach(scheduler::unscheduleJob);
    jobs.clear();
  }

  /** Trains unless another replica holds this object's training lock; empty when it does. */
  public Optional<ModelTrainer.Outcome> trainIfFirst(String profileId, String object) {
    String key = "aix-model:" + profileId + "/" + object;
    try (Connection c = db.getConnection()) {
      if (!lock(c, "select pg_try_advisory_lock(hashtext(?))", key)) {
        LOG.infof("%s %s: another replica is training; skipped", profileId, object);
        return Optional.empty();
      }
      try {
        return Optional.of(trainer.train(profileId, object));
      } finally {
        lock(c, "select pg_advisory_unlock(hashtext(?))", key);
      }
    } catch (SQLException e) {
      LOG.errorf(e, "%s %s: scheduled training could not take its lock", profileId, object);
      return Optional.empty();
    }
  }

  private static boolean lock(Connection c, String sql, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, key);
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    }
  }
}
