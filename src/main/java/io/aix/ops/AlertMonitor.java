package io.aix.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.ConnectorRegistry;
import io.aix.persistence.AlertStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.pipeline.PollStage;
import io.aix.profile.CrmProfile;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Anomaly alerts, evaluated on a schedule against what every replica wrote to PostgreSQL, and sent
 * as Slack-compatible JSON ({@code {"text": ...}}) to {@code aix.alerts.webhook-url}. Each alert
 * fires once per episode: the episode opens in the database (one open episode per alert, whatever
 * the number of replicas), and a notice goes out when it resolves.
 *
 * <p>Rule: <b>intake stalled</b>, a CRM object whose poll has not completed a page for {@code
 * aix.alerts.stalled-cycles} of its poll periods plus {@code aix.alerts.stalled-grace}: the poller
 * stopped, or every cycle fails. <b>Score drift</b>, the champion model's probabilities over {@code
 * aix.alerts.drift-window} differ from those on its test set by a population stability index over
 * {@code aix.alerts.psi-threshold}: the leads are not the ones it learned from. Open alerts are
 * also shown on {@code /q/health/well}.
 */
@ApplicationScoped
public class AlertMonitor {
  private static final Logger LOG = Logger.getLogger(AlertMonitor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ConnectorRegistry connectors;
  @Inject AlertStore store;
  @Inject io.aix.persistence.ModelStore models;
  @Inject io.aix.model.ChampionCache champions;

  @ConfigProperty(name = "aix.alerts.psi-threshold", defaultValue = "0.25")
  double psiThreshold;

  @ConfigProperty(name = "aix.alerts.drift-window", defaultValue = "24h")
  Duration driftWindow;

  @ConfigProperty(name = "aix.alerts.drift-min-scores", defaultValue = "200")
  int driftMinScores;

  @ConfigProperty(name = "aix.alerts.webhook-url")
  Optional<String> webhookUrl;

  @ConfigProperty(name = "aix.alerts.stalled-cycles", defaultValue = "3")
  int stalledCycles;

  @ConfigProperty(name = "aix.alerts.stalled-grace", defaultValue = "60s")
  Duration stalledGrace;

  @ConfigProperty(name = "aix.alerts.max-lag", defaultValue = "10m")
  Duration maxLag;

  @ConfigProperty(name = "aix.alerts.error-window", defaultValue = "15m")
  Duration errorWindow;

  @ConfigProperty(name = "aix.alerts.error-rate", defaultValue = "0.2")
  double errorRate;

  @ConfigProperty(name = "aix.alerts.error-min", defaultValue = "50")
  long errorMin;

  @ConfigProperty(name = "aix.alerts.enabled", defaultValue = "true")
  boolean enabled;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile boolean watching;

  /** Starts evaluating (serve and demo); until then nothing runs, so no alert before intake. */
  public void watch() {
    watching = true;
  }

  @Scheduled(
      every = "${aix.alerts.check-every:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    if (watching && enabled) {
      check(Instant.now());
    }
  }

  /** Evaluates every rule as of {@code now}; returns the alerts that fired in this call. */
  public List<String> check(Instant now) {
    List<String> fired = new ArrayList<>();
    for (CrmProfile profile : connectors.activeProfiles()) {
      Map<String, Instant> beats = ReactiveBridge.await(() -> store.heartbeats(profile.id()));
      for (CrmProfile.ObjectSync object : profile.objects()) {
        Instant last = beats.get(PollStage.streamName(object.name()));
        Duration allowed = object.every().multipliedBy(stalledCycles).plus(stalledGrace);
        episode(
                "intake-stalled:" + profile.id() + "/" + object.name(),
                last == null || last.plus(allowed).isBefore(now),
                String.format(
                    "AIX: intake of %s %s has stalled: no poll completed since %s (allowed %ds)",
                    profile.id(),
                    object.name(),
                    last == null ? "start" : last.toString(),
                    allowed.toSeconds()),
                "AIX: intake of " + profile.id() + " " + object.name() + " is back",
                now)
            .ifPresent(fired::add);
        drift(profile, object.name(), now).ifPresent(fired::add);
        backlog(profile.id(), object.name(), now).ifPresent(fired::add);
        errors(profile.id(), object.name(), now).ifPresent(fired::add);
      }
    }
    // Episodes whose notice could not be sent are retried on the next check.
    for (AlertStore.Episode e : ReactiveBridge.await(() -> store.openEpisodes())) {
      if (!e.notified() && !fired.contains(e.message())) {
        notify(e.key(), e.message(), now);
      }
    }
    return fired;
  }

  /**
   * The lag rule: the oldest record waiting in the work queue (not one held back by a spent budget
   * or a retry's backoff) was queued more than {@code aix.alerts.max-lag} ago.
   */
  private Optional<String> backlog(String profileId, String object, Instant now) {
    Instant oldest = ReactiveBridge.await(() -> store.oldestWaiting(profileId, object, now));
    Duration waited = oldest == null ? Duration.ZERO : Duration.between(oldest, now);
    return episode(
        "backlog:" + profileId + "/" + object,
        waited.compareTo(maxLag) > 0,
        String.format(
            "AIX: %s %s is behind: the oldest queued change has waited %ds (threshold %ds);"
                + " check the workers and the CRM's health",
            profileId, object, waited.toSeconds(), maxLag.toSeconds()),
        "AIX: " + profileId + " " + object + " has caught up",
        now);
  }

  /**
   * The error-rate rule: over the last {@code aix.alerts.error-window}, more than {@code
   * aix.alerts.error-rate} of at least {@code aix.alerts.error-min} processed records were
   * dead-lettered (a mapping broken by a CRM change, a new validation rule refusing writes).
   */
  private Optional<String> errors(String profileId, String object, Instant now) {
    long[] counts =
        ReactiveBridge.await(() -> store.outcomes(profileId, object, now.minus(errorWindow)));
    double rate = counts[1] == 0 ? 0 : (double) counts[0] / counts[1];
    return episode(
        "error-rate:" + profileId + "/" + object,
        counts[1] >= errorMin && rate > errorRate,
        String.format(
            "AIX: %s %s: %d of %d records in the last %d min were dead-lettered (%.0f%%, threshold"
                + " %.0f%%); see ./aix dead-letters list --profile %s",
            profileId,
            object,
            counts[0],
            counts[1],
            errorWindow.toMinutes(),
            rate * 100,
            errorRate * 100,
            profileId),
        "AIX: " + profileId + " " + object + " dead-letter rate is back to normal",
        now);
  }

  /** One episode rule: opened and notified once while firing, resolved and announced after. */
  private Optional<String> episode(
      String key, boolean firing, String message, String back, Instant now) {
    if (firing) {
      if (ReactiveBridge.await(() -> store.open(key, message, now))) {
        notify(key, message, now);
        return Optional.of(message);
      }
    } else if (ReactiveBridge.await(() -> store.resolve(key, now))) {
      notify(null, back, now);
    }
    return Optional.empty();
  }

  /** The drift rule for one object with a champion; the message when it fired now. */
  private Optional<String> drift(CrmProfile profile, String object, Instant now) {
    Optional<io.aix.persistence.ModelStore.Stored> champion =
        ReactiveBridge.await(() -> models.champion(profile.id(), object));
    Optional<io.aix.model.ChampionModel> loaded = champions.champion(profile.id(), object);
    if (champion.isEmpty() || loaded.isEmpty()) {
      return Optional.empty();
    }
    double[] expected;
    try {
      com.fasterxml.jackson.databind.JsonNode shares =
          JSON.readTree(champion.get().metrics()).path("test_distribution");
      if (shares.size() != 10) {
        return Optional.empty();
      }
      expected = new double[10];
      for (int i = 0; i < 10; i++) {
        expected[i] = shares.get(i).asDouble();
      }
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
    String version = loaded.get().version();
    String stored = version.length() <= 64 ? version : version.substring(0, 64);
    List<Double> recent =
        ReactiveBridge.await(
            () -> models.recentProbabilities(profile.id(), object, stored, now.minus(driftWindow)));
    if (recent.size() < driftMinScores) {
      return Optional.empty();
    }
    double psi =
        io.aix.model.Metrics.psi(
            expected,
            io.aix.model.Metrics.histogram(recent.stream().mapToDouble(d -> d).toArray()));
    return episode(
        "score-drift:" + profile.id() + "/" + object,
        psi > psiThreshold,
        String.format(
            "AIX: scores of %s %s have drifted from the model's test set (PSI %.2f over %d"
                + " scores, threshold %.2f): re-train, or check the mapping",
            profile.id(), object, psi, recent.size(), psiThreshold),
        "AIX: scores of " + profile.id() + " " + object + " are stable again",
        now);
  }

  private void notify(String key, String message, Instant now) {
    LOG.warn(message);
    if (webhookUrl.isEmpty()) {
      if (key != null) {
        ReactiveBridge.await(() -> store.notified(key, now));
      }
      return;
    }
    try {
      String body = JSON.writeValueAsString(Map.of("text", message));
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(webhookUrl.get()))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() / 100 == 2 && key != null) {
        ReactiveBridge.await(() -> store.notified(key, now));
      } else if (response.statusCode() / 100 != 2) {
        LOG.errorf("Alert webhook answered %d; retried on the next check", response.statusCode());
      }
    } catch (java.io.IOException e) {
      LOG.errorf("Alert webhook unreachable (%s); retried on the next check", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
