package io.aix.pipeline;

import io.agroal.api.AgroalDataSource;
import io.aix.connector.ApiBudgets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Runs the pipeline synchronously for tests, the way the routes do it: a poll cycle through {@code
 * direct:poll-cycle} (intake queues the pages), then workers' batches through {@code direct:drain}
 * until nothing is left in the work queue for the object, records waiting out a short retry backoff
 * included.
 */
@ApplicationScoped
public class PipelineDriver {
  /** Every table a pipeline test may leave rows in. */
  public static final String TABLES =
      "lead, score, source_offset, processed_event, dead_letter, inbound_event, lead_task,"
          + " work_item, api_usage, engagement_signal, bulk_write, bulk_job, rescore_request";

  @Inject ProducerTemplate camel;
  @Inject AgroalDataSource db;
  @Inject ApiBudgets budgets;
  @Inject PushStage pushed;
  @Inject CheckpointStage checkpointer;

  /** Empties AIX's tables and forgets spent budgets: a fresh start for a test. */
  public void reset(String... moreTables) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "truncate "
              + TABLES
              + (moreTables.length == 0 ? "" : ", " + String.join(", ", moreTables)));
    }
    budgets.forget();
  }

  /** One poll cycle: pages read and queued; the exchange tells how it ended. */
  public Exchange poll(String profile, String object) {
    return send("direct:poll-cycle", profile, object);
  }

  /**
   * One run of a profile's push route (HubSpot webhooks): stored notices read, checkpointed and
   * marked done, as the route does it on the leader.
   */
  public void push(String profile, String object) {
    Exchange e = new org.apache.camel.support.DefaultExchange(camel.getCamelContext());
    e.getMessage().setHeader(PollStage.PROFILE, profile);
    e.getMessage().setHeader(PollStage.OBJECT, object);
    do {
      pushed.nextBatch(e);
      checkpointer.commit(e);
      pushed.done(e);
    } while (Boolean.TRUE.equals(e.getProperty(PollStage.MORE)));
  }

  /** Workers' batches until the queue holds nothing for this object (or 10 s passed). */
  public Exchange drain(String profile, String object) {
    return drain(profile, object, Duration.ofSeconds(10));
  }

  /** Workers' batches until the queue holds nothing for this object (or {@code atMost} passed). */
  public Exchange drain(String profile, String object, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    Exchange last;
    do {
      last = send("direct:drain", profile, object);
      if (last.getException() != null || waiting(profile, object) == 0) {
        return last;
      }
      pause();
    } while (System.nanoTime() < deadline);
    return last;
  }

  /** Poll, then drain: one change-to-CRM round of the pipeline. */
  public Exchange cycle(String profile, String object) {
    Exchange polled = poll(profile, object);
    return polled.getException() != null ? polled : drain(profile, object);
  }

  /** Rows of this object in the work queue that will come back within 2 s. */
  public long waiting(String profile, String object) {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select count(*) from work_item where profile_id = '"
                    + profile
                    + "' and crm_object = '"
                    + object
                    + "' and available_at < now() + interval '2 seconds'")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Exchange send(String uri, String profile, String object) {
    return camel.send(
        uri,
        e -> {
          e.getIn().setHeader(PollStage.PROFILE, profile);
          e.getIn().setHeader(PollStage.OBJECT, object);
        });
  }

  private static void pause() {
    try {
      Thread.sleep(25);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
