package io.aix.pipeline;

import io.aix.lead.BadRecordException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
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
    LeadWork work = exchange.getMessage().getBody(LeadWork.class);
    Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
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
