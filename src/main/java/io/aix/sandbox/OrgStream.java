package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The org's Change Data Capture stream over the Streaming API's Bayeux protocol (CometD long
 * polling), as the Camel Salesforce component's streaming consumer speaks it: handshake, subscribe
 * with the {@code replay} extension (-1 new events only, -2 everything retained, or a replay id to
 * resume after), long-polled connect that returns events with the connect reply, unsubscribe and
 * disconnect. Change events are kept for the retention (72 hours, as Salesforce); resuming from an
 * id no longer kept is refused with Salesforce's own {@code 400::The replayId {N} you provided was
 * invalid...}. Thread-safe.
 */
public final class OrgStream {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration RETENTION = Duration.ofHours(72);

  /**
   * One published change event.
   *
   * @param visibleAt when subscribers may get it ({@link System#nanoTime()}): the publish delay
   *     after the commit
   */
  record Event(long replayId, Instant at, String channel, ObjectNode payload, long visibleAt) {
    /**
     * The event's UUID, as Salesforce sends it: stable across replays and the same on every channel
     * that delivers the event.
     */
    String uuid() {
      return UUID.nameUUIDFromBytes(
              (channel + "#" + replayId).getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .toString();
    }

    /** The changed entity: the standard channel is {@code /data/<Entity>ChangeEvent}. */
    String entity() {
      return channel.substring("/data/".length(), channel.length() - "ChangeEvent".length());
    }
  }

  /**
   * The org's default delivery allocation: change events delivered to CometD clients in 24 hours,
   * counted per subscribed client (Change Data Capture Developer Guide, "Change Data Capture
   * Allocations": 50,000 for Performance and Unlimited Editions, 25,000 for Enterprise, 10,000 for
   * Developer Edition). Past it, {@code /meta/connect} answers {@code 403::Organization total
   * events daily limit exceeded} and the events wait in the event bus (Streaming API Developer
   * Guide, "Streaming API Error Codes").
   */
  public static final int DEFAULT_DELIVERY_ALLOCATION = 50_000;

  static final String ALLOCATION_EXCEEDED = "403::Organization total events daily limit exceeded";

  /** A custom channel's name: {@code <Name>__chn} (PlatformEventChannel's FullName). */
  private static final java.util.regex.Pattern CUSTOM_CHANNEL =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]*__chn");

  private final Clock clock;
  private final AtomicLong replayIds = new AtomicLong(1000);

  /**
   * The retained events by replay id: a connect reads only those after its cursors (a scan from the
   * oldest held the stream's lock for a long time once a mass writeback had published a million
   * events, and users' changes waited behind it).
   */
  private final java.util.concurrent.ConcurrentSkipListMap<Long, Event> events =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private volatile long connectTimeoutMillis = 5_000;
  private volatile long publishDelayNanos;
  private final List<Long> refusedReplayIds = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Long> requestedReplayIds = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Custom channels ({@code /data/<Name>__chn}): the entities they carry, with each filter. */
  private final Map<String, Map<String, ChannelFilter>> customChannels = new ConcurrentHashMap<>();

  /** Deliveries in the last 24 hours: when, and how many events. */
  private final Deque<long[]> deliveries = new ArrayDeque<>();

  private long delivered;
  private long deliveredInWindow;
  private volatile int deliveryAllocation = DEFAULT_DELIVERY_ALLOCATION;

  /** A Bayeux client: what it subscribes to and where each subscription stands. */
  private static final class Session {
    final Map<String, Long> cursors = new ConcurrentHashMap<>();
    boolean connected;
  }

  public OrgStream(Clock clock) {
    this.clock = clock;
  }

  /** How long a connect is held when there is nothing to deliver (Salesforce: 110 s). */
  public void connectTimeout(Duration timeout) {
    this.connectTimeoutMillis = timeout.toMillis();
  }

  /**
   * How long after a commit its change event reaches subscribers (0 by default). Salesforce does
   * not promise a figure; the latency benchmark sets one and states it.
   */
  public void publishDelay(Duration delay) {
    this.publishDelayNanos = delay.toNanos();
  }

  public synchronized void reset() {
    events.clear();
    sessions.clear();
    refusedReplayIds.clear();
    requestedReplayIds.clear();
    customChannels.clear();
    deliveries.clear();
    deliveredByUser.clear();
    delivered = 0;
    deliveredInWindow = 0;
    deliveryAllocation = DEFAULT_DELIVERY_ALLOCATION;
    notifyAll();
  }

  /**
   * What an admin sets up with the Tooling API (PlatformEventChannel with channelType {@code data},
   * then a PlatformEventChannelMember per entity; Change Data Capture Developer Guide, "Add a
   * Filter with Tooling API"): a custom channel {@code /data/<name>} that carries the entity's
   * change events matching the filter expression (empty: all of them).
   *
   * @throws IllegalArgumentException for a channel name without {@code __chn} or a filter the guide
   *     does not allow
   */
  public synchronized void defineChannel(String name, String entity, String filterExpression) {
    if (!CUSTOM_CHANNEL.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a custom channel is named <Name>__chn (letters, digits, underscores), not " + name);
    }
    ChannelFilter filter = ChannelFilter.parse(filterExpression);
    customChannels.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).put(entity, filter);
  }

  /**
   * The 24-hour delivery allocation of this org (default {@link #DEFAULT_DELIVERY_ALLOCATION}): a
   * test sets a small one to see what AIX does when it is spent.
   */
  public void deliveryAllocation(int events) {
    this.deliveryAllocation = events;
  }

  /** Change events delivered since the last reset whose change the given user committed. */
  public long deliveredCommittedBy(String userId) {
    return deliveredByUser.getOrDefault(userId, 0L);
  }

  private final Map<String, Long> deliveredByUser = new ConcurrentHashMap<>();

  /** Change events delivered to clients since the last reset, counted per client as Salesforce. */
  public synchronized long delivered() {
    return delivered;
  }

  /**
   * The retention passes for every event published so far: they are gone, and resuming from any of
   * their replay ids is refused, as after 72 hours.
   */
  public synchronized void expireAll() {
    events.clear();
  }

  /** The replay positions subscriptions asked for (-1, -2 or an id), in order. */
  public List<Long> requestedReplayIds() {
    return List.copyOf(requestedReplayIds);
  }

  /**
   * Publishes a message on {@code /data/<Entity>ChangeEvent} whose payload is given as is: how a
   * test sends what a real org should never send (a header missing, ids of the wrong shape).
   */
  public synchronized long publishRaw(String entity, ObjectNode payload) {
    long replayId = replayIds.incrementAndGet();
    events.put(
        replayId,
        new Event(
            replayId,
            clock.instant(),
            "/data/" + entity + "ChangeEvent",
            payload,
            System.nanoTime() + publishDelayNanos));
    notifyAll();
    return replayId;
  }

  /** The newest replay id published, or 0. */
  public long latestReplayId() {
    Map.Entry<Long, Event> last = events.lastEntry();
    return last == null ? 0 : last.getKey();
  }

  /** Replay ids subscriptions asked to resume from that were no longer kept, in order. */
  public List<Long> refusedReplayIds() {
    return List.copyOf(refusedReplayIds);
  }

  /** Clients connected now. */
  public int clients() {
    return sessions.size();
  }

  /**
   * Publishes a change event on {@code /data/<Entity>ChangeEvent}: the header (entity, record ids,
   * change type, changed fields, origin, transaction key, commit stamp) and the changed values.
   */
  public synchronized long publish(
      String entity,
      String changeType,
      List<String> recordIds,
      Map<String, JsonNode> values,
      String changeOrigin,
      String commitUser) {
    Instant now = clock.instant();
    expire(now);
    long replayId = replayIds.incrementAndGet();
    ObjectNode payload = NODES.objectNode();
    ObjectNode header = payload.putObject("ChangeEventHeader");
    header.put("entityName", entity);
    ArrayNode ids = header.putArray("recordIds");
    recordIds.forEach(ids::add);
    header.put("changeType", changeType);
    header.put("changeOrigin", changeOrigin);
    header.put("transactionKey", UUID.randomUUID().toString());
    header.put("sequenceNumber", 1);
    header.put("commitTimestamp", now.toEpochMilli());
    header.put("commitNumber", replayId * 1000);
    header.put("commitUser", commitUser);
    ArrayNode changed = header.putArray("changedFields");
    if (changeType.equals("UPDATE")) {
      values.keySet().forEach(changed::add);
    }
    header.putArray("nulledFields");
    header.putArray("diffFields");
    values.forEach(payload::set);
    events.put(
        replayId,
        new Event(
            replayId,
            now,
            "/data/" + entity + "ChangeEvent",
            payload,
            System.nanoTime() + publishDelayNanos));
    notifyAll();
    return replayId;
  }

  private void expire(Instant now) {
    Instant cut = now.minus(RETENTION);
    while (!events.isEmpty() && events.firstEntry().getValue().at().isBefore(cut)) {
      events.pollFirstEntry();
    }
  }

  /** Answers one POST to {@code /cometd/<version>[/<meta>]}: a JSON array of Bayeux messages. */
  public Reply handle(String body) {
    JsonNode messages;
    try {
      messages = JSON.readTree(body);
    } catch (IOException e) {
      return Reply.json(400, "[{\"successful\":false,\"error\":\"400::invalid JSON\"}]", Map.of());
    }
    if (!messages.isArray()) {
      messages = NODES.arrayNode().add(messages);
    }
    ArrayNode replies = NODES.arrayNode();
    for (JsonNode m : messages) {
      String channel = m.path("channel").asText();
      switch (channel) {
        case "/meta/handshake" -> replies.add(handshake(m));
        case "/meta/subscribe" -> replies.add(subscribe(m));
        case "/meta/unsubscribe" -> replies.add(unsubscribe(m));
        case "/meta/connect" -> connect(m, replies);
        case "/meta/disconnect" -> {
          sessions.remove(m.path("clientId").asText());
          replies.add(reply(m, true));
        }
        default -> {
          ObjectNode r = reply(m, false);
          r.put("error", "403::Publishing to " + channel + " is not allowed");
          replies.add(r);
        }
      }
    }
    return Reply.json(200, replies.toString(), Map.of());
  }

  private static ObjectNode reply(JsonNode m, boolean ok) {
    ObjectNode r = NODES.objectNode();
    r.put("channel", m.path("channel").asText());
    if (m.has("id")) {
      r.set("id", m.get("id"));
    }
    if (m.has("clientId")) {
      r.set("clientId", m.get("clientId"));
    }
    r.put("successful", ok);
    return r;
  }

  private ObjectNode handshake(JsonNode m) {
    String clientId = UUID.randomUUID().toString().replace("-", "").substring(0, 28);
    sessions.put(clientId, new Session());
    ObjectNode r = reply(m, true);
    r.put("clientId", clientId);
    r.put("version", "1.0");
    r.put("minimumVersion", "1.0");
    r.putArray("supportedConnectionTypes").add("long-polling");
    ObjectNode ext = r.putObject("ext");
    ext.put("replay", true);
    ext.put("payload.format", true);
    return r;
  }

  private ObjectNode unknownClient(JsonNode m) {
    ObjectNode r = reply(m, false);
    r.put("error", "403::Unknown client");
    r.putObject("advice").put("reconnect", "handshake").put("interval", 0);
    return r;
  }

  private synchronized ObjectNode subscribe(JsonNode m) {
    Session session = sessions.get(m.path("clientId").asText());
    if (session == null) {
      return unknownClient(m);
    }
    String channel = m.path("subscription").asText();
    ObjectNode r = reply(m, true);
    r.put("subscription", channel);
    boolean custom =
        channel.startsWith("/data/")
            && customChannels.containsKey(channel.substring("/data/".length()));
    if (!custom && !channel.matches("/data/\\w+ChangeEvent")) {
      r.put("successful", false);
      r.put(
          "error",
          "400::The channel you requested to subscribe to does not exist {" + channel + "}");
      return r;
    }
    expire(clock.instant());
    long from = m.path("ext").path("replay").path(channel).asLong(-1);
    requestedReplayIds.add(from);
    long cursor;
    if (from == -1) {
      cursor = latestReplayId();
    } else if (from == -2) {
      Map.Entry<Long, Event> first = events.firstEntry();
      cursor = first == null ? latestReplayId() : first.getKey() - 1;
    } else {
      boolean kept =
          from == latestReplayId() || events.containsKey(from) || (events.isEmpty() && from == 0);
      if (!kept) {
        refusedReplayIds.add(from);
        r.put("successful", false);
        r.put(
            "error",
            "400::The replayId {"
                + from
                + "} you provided was invalid.  Please provide a valid ID, -2 to replay all"
                + " events, or -1 to replay only new events.");
        return r;
      }
      cursor = from;
    }
    session.cursors.put(channel, cursor);
    return r;
  }

  private ObjectNode unsubscribe(JsonNode m) {
    Session session = sessions.get(m.path("clientId").asText());
    if (session == null) {
      return unknownClient(m);
    }
    session.cursors.remove(m.path("subscription").asText());
    ObjectNode r = reply(m, true);
    r.put("subscription", m.path("subscription").asText());
    return r;
  }

  /**
   * The events waiting for a session, in replay order, on each channel it subscribed to (the
   * standard {@code /data/<Entity>ChangeEvent} or a custom channel whose member for the entity
   * takes the event); advances its cursors. Stops at the delivery allocation.
   */
  private List<ObjectNode> take(Session session) {
    List<ObjectNode> out = new ArrayList<>();
    long now = System.nanoTime();
    long from = session.cursors.values().stream().mapToLong(Long::longValue).min().orElse(0);
    for (Event e : events.tailMap(from, false).values()) {
      if (e.visibleAt() - now > 0) {
        break; // not published yet; the ones after it neither
      }
      for (Map.Entry<String, Long> sub : session.cursors.entrySet()) {
        String channel = sub.getKey();
        if (e.replayId() <= sub.getValue()) {
          continue;
        }
        if (!carries(channel, e)) {
          // Filtered out (or another entity's): the subscription is past it, so the next connect
          // does not look at it again (a filtered channel skips a mass writeback's million echoes).
          sub.setValue(e.replayId());
          continue;
        }
        if (allocationSpent()) {
          return out;
        }
        ObjectNode msg = NODES.objectNode();
        msg.put("channel", channel);
        ObjectNode data = msg.putObject("data");
        data.put("schema", "aix-sandbox-" + e.channel().substring(6));
        data.set("payload", e.payload());
        ObjectNode event = data.putObject("event");
        event.put("EventUuid", e.uuid());
        event.put("replayId", e.replayId());
        out.add(msg);
        sub.setValue(e.replayId());
        count(1);
        deliveredByUser.merge(
            e.payload().path("ChangeEventHeader").path("commitUser").asText(""), 1L, Long::sum);
      }
    }
    return out;
  }

  /**
   * Whether a subscription to {@code channel} gets the event: the standard channel its entity's
   * changes, a custom one those its member for the entity lets through; either way the message
   * names the channel subscribed to (Change Data Capture Developer Guide, "Subscribe to the Channel
   * and Receive the Filtered Stream": subscribers of {@code /data/<Name>__chn}).
   */
  private boolean carries(String channel, Event e) {
    if (channel.equals(e.channel())) {
      return true;
    }
    Map<String, ChannelFilter> members = customChannels.get(channel.substring("/data/".length()));
    if (members == null) {
      return false;
    }
    ChannelFilter filter = members.get(e.entity());
    return filter != null && filter.test(e.payload().path("ChangeEventHeader"));
  }

  private void count(int n) {
    delivered += n;
    deliveredInWindow += n;
    long[] last = deliveries.peekLast();
    long second = System.currentTimeMillis() / 1000;
    if (last != null && last[0] == second) {
      last[1] += n;
    } else {
      deliveries.addLast(new long[] {second, n});
    }
  }

  private boolean allocationSpent() {
    long cut = System.currentTimeMillis() / 1000 - Duration.ofHours(24).toSeconds();
    while (!deliveries.isEmpty() && deliveries.peekFirst()[0] <= cut) {
      deliveredInWindow -= deliveries.pollFirst()[1];
    }
    return deliveredInWindow >= deliveryAllocation;
  }

  private synchronized void connect(JsonNode m, ArrayNode replies) {
    Session session = sessions.get(m.path("clientId").asText());
    if (session == null) {
      replies.add(unknownClient(m));
      return;
    }
    ObjectNode r = reply(m, true);
    if (!session.connected) {
      // The first connect returns at once with the advice, as Salesforce's does.
      session.connected = true;
      r.putObject("advice")
          .put("interval", 0)
          .put("timeout", connectTimeoutMillis)
          .put("reconnect", "retry");
      replies.add(r);
      return;
    }
    if (allocationSpent()) {
      // Salesforce answers on /meta/connect, both to a client connecting and to one connected; its
      // error table gives no advice with it, so none is given here: the client's own backoff
      // decides how soon it asks again.
      r.put("successful", false);
      r.put("error", ALLOCATION_EXCEEDED);
      replies.add(r);
      return;
    }
    long deadline = System.currentTimeMillis() + connectTimeoutMillis;
    List<ObjectNode> ready = take(session);
    while (ready.isEmpty()
        && System.currentTimeMillis() < deadline
        && sessions.containsKey(m.path("clientId").asText())) {
      try {
        long left = Math.max(1, deadline - System.currentTimeMillis());
        // With a publish delay an event may fall due without a notify: look again soon.
        wait(publishDelayNanos > 0 ? Math.min(left, 5) : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      ready = take(session);
    }
    ready.forEach(replies::add);
    replies.add(r);
  }
}
