package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.HotLeadTask;
import io.aix.lead.CanonicalField;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.TaskStore;
import io.aix.profile.CrmProfile;
import io.aix.scoring.RulesScorer;
import io.aix.scoring.ScoreResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code tasks}: when a lead turns hot by one of the profile's hot-lead rules (its visible
 * grade reaches the rule's grade, or its engagement rose enough within the rule's window), its
 * owner gets one follow-up task in the CRM, with the reasons. The task is claimed in PostgreSQL
 * first (one open task per lead and rule, with its text), so retries and restarts do not make a
 * second one; a lead for which the rule no longer holds cools down and re-arms. Claims go to the
 * CRM in batches: whenever a batch is full, and when the work queue runs dry.
 */
@ApplicationScoped
@Named("tasks")
public class TaskStage {
  private static final Logger LOG = Logger.getLogger(TaskStage.class);

  @Inject ConnectorRegistry connectors;
  @Inject TaskStore store;
  @Inject ScoreStage scorer;

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
    RulesScorer rules = scorer.rules(profileId);
    int batch = connector.maxWriteBatch();
    List<TaskStore.Claim> unsent = new ArrayList<>();
    Map<String, String> subjects = new java.util.HashMap<>();
    for (CrmProfile.HotRule rule : config.rules()) {
      List<TaskStore.Claim> claims = new ArrayList<>();
      List<String> cooled = new ArrayList<>();
      for (LeadWork w : work) {
        if (w.status() != LeadWork.Status.WRITTEN && w.status() != LeadWork.Status.SAME_SCORE) {
          continue; // the CRM does not show this score (yet)
        }
        String id = w.lead().key().crmId();
        Optional<String> why = hotBecause(rule, w, rules, now);
        if (why.isPresent()) {
          Object owner = w.lead().values().get(CanonicalField.OWNER_ID);
          claims.add(
              new TaskStore.Claim(
                  id,
                  profileId + ":" + object + ":" + id + ":" + rule.id() + ":" + w.scoreVersion(),
                  owner == null ? null : owner.toString(),
                  body(why.get(), w.score(), w.score().signals()),
                  null));
        } else {
          cooled.add(id);
        }
      }
      ReactiveBridge.await(() -> store.close(profileId, object, rule.id(), cooled, now));
      List<TaskStore.Claim> open =
          ReactiveBridge.await(() -> store.claim(profileId, object, rule.id(), claims, now, batch));
      String subject = rule.subject() != null ? rule.subject() : config.subject();
      open.forEach(c -> subjects.put(c.idempotencyKey(), subject));
      unsent.addAll(open);
    }
    boolean overdue = unsent.stream().anyMatch(c -> c.claimedAt().isBefore(now.minus(maxDelay)));
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
                        subjects.get(c.idempotencyKey()),
                        c.body(),
                        now.plus(config.dueIn())))
            .toList();
    if (tasks.isEmpty()) {
      return; // another worker is sending them
    }
    List<String> keys = tasks.stream().map(HotLeadTask::idempotencyKey).toList();
    try {
      List<HotLeadTask> toCreate = notCreatedYet(connector, object, tasks, mine);
      Map<String, String> created = new java.util.LinkedHashMap<>();
      for (CrmConnector.TaskOutcome outcome : connector.createTasks(object, toCreate)) {
        if (outcome.crmTaskId() != null) {
          created.put(outcome.task().idempotencyKey(), outcome.crmTaskId());
        } else {
          LOG.warnf(
              "Task for %s %s not created (%s); retried with a later page",
              profileId, outcome.task().crmId(), outcome.failure());
        }
      }
      // One statement for the batch's created tasks, not one per task.
      ReactiveBridge.await(() -> store.created(created, Instant.now()));
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
    ReactiveBridge.await(() -> store.created(found, Instant.now()));
    if (!found.isEmpty()) {
      LOG.infof(
          "%s: %d task(s) from an unanswered attempt were created after all; not created again",
          connector.profile().id(), found.size());
    }
    return tasks.stream().filter(t -> !found.containsKey(t.idempotencyKey())).toList();
  }

  static boolean isHot(ScoreResult score, String hotGrade) {
    return score != null && hotGrade != null && score.grade().compareTo(hotGrade) <= 0;
  }

  /** Why the rule makes this lead hot now, in words for the rep; empty when it does not. */
  static Optional<String> hotBecause(
      CrmProfile.HotRule rule, LeadWork w, RulesScorer rules, Instant now) {
    if (rule.grade() != null) {
      return isHot(w.score(), rule.grade())
          ? Optional.of("Grade " + w.score().grade() + " (hot from grade " + rule.grade() + ").")
          : Optional.empty();
    }
    int rise = rules.signalRise(w.signals(), now.minus(rule.within()));
    return rise >= rule.engagementRise()
        ? Optional.of(
            "Engagement rose "
                + rise
                + " points in the last "
                + hours(rule.within())
                + " (the rule asks for "
                + rule.engagementRise()
                + ").")
        : Optional.empty();
  }

  private static String hours(java.time.Duration d) {
    return d.toMinutes() % 60 != 0
        ? d.toMinutes() + " min"
        : d.toHours() % 24 != 0 || d.toHours() < 48 ? d.toHours() + " h" : d.toDays() + " days";
  }

  static String body(String why, ScoreResult s, String signals) {
    String text =
        why
            + "\n"
            + (signals == null || signals.isEmpty() ? "" : "Signals: " + signals + "\n")
            + "AIX score "
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
