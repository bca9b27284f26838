package io.aix.pipeline;

import io.aix.lead.BadRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.List;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Marks a record that a stage refused as rejected, with the stage and every reason; the checkpoint
 * writes the dead-letter row in the same transaction as the offset. The record is not lost: its
 * payload is kept for inspection and replay.
 */
@ApplicationScoped
@Named("deadLetters")
public class DeadLetterStage {
  private static final Logger LOG = Logger.getLogger(DeadLetterStage.class);

  public void reject(Exchange exchange) {
    reject(
        exchange.getMessage().getBody(LeadWork.class),
        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
  }

  /**
   * Runs a record stage over a batch on the caller's thread: {@code step} on each record still to
   * be scored ({@link LeadWork#isChanged()}, or every record when {@code all}); a record whose step
   * throws is dead-lettered as {@link #reject(LeadWork, Throwable)} says, and the others go on.
   */
  static void eachRecord(List<LeadWork> batch, boolean all, Consumer<LeadWork> step) {
    for (LeadWork w : batch) {
      if (all || w.isChanged()) {
        try {
          step.accept(w);
        } catch (RuntimeException e) {
          reject(w, e);
        }
      }
    }
  }

  /** Dead-letters a record a stage failed on: every reason of a bad record, or the failure. */
  static void reject(LeadWork work, Throwable e) {
    if (e instanceof BadRecordException bad) {
      work.reject(bad.stage(), "INVALID_RECORD", String.join("; ", bad.reasons()));
    } else {
      String code = e == null ? "UNKNOWN" : e.getClass().getSimpleName();
      work.reject("pipeline", code, e == null ? "unknown failure" : String.valueOf(e.getMessage()));
      LOG.errorf(e, "Unexpected failure on %s; dead-lettered", work.record().key());
    }
    LOG.debugf("Dead-lettered %s: %s", work.record().key(), work.reason());
  }
}
