package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.connector.CrmConnector;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.lead.CrmRecord;
import io.aix.mapping.MappingProfile;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.persistence.WorkQueue;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stage {@code poll}: reads the next page of changed records of one CRM object; the checkpoint then
 * queues the versions not seen before (the overlapping window re-reads some). Called by the source
 * route, on the leader only.
 */
@ApplicationScoped
@Named("poller")
public class PollStage {
  /** Exchange header naming the profile; set by the source route. */
  public static final String PROFILE = "aixProfile";

  /** Exchange header naming the CRM object; set by the source route. */
  public static final String OBJECT = "aixObject";

  /** Exchange property: false once the last page of this poll cycle was read. */
  public static final String MORE = "aixMore";

  /** Exchange property: the {@link Page} being processed. */
  public static final String PAGE = "aixPage";

  private static final Logger LOG = Logger.getLogger(PollStage.class);
  private static final String NEXT_TOKEN = "aixNextPageToken";

  /**
   * Where the query the cycle is paging through began: every page of it is read as from there. Read
   * again per page from the store, a reset of the stream in between (a promotion made one, before
   * it re-scored from stored state) made the query's remaining pages look like a read from the
   * beginning, and they stored their watermark over the reset (the million-lead bench's re-score
   * then read only AIX's latest writes).
   */
  private static final String QUERY_FROM = "aixQueryFrom";

  @Inject ConnectorRegistry connectors;
  @Inject LiveCatalog catalog;
  @Inject LeadStore store;
  @Inject IntakeGate gate;
  @Inject PollCoverage coverage;
  @Inject WorkQueue queue;

  /**
   * Exchange property: when the poll cycle began (its first page's read), for {@link
   * PollCoverage#cycleDone}.
   */
  public static final String CYCLE_START = "aixCycleStart";

  /** Exchange property: whether the cycle leaves out AIX's own changes ({@link PollCoverage}). */
  public static final String OTHERS_ONLY = "aixOthersOnly";

  /**
   * The longest the first poll of an object with change events waits for its subscription to be
   * confirmed: a change made between the first read and the subscription would otherwise wait for
   * the next read of the poll (after a backfill's, minutes) instead of coming in seconds.
   */
  @ConfigProperty(name = "aix.cdc.first-read-wait", defaultValue = "30s")
  java.time.Duration firstReadWait;

  private void awaitSubscription(String profileId, String object) {
    if (!coverage.subscribed(profileId, object)
        || coverage.liveSince(profileId, object).isPresent()) {
      return;
    }
    long started = System.nanoTime();
    if (coverage.awaitLive(profileId, object, firstReadWait)) {
      LOG.debugf(
          "%s %s: first poll after the subscription's confirmation (%d ms)",
          profileId, object, (System.nanoTime() - started) / 1_000_000);
    } else {
      LOG.warnf(
          "%s %s: no change event subscription confirmed in this process after %s (another"
              + " replica may hold it); polling now, and reading everything until one is",
          profileId, object, firstReadWait);
    }
  }

  /**
   * One page as read, with the offset its stream started from.
   *
   * @param stream the source stream: {@code <object>:poll} or {@code <object>:push}; offsets and
   *     processed change keys are kept per stream
   */
  /**
   * One page of records for the checkpoint.
   *
   * @param rescore ids of records to queue even when this version of them was queued before (a new
   *     engagement signal changes the score, not the record)
   */
  public record Page(
      String profileId,
      String object,
      String stream,
      Offset startedAt,
      List<CrmRecord> records,
      java.util.Set<String> rescore,
      boolean ordered,
      Offset offsetAfter) {
    public Page(
        String profileId,
        String object,
        String stream,
        Offset startedAt,
        List<CrmRecord> records,
        java.util.Set<String> rescore) {
      this(profileId, object, stream, startedAt, records, rescore, true, null);
    }

    public Page(
        String profileId, String object, String stream, Offset startedAt, List<CrmRecord> records) {
      this(profileId, object, stream, startedAt, records, java.util.Set.of());
    }
  }

  /**
   * The longest a poll cycle spends queueing a re-score from stored state before it reads the CRM;
   * the next cycle goes on from there.
   */
  static final java.time.Duration STORED_PER_CYCLE = java.time.Duration.ofMinutes(2);

  /** Stored leads queued per transaction. */
  static final int STORED_CHUNK = 5_000;

  /**
   * A re-score from stored state asked for (a promotion, ModelStore.promote): queues the stored
   * leads, a chunk a transaction, for up to {@link #STORED_PER_CYCLE}: about a million leads. All
   * at once, not a slice a cycle: a cycle can take minutes (a search walk of an import's echo), and
   * a queue that ran dry in between had the bulk writer send the slice in a job of its own (200,000
   * HubSpot contacts went out in three imports, each echoed back).
   */
  void queueStored(String profileId, String object, CrmProfile profile) {
    long started = System.nanoTime();
    int queued = 0;
    while (gate.isOpen()) {
      Optional<WorkQueue.StoredChunk> chunk =
          ReactiveBridge.await(
              () ->
                  queue.queueStored(
                      profileId,
                      object,
                      profile.limits().bulkAbove(),
                      STORED_CHUNK,
                      Instant.now()));
      if (chunk.isEmpty()) {
        return;
      }
      queued += chunk.get().read();
      if (chunk.get().done()) {
        LOG.infof(
            "%s %s: %d stored lead(s) queued to be scored again by the current model, the last"
                + " of the re-score",
            profileId, object, queued);
        return;
      }
      if (System.nanoTime() - started > STORED_PER_CYCLE.toNanos()) {
        break;
      }
    }
    LOG.infof(
        "%s %s: %d stored lead(s) queued to be scored again by the current model; more next cycle",
        profileId, object, queued);
  }

  public static String streamName(String object) {
    return object + ":poll";
  }

  public Page nextPage(Exchange exchange) {
    String profileId = exchange.getMessage().getHeader(PROFILE, String.class);
    String object = exchange.getMessage().getHeader(OBJECT, String.class);
    CrmProfile profile = catalog.profile(profileId);
    MappingProfile mapping = catalog.mapping(profile.object(object).orElseThrow().mapping());
    CrmConnector connector = connectors.connector(profileId);
    String token = exchange.getProperty(NEXT_TOKEN, String.class);
    Offset offset =
        token != null && exchange.getProperty(QUERY_FROM) instanceof Offset from
            ? from
            : ReactiveBridge.await(() -> store.offset(profileId, streamName(object)));
    if (token == null) {
      exchange.setProperty(QUERY_FROM, offset);
      exchange.setProperty(CheckpointStage.EXPECTED_OFFSET, offset.encode());
      boolean events =
          profile.object(object).map(CrmProfile.ObjectSync::changeEvents).orElse(false);
      if (events && coverage.firstPoll(profileId, object) && gate.isOpen()) {
        awaitSubscription(profileId, object);
      }
      boolean othersOnly = events && coverage.othersOnly(profileId, object, offset);
      exchange.setProperty(OTHERS_ONLY, othersOnly);
      exchange.setProperty(CYCLE_START, Instant.now());
    }
    if (!gate.isOpen()) {
      // Stopping: end the cycle here; the next start resumes from the checkpointed offset.
      exchange.removeProperty(CYCLE_START);
      exchange.setProperty(MORE, false);
      Page empty = new Page(profileId, object, streamName(object), offset, List.of());
      exchange.setProperty(PAGE, empty);
      return empty;
    }
    if (token == null) {
      queueStored(profileId, object, profile);
      LOG.debugf("Polling %s %s from %s", profileId, object, offset.encode());
    }
    PollPage page =
        connector.poll(
            object, mapping, offset, token, Boolean.TRUE.equals(exchange.getProperty(OTHERS_ONLY)));
    if (!page.ordered()) {
      coverage.bulkPage(profileId, object, page.hasMore(), Instant.now());
    }
    exchange.setProperty(NEXT_TOKEN, page.nextPageToken());
    exchange.setProperty(MORE, page.hasMore());
    Page read =
        new Page(
            profileId,
            object,
            streamName(object),
            offset,
            page.records(),
            java.util.Set.of(),
            page.ordered(),
            page.offsetAfter());
    exchange.setProperty(PAGE, read);
    if (!read.records().isEmpty()) {
      LOG.debugf("%s %s: page of %d record(s)", profileId, read.stream(), read.records().size());
    }
    return read;
  }
}
