package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.HotLeadTask;
import io.aix.lead.CanonicalField;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.TaskStore;
import io.aix.profile.CrmProfile;
import io.aix.scoring.ScoreResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code tasks}: when a lead's visible grade reaches the profile's hot grade, its owner gets
 * one follow-up task in the CRM. The task is claimed in PostgreSQL first (one open task per lead,
 * with its text), so retries and restarts do not make a second one; a lead that cools down re-arms.
 * Claims go to the CRM in batches: whenever a batch is full, and when the work queue runs dry.
 */
@ApplicationScoped
@Named("tasks")
public class TaskStage {
  static final String KIND = "hot";
  private static final Logger LOG = Logger.getLogger(TaskStage.class);

  @Inject ConnectorRegistry connectors;
  @Inject TaskStore store;

  /** Longest a claimed task waits for a fuller batch (pushed changes have no cycle end). */
  @ConfigProperty(name = "aix.tasks.max-delay", defaultValue = "5s")
  java.time.Duration maxDelay;

  public void create(Exchange exchange) {
    WorkStage.Batch page = exchange.getProperty(WorkStage.BATCH, WorkStage.Batch.class);
    CrmConnector connector = connectors.connector(page.profileId());
    CrmProfile.Tasks config = connector.profile().tasks();
    if (!config.enabled() || !connector.createsTasks()) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<LeadWork> work = exchange.getMessage().getBody(List.class);
    // The queue is empty for now: send what is claimed rather than wait for a fuller batch.
    boolean cycleEnds = page.drained();
    String profileId = page.profileId();
    String object = page.object();
    Instant now = Instant.now();
    List<TaskStore.Claim> claims = new ArrayList<>();
    List<String> cooled = new ArrayList<>();
    for (LeadWork w : work) {
      if (w.status() != LeadWork.Status.WRITTEN && w.status() != LeadWork.Status.SAME_SCORE) {
        continue; // the CRM does not show this score (yet)
      }
      String id = w.lead().key().crmId();
      if (isHot(w.score(), config.grade())) {
        Object owner = w.lead().values().get(CanonicalField.OWNER_ID);
        claims.add(
            new TaskStore.Claim(
                id,
                profileId + ":" + object + ":" + id + ":" + KIND + ":" + w.scoreVersion(),
                owner == null ? null : owner.toString(),
                body(w.score()),
                null));
      } else {
        cooled.add(id);
      }
    }
    ReactiveBridge.await(() -> store.close(profileId, object, KIND, cooled, now));
    int batch = connector.maxWriteBatch();
    List<TaskStore.Claim> unsent =
        ReactiveBridge.await(() -> store.claim(profileId, object, KIND, claims, now, batch));
    boolean overdue = !unsent.isEmpty() && unsent.get(0).claimedAt().isBefore(now.minus(maxDelay));
    if (unsent.isEmpty() || (unsent.size() < batch && !cycleEnds && !overdue)) {
      return;
    }
    Map<String, Integer> mine =
        ReactiveBridge.await(
            () ->
                store.lease(
                    unsent.stream().map(TaskStore.Claim::idempotencyKey).toList(),
                    now,
                    now.plus(java.time.Duration.ofMinutes(2))));
    List<HotLeadTask> tasks =
        unsent.stream()
            .filter(c -> mine.containsKey(c.idempotencyKey()))
            .map(
                c ->
                    new HotLeadTask(
                        c.crmId(),
                        c.idempotencyKey(),
                        c.ownerId(),
                        config.subject(),
                        c.body(),
                        now.plus(config.dueIn())))
            .toList();
    if (tasks.isEmpty()) {
      return; // another worker is sending them
    }
    List<String> keys = tasks.stream().map(HotLeadTask::idempotencyKey).toList();
    try {
      List<HotLeadTask> toCreate = notCreatedYet(connector, object, tasks, mine);
      for (CrmConnector.TaskOutcome outcome : connector.createTasks(object, toCreate)) {
        if (outcome.crmTaskId() != null) {
          ReactiveBridge.await(
              () ->
                  store.created(
                      outcome.task().idempotencyKey(), outcome.crmTaskId(), Instant.now()));
        } else {
          LOG.warnf(
              "Task for %s %s not created (%s); retried with a later page",
              profileId, outcome.task().crmId(), outcome.failure());
        }
      }
    } catch (CrmCallException e) {
      // The claims stay unsent and go with a later batch; the scores are written already. If the
      // CRM created them without AIX hearing so, the next attempt finds them instead.
      LOG.warnf("Creating %d task(s) for %s failed: %s", tasks.size(), profileId, e.failure());
      ReactiveBridge.await(() -> store.release(keys));
    }
  }

  /**
   * The tasks to create: those handed to the CRM before (an answer that never came) are looked for
   * first, and the ones found are recorded as created instead of being created again.
   */
  private List<HotLeadTask> notCreatedYet(
      CrmConnector connector, String object, List<HotLeadTask> tasks, Map<String, Integer> sends) {
    List<HotLeadTask> doubtful =
        tasks.stream().filter(t -> sends.getOrDefault(t.idempotencyKey(), 1) > 1).toList();
    if (doubtful.isEmpty()) {
      return tasks;
    }
    Map<String, String> found = connector.findTasks(object, doubtful);
    found.forEach(
        (key, taskId) -> ReactiveBridge.await(() -> store.created(key, taskId, Instant.now())));
    if (!found.isEmpty()) {
      LOG.infof(
          "%s: %d task(s) from an unanswered attempt were created after all; not created again",
          connector.profile().id(), found.size());
    }
    return tasks.stream().filter(t -> !found.containsKey(t.idempotencyKey())).toList();
  }

  static boolean isHot(ScoreResult score, String hotGrade) {
    return score != null && score.grade().compareTo(hotGrade) <= 0;
  }

  static String body(ScoreResult s) {
    String text =
        "AIX score "
            + s.score()
            + " (grade "
            + s.grade()
            + "), "
            + Math.round(s.probability() * 100)
            + "% likely to convert.\nWhy: "
            + s.topFactors();
    return text.length() <= 1900 ? text : text.substring(0, 1899) + "…";
  }
}
