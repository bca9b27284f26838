package io.aix.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.aix.connector.Offset;
import io.aix.lead.CanonicalField;
import io.aix.lead.CrmRecord;
import io.aix.mapping.FieldMapping;
import io.aix.ops.PipelineMetrics;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.WorkQueue;
import io.aix.privacy.Subject;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * Stage {@code checkpoint} of intake: in one transaction, queues the page's new record versions in
 * the work queue (minus those that ask for no work, {@link IntakeEchoes}), notes their change keys
 * and moves the stream's offset past the page. From here on the records are durable; any replica's
 * workers process them. A crash before this commit re-reads the page; a crash after it loses
 * nothing.
 */
@ApplicationScoped
@Named("checkpointer")
public class CheckpointStage {
  private static final Logger LOG = Logger.getLogger(CheckpointStage.class);

  @Inject WorkQueue queue;
  @Inject LiveCatalog catalog;
  @Inject PipelineMetrics metrics;
  @Inject IntakeEchoes echoes;
  @Inject PollCoverage coverage;

  /**
   * Exchange property: the stored position a poll cycle's next page expects (set by the poll stage
   * at the start of each query, then by each checkpoint). A page whose expectation no longer holds
   * queues its records but does not move the offset: someone reset or rewound it meanwhile.
   */
  public static final String EXPECTED_OFFSET = "aixExpectedOffset";

  public void commit(Exchange exchange) {
    PollStage.Page page = exchange.getProperty(PollStage.PAGE, PollStage.Page.class);
    // Never move backwards: the overlap re-reads records older than the stored watermark.
    // A bulk read's pages come in no order: the offset moves only where the read says, at its end.
    // An ordered page moves it after its last record, or where the read says when that is later
    // (a HubSpot window read to its end: the window's end).
    Optional<Offset> next =
        later(
                page.ordered() ? nextOffset(page.records()) : Optional.empty(),
                Optional.ofNullable(page.offsetAfter()))
            .filter(o -> isAfter((Offset.Watermark) o, (Offset.Watermark) page.startedAt()));
    Duration overlap =
        catalog.profile(page.profileId()).object(page.object()).orElseThrow().overlap();
    Offset effective = next.orElse(page.startedAt());
    Instant pruneBefore =
        ((Offset.Watermark) effective).modifiedAt().minus(overlap).minusSeconds(60);
    // The position this read expects to find: where its query began, or where its previous page
    // left it. Push pages carry no expectation: their offset is read with each page.
    String expected =
        exchange.getProperty(EXPECTED_OFFSET) instanceof String e ? e : page.startedAt().encode();
    Instant now = Instant.now();
    // Versions the stream took before (the overlap's re-read) are not looked at again.
    java.util.Set<String> taken =
        echoes.looksAt(page)
            ? ReactiveBridge.await(
                () -> queue.takenBefore(page.profileId(), page.stream(), page.records()))
            : java.util.Set.of();
    java.util.Set<String> upToDate = echoes.upToDate(page, taken, now);
    WorkQueue.Accepted accepted =
        ReactiveBridge.await(
            () ->
                queue.accept(
                    page.profileId(),
                    page.stream(),
                    page.records(),
                    page.rescore(),
                    subjectHashes(page, taken),
                    next,
                    pruneBefore,
                    now,
                    !page.ordered(),
                    expected,
                    upToDate));
    exchange.setProperty(EXPECTED_OFFSET, accepted.position());
    if (Boolean.FALSE.equals(exchange.getProperty(PollStage.MORE))
        && exchange.getProperty(PollStage.CYCLE_START) instanceof Instant began) {
      coverage.cycleDone(
          page.profileId(),
          page.object(),
          began,
          page.startedAt(),
          !Boolean.TRUE.equals(exchange.getProperty(PollStage.OTHERS_ONLY)));
    }
    metrics.accepted(page, accepted.fresh(), accepted.upToDate());
    if (accepted.upToDate() > 0) {
      // A bulk read's page (tens of thousands of records, a few per job) is worth a line.
      LOG.logf(
          page.ordered() ? Logger.Level.DEBUG : Logger.Level.INFO,
          "%s %s: %d record(s) queued, %d left out (up to date: AIX's own writes read back; or"
              + " older than the version AIX holds)",
          page.profileId(),
          page.stream(),
          accepted.fresh(),
          accepted.upToDate());
    }
  }

  /**
   * Record id to the hash of the email it carries, by the object's mapping: intake drops records of
   * erased people before they are stored anywhere.
   */
  Map<String, String> subjectHashes(PollStage.Page page, java.util.Set<String> taken) {
    Optional<String> emailField =
        catalog
            .profile(page.profileId())
            .object(page.object())
            .map(o -> catalog.mapping(o.mapping()))
            .flatMap(
                m ->
                    m.fields().stream()
                        .filter(f -> f.target() == CanonicalField.EMAIL)
                        .map(FieldMapping::crmField)
                        .findFirst());
    if (emailField.isEmpty()) {
      return Map.of();
    }
    Map<String, String> hashes = new HashMap<>();
    for (CrmRecord r : page.records()) {
      if (taken.contains(r.changeKey()) && !page.rescore().contains(r.key().crmId())) {
        continue; // skipped as taken before: its person's erasure changes nothing
      }
      JsonNode email = r.fields().path(emailField.get());
      if (email.isTextual() && !email.asText().isBlank()) {
        hashes.put(r.key().crmId(), Subject.hashOf(email.asText()));
      }
    }
    return hashes;
  }

  static boolean isAfter(Offset.Watermark a, Offset.Watermark b) {
    int byTime = a.modifiedAt().compareTo(b.modifiedAt());
    return byTime > 0 || (byTime == 0 && a.lastId().compareTo(b.lastId()) > 0);
  }

  static Optional<Offset> later(Optional<Offset> a, Optional<Offset> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isPresent() ? a : b;
    }
    return isAfter((Offset.Watermark) b.get(), (Offset.Watermark) a.get()) ? b : a;
  }

  /** The watermark after the page's last record, in the CRM's (stamp, id) order. */
  static Optional<Offset> nextOffset(List<CrmRecord> ordered) {
    if (ordered.isEmpty()) {
      return Optional.empty();
    }
    CrmRecord last = ordered.get(ordered.size() - 1);
    return Optional.of(new Offset.Watermark(last.modifiedAt(), last.key().crmId()));
  }
}
