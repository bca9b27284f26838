package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmActivity;
import io.aix.connector.CrmConnector;
import io.aix.connector.Offset;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.SignalStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code activities}: the engagement a CRM keeps as records of their own (Salesforce:
 * completed calls and meetings logged as Tasks, campaign responses) becomes engagement signals. Per
 * profile, object and source, on the leader, every {@code activity} period: the activity records
 * changed since the stream's watermark (minus two minutes, for late commits; re-read ones are
 * recognised by their ids), 2,000 a read, are stored as signals with the new watermark in one
 * transaction, and each new signal's notice has its record read and scored again. A full page is
 * followed at once by the next read, from its last stamp (up to {@code MAX_PAGES} a tick).
 */
@ApplicationScoped
@Named("activities")
public class ActivityStage {
  private static final Logger LOG = Logger.getLogger(ActivityStage.class);
  static final int PAGE = 2000;
  static final int MAX_PAGES = 25;
  static final Duration OVERLAP = Duration.ofMinutes(2);

  /** Marks a watermark taken after a full page: the next read goes on from it, no overlap. */
  static final String CONTINUE = "page";

  @Inject ConnectorRegistry connectors;
  @Inject LeadStore store;
  @Inject SignalStore signals;
  @Inject IntakeGate gate;

  @ConfigProperty(name = "aix.signals.max-age", defaultValue = "90d")
  Duration maxAge;

  public static String streamName(String object, String source) {
    return object + ":activity:" + source;
  }

  /** One read of every activity source of the object (headers aixProfile, aixObject). */
  public void poll(Exchange exchange) {
    String profileId = exchange.getMessage().getHeader(PollStage.PROFILE, String.class);
    String object = exchange.getMessage().getHeader(PollStage.OBJECT, String.class);
    if (!gate.isOpen()) {
      return;
    }
    CrmConnector connector = connectors.connector(profileId);
    for (String source : connector.activitySources()) {
      boolean full = read(connector, profileId, object, source, Instant.now());
      for (int pages = 1; full && pages < MAX_PAGES && gate.isOpen(); pages++) {
        full = read(connector, profileId, object, source, Instant.now());
      }
    }
  }

  /** Reads one page of a source's changed activity records and stores them; true when full. */
  boolean read(
      CrmConnector connector, String profileId, String object, String source, Instant now) {
    String stream = streamName(object, source);
    Offset.Watermark from =
        (Offset.Watermark) ReactiveBridge.await(() -> store.offset(profileId, stream));
    Instant oldest = now.minus(maxAge);
    // After a full page the next read goes on from its last stamp; otherwise it starts the
    // overlap earlier, for records committed late.
    boolean continuing = CONTINUE.equals(from.lastId());
    Instant since =
        continuing
            ? from.modifiedAt()
            : from.modifiedAt().minus(OVERLAP).isBefore(oldest)
                ? oldest
                : from.modifiedAt().minus(OVERLAP);
    List<CrmActivity> page = connector.activities(object, source, since, PAGE);
    List<SignalStore.Incoming> incoming = new ArrayList<>();
    Instant newest = from.modifiedAt();
    for (CrmActivity a : page) {
      newest = a.modifiedAt().isAfter(newest) ? a.modifiedAt() : newest;
      if (a.occurredAt().isBefore(oldest) || a.occurredAt().isAfter(now.plusSeconds(300))) {
        continue; // too old to count, or stamped ahead of the clock: not engagement to score
      }
      incoming.add(
          new SignalStore.Incoming(
              "crm:" + source + ":" + a.id(),
              profileId,
              object,
              a.crmId(),
              a.type(),
              a.occurredAt(),
              a.detail()));
    }
    boolean full = page.size() == PAGE;
    if (full && newest.getEpochSecond() <= since.getEpochSecond()) {
      // A full page within one second (queries compare whole seconds): step past it rather than
      // read the same page for ever.
      newest = Instant.ofEpochSecond(since.getEpochSecond() + 1);
      LOG.warnf(
          "%s %s: %d %s records changed within one second; stepping past it",
          profileId, object, PAGE, source);
    }
    Optional<Offset> next =
        full
            ? Optional.of(new Offset.Watermark(newest, CONTINUE))
            : newest.isAfter(from.modifiedAt()) || continuing
                ? Optional.of(new Offset.Watermark(newest, ""))
                : Optional.empty();
    int fresh =
        ReactiveBridge.await(
            () ->
                signals.acceptActivities(profileId, stream, incoming, "crm:" + source, next, now));
    if (fresh > 0) {
      LOG.debugf("%s %s: %d new engagement signal(s) from %s", profileId, object, fresh, source);
    }
    return full;
  }
}
