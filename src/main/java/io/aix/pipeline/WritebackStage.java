package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code writeback}: stores the scores, then writes the changed ones to the CRM in batches of
 * the connector's size. A record the CRM refuses for good is dead-lettered with the CRM's code;
 * retriable refusals are retried with jittered backoff and, if they outlast the retries, left
 * pending so the next poll picks them up. A failure of a whole call is retried the same way and
 * then fails the page, which leaves the offset where it was: nothing is lost.
 */
@ApplicationScoped
@Named("writeback")
public class WritebackStage {
  private static final Logger LOG = Logger.getLogger(WritebackStage.class);

  @Inject ConnectorRegistry connectors;
  @Inject LeadStore store;

  @ConfigProperty(name = "aix.writeback.attempts", defaultValue = "4")
  int attempts;

  @ConfigProperty(name = "aix.writeback.backoff-millis", defaultValue = "250")
  long backoffMillis;

  public void write(List<LeadWork> page) {
    List<LeadWork> scored =
        page.stream().filter(w -> w.status() == LeadWork.Status.SCORED).toList();
    if (scored.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    List<LeadWork> toWrite = ReactiveBridge.await(() -> store.saveScored(scored, now));
    if (toWrite.isEmpty()) {
      return;
    }
    String profileId = toWrite.get(0).lead().key().profileId();
    String object = toWrite.get(0).lead().key().crmObject();
    CrmConnector connector = connectors.connector(profileId);
    if (!connector.profile().writeback().enabled()) {
      return;
    }
    List<LeadWork> written = new ArrayList<>();
    int batch = connector.maxWriteBatch();
    for (int from = 0; from < toWrite.size(); from += batch) {
      written.addAll(
          writeBatch(
              connector, object, toWrite.subList(from, Math.min(toWrite.size(), from + batch))));
    }
    ReactiveBridge.await(() -> store.markWritten(written, Instant.now()));
  }

  private List<LeadWork> writeBatch(CrmConnector connector, String object, List<LeadWork> batch) {
    List<LeadWork> written = new ArrayList<>();
    List<LeadWork> remaining = batch;
    for (int attempt = 1; !remaining.isEmpty(); attempt++) {
      List<WriteOutcome> outcomes;
      try {
        outcomes =
            connector.writeScores(
                object,
                remaining.stream()
                    .map(w -> new ScoreWrite(w.lead().key().crmId(), w.score()))
                    .toList());
      } catch (CrmCallException e) {
        if (e.failure().kind() != CrmFailure.Kind.RETRIABLE || attempt >= attempts) {
          throw e;
        }
        LOG.warnf(
            "Write call for %s failed (%s); retry %d of %d",
            connector.profile().id(), e.failure(), attempt, attempts - 1);
        pause(attempt);
        continue;
      }
      Map<String, LeadWork> byId = new HashMap<>();
      remaining.forEach(w -> byId.put(w.lead().key().crmId(), w));
      List<LeadWork> retry = new ArrayList<>();
      for (WriteOutcome outcome : outcomes) {
        LeadWork w = byId.get(outcome.crmId());
        if (outcome instanceof WriteOutcome.Written) {
          w.status(LeadWork.Status.WRITTEN);
          written.add(w);
        } else if (outcome instanceof WriteOutcome.Failed failed) {
          CrmFailure f = failed.failure();
          if (f.kind() == CrmFailure.Kind.RETRIABLE && attempt < attempts) {
            retry.add(w);
          } else if (f.kind() == CrmFailure.Kind.RETRIABLE) {
            w.status(LeadWork.Status.PENDING);
            LOG.warnf(
                "%s still failing after %d attempts (%s); left for the next poll",
                w.lead().key(), attempts, f);
          } else {
            w.reject("writeback", f.code(), f.message());
          }
        }
      }
      remaining = retry;
      if (!remaining.isEmpty()) {
        pause(attempt);
      }
    }
    return written;
  }

  private void pause(int attempt) {
    long base = backoffMillis * (1L << Math.min(attempt - 1, 6));
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    try {
      Thread.sleep(jittered);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }
}
