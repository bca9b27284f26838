package io.aix.pipeline;

import io.aix.connector.Offset;
import io.aix.connector.salesforce.ChangeEvent;
import io.aix.connector.salesforce.SalesforceConnector;
import io.aix.ops.PipelineMetrics;
import io.aix.persistence.LeadStore;
import io.aix.persistence.PushEventStore;
import io.aix.persistence.PushEventStore.PushEvent;
import io.aix.persistence.ReactiveBridge;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code changes}: takes Salesforce Change Data Capture events from the {@code crm-cdc} route
 * (on the leader). Each event is stored in one transaction as one notice per changed record (the
 * push route then reads the records by id and queues them) together with the stream's new replay
 * position, so a restart resumes after the last event taken, and a replayed event is recognised by
 * its UUID. AIX's own writes coming back are taken without a notice (no write loop); a malformed
 * event goes to the dead-letter table whole, with why.
 *
 * <p>Where the stream cannot resume (the stored position is older than the CRM keeps events,
 * unreadable, or refused by the CRM), the object's watermark poll is rewound to the last event
 * taken and run at once, so the gap is read from the records themselves; the subscription starts at
 * the newest event.
 */
@ApplicationScoped
@Named("changes")
public class ChangeEventStage {
  private static final Logger LOG = Logger.getLogger(ChangeEventStage.class);

  @Inject PushEventStore events;
  @Inject LeadStore store;
  @Inject LiveCatalog catalog;
  @Inject PipelineMetrics metrics;
  @Inject ProducerTemplate producer;
  @Inject PollCoverage coverage;

  /** How long the CRM keeps change events (Salesforce: 72 hours). */
  @ConfigProperty(name = "aix.cdc.retention", defaultValue = "72h")
  Duration retention;

  /** Safety margin: a position this close to the end of retention is not trusted to resume. */
  @ConfigProperty(name = "aix.cdc.retention-margin", defaultValue = "1h")
  Duration margin;

  /** Replay ids subscribed from, to the profile and object: how a refusal finds its stream. */
  private final Map<Long, Subscription> resuming = new ConcurrentHashMap<>();

  private final ExecutorService catchUps =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "aix-cdc-catch-up");
            t.setDaemon(true);
            return t;
          });

  private record Subscription(String profileId, String object, Offset.Replay from) {}

  /** The stream that keeps an object's replay position. */
  public static String streamName(String object) {
    return object + ":cdc";
  }

  /**
   * Where a subscription starts: the stored replay id when the CRM still keeps the events after it,
   * otherwise -1 (new events only) after rewinding the object's poll to cover the gap.
   *
   * @return the replay id to subscribe with, and whether a catch-up poll must run at once
   */
  public Start start(String profileId, String object) {
    recent.remove(profileId + "/" + object);
    echoWarned.remove(profileId + "/" + object);
    String stream = streamName(object);
    Offset stored;
    try {
      stored = ReactiveBridge.await(() -> store.offset(profileId, stream));
    } catch (IllegalArgumentException e) {
      LOG.warnf(
          "%s %s: the stored change event position is unreadable (%s); subscribing at the newest"
              + " event and polling for changes since the last poll",
          profileId, object, e.getMessage());
      return new Start(-1, true);
    }
    if (!(stored instanceof Offset.Replay replay)) {
      LOG.infof(
          "%s %s: no change event taken yet; subscribing at the newest event (the first poll"
              + " reads what exists)",
          profileId, object);
      return new Start(-1, true);
    }
    Instant keptSince = Instant.now().minus(retention).plus(margin);
    if (replay.committedAt().isBefore(keptSince)) {
      LOG.warnf(
          "%s %s: the last change event taken (replay id %d, %s) is older than the %d-hour"
              + " retention: falling back to a watermark poll over the gap since %s, and"
              + " subscribing at the newest event",
          profileId,
          object,
          replay.replayId(),
          replay.committedAt(),
          retention.toHours(),
          replay.committedAt());
      rewind(profileId, object, replay.committedAt());
      return new Start(-1, true);
    }
    resuming.put(replay.replayId(), new Subscription(profileId, object, replay));
    LOG.infof(
        "%s %s: resuming change events after replay id %d (%s)",
        profileId, object, replay.replayId(), replay.committedAt());
    return new Start(replay.replayId(), false);
  }

  /** Where a subscription starts, and whether the poll must catch up first. */
  public record Start(long replayId, boolean pollNow) {}

  /**
   * The CRM refused a replay id AIX subscribed with (Camel then resubscribes at the newest event by
   * itself, skipping the gap): the object's poll covers the gap instead.
   */
  public void refused(long replayId, String error) {
    Subscription s = resuming.remove(replayId);
    if (s == null) {
      return;
    }
    // Called on the CRM client's thread, inside its logging: the work happens elsewhere.
    catchUps.submit(() -> catchUpRefused(replayId, error, s));
  }

  private void catchUpRefused(long replayId, String error, Subscription s) {
    LOG.warnf(
        "%s %s: Salesforce refused the stored replay id %d (%s); resubscribed at the newest event,"
            + " falling back to a watermark poll over the gap since %s",
        s.profileId(), s.object(), replayId, error, s.from().committedAt());
    metrics.replayRefused(s.profileId());
    rewind(s.profileId(), s.object(), s.from().committedAt());
    runPoll(s.profileId(), s.object());
  }

  /**
   * Salesforce refused to deliver change events: the org's daily delivery allocation is spent
   * ({@code 403::Organization total events daily limit exceeded} on {@code /meta/connect}). Events
   * published meanwhile wait in the event bus (72 hours) and the subscription takes them once the
   * allocation renews; until then each object's poll reads its changes. Said once every ten
   * minutes, not on every refused connect.
   */
  public void deliveryRefused(String error) {
    metrics.deliveryRefused();
    if (!refusalWarning.due()) {
      return;
    }
    LOG.warnf(
        "Salesforce refused to deliver change events (%s): the org's daily event delivery"
            + " allocation is spent (shared by every CometD and Pub/Sub client of the org; AIX's own"
            + " echoes count unless its channels filter them out). Changes reach AIX through each"
            + " object's poll until it renews; the events published meanwhile are kept 72 hours"
            + " and taken then.",
        error);
  }

  private final AtMostEvery refusalWarning = new AtMostEvery(Duration.ofMinutes(10));

  /** Lets something happen at most once in a period, whichever thread asks. */
  private static final class AtMostEvery {
    private final long periodNanos;
    private final java.util.concurrent.atomic.AtomicLong last =
        new java.util.concurrent.atomic.AtomicLong();

    AtMostEvery(Duration period) {
      this.periodNanos = period.toNanos();
    }

    /** True for the first caller of each period. */
    boolean due() {
      long now = System.nanoTime();
      long before = last.get();
      return (before == 0 || now - before >= periodNanos) && last.compareAndSet(before, now);
    }
  }

  /**
   * Salesforce sent a {@code /meta/connect} answer larger than the client's buffer ({@code
   * Buffering capacity N exceeded}: a burst of changes, say a data load, delivered at once).
   * Camel's client then asks again from the same replay id and gets the same answer for as long as
   * the events are kept. AIX subscribes again at the newest event and has each object's poll read
   * the gap since its last event taken. Once a minute at most.
   */
  public void tooLarge(String error) {
    if (!resubscription.due()) {
      return;
    }
    metrics.changeEvent("*", "*", "too_large");
    catchUps.submit(
        () -> {
          LOG.warnf(
              "A change event batch is too large to read (%s): subscribing at the newest event"
                  + " again and polling each object's changes since its last event taken",
              error);
          intake.get().resubscribeAtNewest();
        });
  }

  private final AtMostEvery resubscription = new AtMostEvery(Duration.ofMinutes(1));

  @Inject jakarta.enterprise.inject.Instance<IntakeController> intake;

  /**
   * Before an object's stream starts over at the newest event: its poll is rewound to the last
   * event taken (the events after it are skipped) and run at once, and the stored position is
   * forgotten so that a restart does not go back to the batch either.
   */
  void startOverAtNewest(String profileId, String object) {
    String stream = streamName(object);
    Offset stored = ReactiveBridge.await(() -> store.offset(profileId, stream));
    if (stored instanceof Offset.Replay replay) {
      rewind(profileId, object, replay.committedAt());
    }
    ReactiveBridge.await(() -> store.forgetOffset(profileId, stream));
    recent.remove(profileId + "/" + object);
    pollNow(profileId, object);
  }

  /** One event from the {@code crm-cdc} route. */
  public void receive(Exchange exchange) {
    String profileId = exchange.getMessage().getHeader(PollStage.PROFILE, String.class);
    String object = exchange.getMessage().getHeader(PollStage.OBJECT, String.class);
    String raw = exchange.getMessage().getBody(String.class);
    String stream = streamName(object);
    Instant now = Instant.now();
    Long replay = exchange.getMessage().getHeader("CamelSalesforceReplayId", Long.class);
    Set<Long> taken = recent(profileId, object);
    if (replay != null && taken.contains(replay)) {
      // Camel can hold two listeners on one channel after a re-handshake and hand each event to
      // both; the second copy is dropped here (well-formed copies would also die on their UUID).
      metrics.changeEvent(profileId, object, "duplicate");
      return;
    }
    take(profileId, object, raw, stream, now);
    if (replay != null) {
      taken.add(replay); // only once stored: an event lost in a stop comes again and is taken
    }
  }

  private void take(String profileId, String object, String raw, String stream, Instant now) {
    ChangeEvent event;
    try {
      event = ChangeEvent.parse(raw, object);
    } catch (ChangeEvent.Malformed e) {
      LOG.warnf(
          "%s %s: change event refused (%s: %s); kept in the dead letters",
          profileId, object, e.code(), e.getMessage());
      Optional<Offset> position =
          e.replayId().isPresent()
              ? Optional.of(new Offset.Replay(e.replayId().getAsLong(), now))
              : Optional.empty();
      ReactiveBridge.await(
          () ->
              events.acceptChangeEvent(
                  profileId,
                  stream,
                  List.of(),
                  null,
                  Optional.of(
                      new PushEventStore.Rejected(
                          object, e.code(), e.getMessage(), raw == null ? "" : raw)),
                  position,
                  now));
      metrics.changeEvent(profileId, object, "refused");
      return;
    }
    if (event.isEcho(AIX_FIELDS, SalesforceConnector.CALL_CLIENT)) {
      unfilteredEcho(profileId, object, event);
      // AIX's own write: taken and nothing else; no read, no write. Its position is stored at most
      // once a second: a mass writeback's 20,000 echoes, one transaction each, held the
      // subscription's thread for over a minute while users' changes waited behind them. A
      // restart resumes at most a second of echoes early, and takes them as echoes again.
      long nowNanos = System.nanoTime();
      Long last = echoPositionStored.get(stream);
      if (last == null || nowNanos - last > ECHO_POSITION_EVERY_NANOS) {
        accept(profileId, stream, event, List.of(), now);
        echoPositionStored.put(stream, nowNanos);
      }
      metrics.changeEvent(profileId, object, "echo");
      return;
    }
    if (event.isOverflow()) {
      // Over 100,000 changes in one transaction and no ids: read the object's changes instead.
      LOG.warnf(
          "%s %s: overflow change event (no record ids): polling changes since %s",
          profileId, object, event.committedAt());
      accept(profileId, stream, event, List.of(), now);
      rewind(profileId, object, event.committedAt());
      pollNow(profileId, object);
      metrics.changeEvent(profileId, object, "overflow");
      return;
    }
    List<PushEvent> notices = new ArrayList<>(event.recordIds().size());
    for (String id : event.recordIds()) {
      notices.add(
          new PushEvent(
              profileId,
              event.key() + "/" + id,
              object,
              id,
              PushEventStore.CHANGE_EVENT_KIND + event.changeType(),
              event.committedAt(),
              now));
    }
    int fresh = accept(profileId, stream, event, notices, now);
    metrics.changeEvent(profileId, object, fresh == 0 ? "duplicate" : "taken");
    // Past the position it resumed from, the subscription was accepted: no refusal to expect.
    resuming.values().removeIf(s -> event.replayId() > s.from().replayId());
  }

  /**
   * Says once per subscription that AIX's own writes come back (each one counts against the org's
   * daily event delivery allocation: 50,000 events in 24 hours for Unlimited Edition, 25,000 for
   * Enterprise), and how to stop it: a custom channel whose member filters out AIX's user. The echo
   * names that user, so the advice is the exact filter.
   */
  private void unfilteredEcho(String profileId, String object, ChangeEvent event) {
    if (!echoWarned.add(profileId + "/" + object)) {
      return;
    }
    CrmProfile.ObjectSync sync = catalog.profile(profileId).object(object).orElseThrow();
    String filter = "ChangeEventHeader.commitUser != '" + event.commitUser() + "'";
    if (sync.channel() == null) {
      LOG.warnf(
          "%s %s: AIX's own writes come back as change events on /data/%s, and each one counts"
              + " against the org's daily event delivery allocation (a mass writeback can spend it"
              + " and stop change events for the day). Read from a custom channel that leaves"
              + " them out: create %s with the member filter \"%s\" and set channel: %s on the"
              + " object (README: Salesforce admins)",
          profileId,
          object,
          sync.changeChannel(),
          "AIX_" + object + "__chn",
          filter,
          "AIX_" + object + "__chn");
    } else {
      LOG.warnf(
          "%s %s: AIX's own writes come back on the custom channel /data/%s: its member for"
              + " %sChangeEvent does not filter them out, and each one counts against the org's"
              + " daily event delivery allocation. Set the member's filterExpression to \"%s\""
              + " (README: Salesforce admins)",
          profileId, object, sync.channel(), object, filter);
    }
  }

  /** Subscriptions that were told their echoes are not filtered out. */
  private final Set<String> echoWarned = ConcurrentHashMap.newKeySet();

  /** When each stream last stored an echo's position (System.nanoTime). */
  private final java.util.Map<String, Long> echoPositionStored =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final long ECHO_POSITION_EVERY_NANOS = 1_000_000_000L;

  /** Stores a well-formed event's notices with its replay position; yields the new notices. */
  private int accept(
      String profileId, String stream, ChangeEvent event, List<PushEvent> notices, Instant now) {
    Offset position = new Offset.Replay(event.replayId(), event.committedAt());
    return ReactiveBridge.await(
        () ->
            events.acceptChangeEvent(
                profileId,
                stream,
                notices,
                event.replayId(),
                Optional.empty(),
                Optional.of(position),
                now));
  }

  private static final Set<String> AIX_FIELDS = SalesforceConnector.aixFieldNames();

  /** The replay ids taken last per profile and object (a bounded window), to drop double copies. */
  private final Map<String, Set<Long>> recent = new ConcurrentHashMap<>();

  private Set<Long> recent(String profileId, String object) {
    return recent.computeIfAbsent(
        profileId + "/" + object,
        k ->
            java.util.Collections.synchronizedSet(
                java.util.Collections.newSetFromMap(
                    new java.util.LinkedHashMap<Long, Boolean>() {
                      @Override
                      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                        return size() > 4096;
                      }
                    })));
  }

  /** Moves the object's poll watermark back to cover changes since {@code since}. */
  private void rewind(String profileId, String object, Instant since) {
    coverage.gap(profileId, object, Instant.now());
    CrmProfile.ObjectSync sync = catalog.profile(profileId).object(object).orElseThrow();
    ReactiveBridge.await(
        () ->
            store.rewindWatermark(
                profileId, PollStage.streamName(object), since.minus(sync.overlap())));
  }

  /** Runs one poll cycle of the object now, off the event thread. */
  private void pollNow(String profileId, String object) {
    catchUps.submit(() -> runPoll(profileId, object));
  }

  private void runPoll(String profileId, String object) {
    try {
      producer.sendBodyAndHeaders(
          "direct:poll-cycle",
          null,
          Map.of(PollStage.PROFILE, profileId, PollStage.OBJECT, object));
    } catch (RuntimeException e) {
      LOG.warnf(
          "%s %s: catch-up poll failed (%s); the next scheduled poll covers the gap",
          profileId, object, e.getMessage());
    }
  }
}
