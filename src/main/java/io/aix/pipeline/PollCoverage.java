package io.aix.pipeline;

import io.aix.connector.Offset;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Whether an object's poll may leave out the records AIX's own user changed last: only where the
 * object's change events have brought every other change since a full read.
 *
 * <p>Each bulk writeback moves every record it writes past the poll's watermark, so the next poll
 * would read them all back: at a million leads, a Bulk API 2.0 query job per ingest job, and more
 * than half of all the calls of a backfill and a re-score. Salesforce has a filter for it in SOQL
 * ({@code LastModifiedById}, a filterable standard field: SOQL and SOSL Reference, "Comparison
 * Operators"; Object Reference, "System Fields"), but a record whose last change is AIX's may carry
 * an earlier change of a user's that AIX did not see yet (a re-score wrote over it). A poll may use
 * the filter when that change reached AIX another way:
 *
 * <ul>
 *   <li>the object's change event subscription was confirmed by the CRM ({@code /meta/subscribe}
 *       successful) and has not broken since (no failed connect or handshake, no refused replay id
 *       or delivery), so each change committed since then was delivered as an event (a custom
 *       channel filtered on {@code commitUser} leaves out AIX's changes by the same rule); and
 *   <li>a full poll (no filter) that began after that confirmation ran to its last page, so each
 *       change committed before it was read by the poll.
 * </ul>
 *
 * A gap read from the records themselves (a rewound watermark: an overflow event, a refused replay
 * id, a batch too large to read) asks for a full poll again, and so does a watermark found behind
 * where the last full poll began (the stream was rewound or forgotten to read records again) and a
 * restart (this is held in memory, by the leader that polls). Where the state is unknown, the poll
 * reads everything: more calls, never a lost change.
 */
@ApplicationScoped
public class PollCoverage {
  private static final Logger LOG = Logger.getLogger(PollCoverage.class);

  /** Channel (as the CRM names it, {@code /data/X}) to the objects subscribed to it. */
  private final Map<String, Set<String>> subscribers = new HashMap<>();

  /** Channel to the confirmations heard since it last broke. */
  private final Map<String, Integer> confirmations = new HashMap<>();

  /** Profile/object to when its subscription was last confirmed without a break since. */
  private final Map<String, Instant> liveSince = new HashMap<>();

  /** Profile/object to the start of the last full poll that ran to its end. */
  private final Map<String, Instant> fullReadFrom = new HashMap<>();

  /** Profile/object to the watermark the last full poll that ran to its end read from. */
  private final Map<String, Offset.Watermark> fullReadOffset = new HashMap<>();

  /** Profile/object to the last gap: a full read must begin after it. */
  private final Map<String, Instant> gapAt = new HashMap<>();

  /** Profile/objects whose first poll since intake started has begun. */
  private final Set<String> polled = new HashSet<>();

  private static String key(String profileId, String object) {
    return profileId + "/" + object;
  }

  /** A subscription to {@code /data/<channel>} is being made for the object. */
  public synchronized void subscribing(String profileId, String object, String channel) {
    String k = key(profileId, object);
    unsubscribed(profileId, object);
    String name = "/data/" + channel;
    subscribers.computeIfAbsent(name, c -> new HashSet<>()).add(k);
    confirmations.put(name, 0);
    subscribers.get(name).forEach(liveSince::remove);
  }

  /** The object's subscription was removed. */
  public synchronized void unsubscribed(String profileId, String object) {
    String k = key(profileId, object);
    liveSince.remove(k);
    subscribers.values().forEach(s -> s.remove(k));
    subscribers.values().removeIf(Set::isEmpty);
    confirmations.keySet().retainAll(subscribers.keySet());
  }

  /** Every subscription is forgotten (intake stopped). */
  public synchronized void clear() {
    subscribers.clear();
    confirmations.clear();
    liveSince.clear();
    fullReadFrom.clear();
    fullReadOffset.clear();
    gapAt.clear();
    polled.clear();
    bulkReading.clear();
    notifyAll();
  }

  /**
   * The CRM confirmed a subscription to {@code channel}. Several objects can share a channel's name
   * (one per org, each on a client of its own), and the confirmation does not say whose it is: they
   * count as live once each of them was confirmed.
   */
  public synchronized void confirmed(String channel, Instant now) {
    Set<String> keys = subscribers.get(channel);
    if (keys == null) {
      return;
    }
    int heard = confirmations.merge(channel, 1, Integer::sum);
    if (heard >= keys.size()) {
      for (String k : keys) {
        if (liveSince.putIfAbsent(k, now) == null) {
          LOG.infof("%s: change events subscribed on %s", k.replace('/', ' '), channel);
        }
      }
      notifyAll();
    }
  }

  /**
   * A subscription broke, or may have (a failed connect or handshake, a refused replay id or
   * delivery): the log that says so names no client, so every subscription counts as broken until
   * the CRM confirms it again.
   */
  public synchronized void broken(String why) {
    if (!liveSince.isEmpty()) {
      LOG.debugf("change event subscriptions unconfirmed (%s): polls read everything", why);
    }
    liveSince.clear();
    confirmations.replaceAll((c, n) -> 0);
  }

  /** The object's poll was rewound over a gap: it must read everything again. */
  public synchronized void gap(String profileId, String object, Instant now) {
    gapAt.put(key(profileId, object), now);
    fullReadFrom.remove(key(profileId, object));
    fullReadOffset.remove(key(profileId, object));
  }

  /** Profile/object to when a bulk read last returned a page with more to come. */
  private final Map<String, Instant> bulkReading = new HashMap<>();

  /**
   * How long after its last page a bulk read counts as still running: a poll call waits at most 30
   * s for a query job before it returns an empty page and the cycle asks again.
   */
  static final Duration BULK_READ_QUIET = Duration.ofMinutes(2);

  /** A poll page of the object was read: a bulk read's with more to come, or not. */
  public synchronized void bulkPage(String profileId, String object, boolean more, Instant now) {
    if (more) {
      bulkReading.put(key(profileId, object), now);
    } else {
      bulkReading.remove(key(profileId, object));
    }
  }

  /**
   * Whether a bulk read of the object is under way in this process (its query job running or its
   * results being paged): its rows still come, so a bulk writeback waits to fill its job.
   */
  public synchronized boolean bulkReading(String profileId, String object, Instant now) {
    Instant last = bulkReading.get(key(profileId, object));
    return last != null && last.plus(BULK_READ_QUIET).isAfter(now);
  }

  /** Whether a change event subscription is being made or held for the object. */
  public synchronized boolean subscribed(String profileId, String object) {
    String k = key(profileId, object);
    return subscribers.values().stream().anyMatch(s -> s.contains(k));
  }

  /** True for the first poll of the object since intake started, false after. */
  public synchronized boolean firstPoll(String profileId, String object) {
    return polled.add(key(profileId, object));
  }

  /** When the object's subscription was confirmed, if it has not broken since. */
  public synchronized Optional<Instant> liveSince(String profileId, String object) {
    return Optional.ofNullable(liveSince.get(key(profileId, object)));
  }

  /** Whether a full poll of the object ran to its end since this process began polling it. */
  public synchronized boolean readOnce(String profileId, String object) {
    return fullReadFrom.containsKey(key(profileId, object));
  }

  /**
   * Waits up to {@code max} for the object's subscription to be confirmed.
   *
   * @return whether it is
   */
  public synchronized boolean awaitLive(String profileId, String object, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    String k = key(profileId, object);
    while (!liveSince.containsKey(k)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a poll cycle of the object beginning now at {@code from} may leave out AIX's own
   * changes. Not when {@code from} lies before where the last full poll began: the stream was
   * started over or rewound by someone else, to read every record again.
   */
  public synchronized boolean othersOnly(String profileId, String object, Offset from) {
    String k = key(profileId, object);
    Instant live = liveSince.get(k);
    Instant full = fullReadFrom.get(k);
    Offset.Watermark fullFrom = fullReadOffset.get(k);
    // Both instants are this process's: the CRM registered the subscription before AIX heard its
    // confirmation, and received the full read's query after the read began. So every change
    // committed before the query is in its results, and every one after it was delivered.
    if (live == null || full == null || full.isBefore(live)) {
      return false;
    }
    if (!(from instanceof Offset.Watermark w)
        || w.equals(Offset.Watermark.START)
        || CheckpointStage.isAfter(fullFrom, w)) {
      fullReadFrom.remove(k);
      fullReadOffset.remove(k);
      return false;
    }
    return true;
  }

  /**
   * A poll cycle of the object that began at {@code startedAt}, reading from {@code from}, read its
   * last page.
   *
   * @param full whether it read everything (no filter on AIX's own changes)
   */
  public synchronized void cycleDone(
      String profileId, String object, Instant startedAt, Offset from, boolean full) {
    String k = key(profileId, object);
    Instant gap = gapAt.get(k);
    if (!full
        || !(from instanceof Offset.Watermark w)
        || (gap != null && !startedAt.isAfter(gap))) {
      return;
    }
    Instant before = fullReadFrom.get(k);
    if (before == null || startedAt.isAfter(before)) {
      fullReadFrom.put(k, startedAt);
      fullReadOffset.put(k, w);
    }
  }
}
