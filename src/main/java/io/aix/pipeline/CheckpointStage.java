package io.aix.pipeline;

import io.aix.connector.Offset;
import io.aix.lead.CrmRecord;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.ConfigCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Stage {@code checkpoint}: in one transaction, writes the page's dead letters and tombstones, the
 * change keys of every finished record, and the new offset. The offset never passes a record that
 * is still pending, so a crash or a retriable failure re-reads it rather than losing it.
 */
@ApplicationScoped
@Named("checkpointer")
public class CheckpointStage {
  private static final Logger LOG = Logger.getLogger(CheckpointStage.class);

  @Inject LeadStore store;
  @Inject ConfigCatalog catalog;
  @Inject io.aix.ops.PipelineMetrics metrics;

  public void commit(Exchange exchange) {
    PollStage.Page page = exchange.getProperty(PollStage.PAGE, PollStage.Page.class);
    @SuppressWarnings("unchecked")
    List<LeadWork> work = exchange.getMessage().getBody(List.class);
    List<LeadWork> finished =
        work.stream().filter(w -> w.status() != LeadWork.Status.PENDING).toList();
    Set<String> pending = new HashSet<>();
    work.stream()
        .filter(w -> w.status() == LeadWork.Status.PENDING)
        .forEach(w -> pending.add(w.record().changeKey()));
    // Never move backwards: the overlap re-reads records older than the stored watermark.
    Optional<Offset> next =
        nextOffset(page.records(), pending)
            .filter(o -> isAfter((Offset.Watermark) o, (Offset.Watermark) page.startedAt()));
    Duration overlap =
        catalog.profile(page.profileId()).object(page.object()).orElseThrow().overlap();
    Offset effective = next.orElse(page.startedAt());
    Instant pruneBefore =
        ((Offset.Watermark) effective).modifiedAt().minus(overlap).minusSeconds(60);
    ReactiveBridge.await(
        () ->
            store.checkpoint(
                page.profileId(), page.stream(), finished, next, pruneBefore, Instant.now()));
    metrics.page(page, work);
  }

  static boolean isAfter(Offset.Watermark a, Offset.Watermark b) {
    int byTime = a.modifiedAt().compareTo(b.modifiedAt());
    return byTime > 0 || (byTime == 0 && a.lastId().compareTo(b.lastId()) > 0);
  }

  /**
   * The watermark after the last record that precedes the first pending one, in the CRM's (stamp,
   * id) order; empty when nothing can move.
   */
  static Optional<Offset> nextOffset(List<CrmRecord> ordered, Set<String> pendingKeys) {
    CrmRecord last = null;
    for (CrmRecord r : ordered) {
      if (pendingKeys.contains(r.changeKey())) {
        break;
      }
      last = r;
    }
    return last == null
        ? Optional.empty()
        : Optional.of(new Offset.Watermark(last.modifiedAt(), last.key().crmId()));
  }
}
