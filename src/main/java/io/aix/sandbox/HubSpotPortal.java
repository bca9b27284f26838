package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful simulated HubSpot portal: contacts and tasks in memory, and the CRM API subset AIX
 * uses, with HubSpot's shapes (search with filter groups, one sort, {@code after} paging and the
 * 10,000-result cap; batch read/update with 207 partial errors; property groups and properties;
 * tasks with inline associations; v4 association listing; OAuth through {@link HubSpotOAuthApp})
 * and its error bodies and rate-limit headers. Every change is recorded as a webhook event that
 * {@link HubSpotWebhooks} delivers, signed, like HubSpot does. Thread-safe.
 */
public final class HubSpotPortal implements SandboxServer.Handler {
  public static final long PORTAL_ID = 62515;
  public static final long APP_ID = 54321;

  /** The developer account's API key ({@code hapikey}) the app's webhooks API takes. */
  public static final String DEVELOPER_API_KEY = "aix-sandbox-developer-hapikey";

  /**
   * The event subscriptions of the demo's app, as the README's install section has an admin create
   * them: record creation, deletion, merge, restore and privacy deletion, and a property change for
   * each property the shipped contact mapping reads (HubSpot subscribes property changes one
   * property at a time).
   */
  public static final List<String> DEMO_SUBSCRIPTIONS =
      List.of(
          "contact.creation",
          "contact.deletion",
          "contact.merge",
          "contact.restore",
          "contact.privacyDeletion",
          "contact.propertyChange:email",
          "contact.propertyChange:firstname",
          "contact.propertyChange:lastname",
          "contact.propertyChange:company",
          "contact.propertyChange:jobtitle",
          "contact.propertyChange:website",
          "contact.propertyChange:phone",
          "contact.propertyChange:country",
          "contact.propertyChange:state",
          "contact.propertyChange:city",
          "contact.propertyChange:industry",
          "contact.propertyChange:hs_analytics_source",
          "contact.propertyChange:numemployees",
          "contact.propertyChange:annualrevenue",
          "contact.propertyChange:hs_email_optout",
          "contact.propertyChange:notes_last_updated",
          "contact.propertyChange:hubspot_owner_id",
          "contact.propertyChange:hs_lead_status",
          "contact.propertyChange:lifecyclestage",
          "contact.propertyChange:aix_feedback",
          "contact.propertyChange:hs_email_last_open_date",
          "contact.propertyChange:hs_email_last_click_date",
          "contact.propertyChange:recent_conversion_date",
          "contact.propertyChange:engagements_last_meeting_booked");

  /**
   * One event subscription of the app (Webhooks v3 SubscriptionResponse: id, eventType,
   * propertyName for property changes only, active).
   */
  public record Subscription(String id, String eventType, String propertyName, boolean active) {
    /** Whether this subscription asks for the change. */
    boolean covers(Change c) {
      return active
          && eventType.equals(c.subscriptionType())
          && (!eventType.endsWith(".propertyChange") || propertyName.equals(c.propertyName()));
    }
  }

  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private static final Pattern SUBSCRIPTIONS = Pattern.compile("/webhooks/v3/(\\d+)/subscriptions");
  static final int SEARCH_CAP = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern OBJECTS =
      Pattern.compile(
          "/crm/v3/objects/(\\w+)/(search|batch/read|batch/update|batch/create|gdpr-delete)");
  private static final Pattern GROUP = Pattern.compile("/crm/v3/properties/(\\w+)/groups/(\\w+)");
  private static final Pattern GROUPS = Pattern.compile("/crm/v3/properties/(\\w+)/groups");
  private static final Pattern PROPERTIES = Pattern.compile("/crm/v3/properties/(\\w+)");
  private static final Pattern PROPERTIES_CREATE =
      Pattern.compile("/crm/v3/properties/(\\w+)/batch/create");
  private static final Pattern AUTHORIZE = Pattern.compile("/oauth/(?:(\\d+)/)?authorize");
  private static final Pattern ASSOCIATIONS =
      Pattern.compile("/crm/v4/objects/(\\w+)/(\\d+)/associations/(\\w+)");
  private static final Pattern BATCH_ASSOCIATIONS =
      Pattern.compile("/crm/v4/associations/(\\w+)/(\\w+)/batch/read");
  private static final Pattern IMPORT = Pattern.compile("/crm/v3/imports/(\\d+)");
  private static final Pattern IMPORT_ERRORS = Pattern.compile("/crm/v3/imports/(\\d+)/errors");
  private static final Pattern EXPORT_STATUS =
      Pattern.compile("/crm/v3/exports/export/async/tasks/(\\d+)/status");
  private static final Pattern EXPORT_FILE = Pattern.compile("/sandbox-files/exports/(\\d+)\\.csv");
  private static final Set<String> OPERATORS =
      Set.of("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "IN");

  /** One CRM object; properties are strings, as HubSpot stores and returns them. */
  record HsRecord(String id, Map<String, String> properties, Instant createdAt, boolean archived) {}

  /** A change HubSpot would notify apps of. */
  public record Change(
      long eventId,
      String subscriptionType,
      String objectId,
      String propertyName,
      String propertyValue,
      Instant occurredAt,
      String changeSource) {}

  private final String accessToken;
  private final HubSpotOAuthApp app;
  private final Clock clock;
  private final Map<String, Map<String, HsRecord>> objects = new ConcurrentHashMap<>();

  /**
   * Per object type, the live records by (lastmodifieddate, id): what HubSpot's search index is to
   * a modified-since window, so a search of a window reads that window, not the whole portal. Kept
   * by {@link #store}, {@link #drop} and {@link #restamp}, the only writers of a record or its
   * stamp.
   */
  private final Map<String, ConcurrentSkipListMap<Stamped, HsRecord>> byModified =
      new ConcurrentHashMap<>();

  /** Per object type, the stamp each record is indexed under (to find its old entry). */
  private final Map<String, Map<String, Long>> indexedStamp = new ConcurrentHashMap<>();

  /** An index key: a record's lastmodifieddate in epoch milliseconds, then its numeric id. */
  private record Stamped(long millis, long id) implements Comparable<Stamped> {
    @Override
    public int compareTo(Stamped o) {
      int byTime = Long.compare(millis, o.millis);
      return byTime != 0 ? byTime : Long.compare(id, o.id);
    }
  }

  private final Map<String, Map<String, JsonNode>> propertyDefs = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groups = new ConcurrentHashMap<>();

  /** contact id -> task ids associated with it (type 204 from the task's side). */
  private final Map<String, List<String>> contactTasks = new ConcurrentHashMap<>();

  private final AtomicLong idCounter = new AtomicLong(151);
  private final AtomicLong eventCounter = new AtomicLong(1_000);
  private final AtomicLong lastStamp = new AtomicLong();
  private final AtomicLong apiCalls = new AtomicLong();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  /** An authenticated request as the portal received it. */
  public record Request(String method, String path, String body) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private final AtomicLong writeCalls = new AtomicLong();
  // A synchronized list, not copy-on-write: a mass import adds a change per property per row
  // (hundreds of thousands), and copying the list on each add made that quadratic.
  private final List<Change> changes = java.util.Collections.synchronizedList(new ArrayList<>());
  private final SandboxFaults faults = new SandboxFaults();
  private final PortalBulk bulk;

  /**
   * Optional scopes of the sandbox app (HubSpot's scopes docs: {@code crm.import} for the imports
   * API, {@code crm.export} for exports), granted until {@link #revokeScope} takes one away.
   */
  private final Set<String> optionalScopes = ConcurrentHashMap.newKeySet();

  private final AtomicLong associationBatchReads = new AtomicLong();
  private volatile long dailyLimit = 250_000;
  private volatile int burstLimit = 190;
  private final java.util.Deque<Long> recentCalls = new java.util.ArrayDeque<>();
  static final int SEARCHES_PER_SECOND = 5;
  private final java.util.Deque<Long> recentSearches = new java.util.ArrayDeque<>();
  private final AtomicLong searchesRefused = new AtomicLong();

  public HubSpotPortal(
      String accessToken, String clientId, String clientSecret, String refreshToken, Clock clock) {
    this.accessToken = accessToken;
    this.app = new HubSpotOAuthApp(clientId, clientSecret, refreshToken, PORTAL_ID, APP_ID, clock);
    this.clock = clock;
    this.bulk = new PortalBulk(this, clock);
    reset();
  }

  /**
   * The processing speed of imports and exports: {@code startMillis} before a job starts, then
   * {@code rowsPerSecond} rows a second (defaults: 2 s and 926 rows/s; see {@link PortalBulk}).
   */
  public void bulkSpeed(long startMillis, double rowsPerSecond) {
    bulk.startMillis = startMillis;
    bulk.rowsPerSecond = rowsPerSecond;
  }

  /** Calls to the imports API (start, status, errors) since the last reset. */
  public long importCalls() {
    return bulk.importCalls();
  }

  /** Calls to the exports API (start, status) since the last reset. */
  public long exportCalls() {
    return bulk.exportCalls();
  }

  /** Export files downloaded through their pre-signed links (not API calls). */
  public long exportDownloads() {
    return bulk.downloads();
  }

  public int importsStarted() {
    return bulk.importsStarted();
  }

  public int exportsStarted() {
    return bulk.exportsStarted();
  }

  /** Calls to the v4 associations batch read since the last reset. */
  public long associationBatchReads() {
    return associationBatchReads.get();
  }

  /** Searches served since the last reset. */
  public long searchCalls() {
    return requests.stream().filter(r -> r.path().endsWith("/search")).count();
  }

  /** Batch update calls served since the last reset. */
  public long batchUpdateCalls() {
    return requests.stream().filter(r -> r.path().endsWith("/batch/update")).count();
  }

  public SandboxFaults faults() {
    return faults;
  }

  /** The app loses a scope, as when an admin edits a private app's scopes. */
  public void revokeScope(String scope) {
    optionalScopes.remove(scope);
    app.revokeScope(scope);
  }

  /** The public app installed in this portal: its redirect URLs, codes and tokens. */
  public HubSpotOAuthApp oauthApp() {
    return app;
  }

  public long apiCalls() {
    return apiCalls.get();
  }

  /** Every authenticated request, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public long writeCalls() {
    return writeCalls.get();
  }

  public void dailyLimit(long limit) {
    this.dailyLimit = limit;
  }

  /** Calls allowed per rolling 10 seconds before HubSpot answers 429 (private apps: 190). */
  public void burstLimit(int limit) {
    this.burstLimit = limit;
  }

  /** Empties the portal: contacts, tasks, AIX's properties, counters, faults, pending events. */
  /**
   * Each token exchange then issues a new refresh token and the previous one stops working, as an
   * OAuth server that rotates refresh tokens does.
   */
  public void rotateRefreshTokens(boolean rotate) {
    app.rotateRefreshTokens(rotate);
  }

  /** Expires every access token issued so far. */
  public void expireAccessTokens() {
    app.expireAccessTokens();
  }

  public synchronized void reset() {
    app.reset();
    objects.clear();
    objects.put("contacts", new ConcurrentHashMap<>());
    objects.put("tasks", new ConcurrentHashMap<>());
    for (String type : objects.keySet()) {
      byModified.put(type, new ConcurrentSkipListMap<>());
      indexedStamp.put(type, new ConcurrentHashMap<>());
    }
    propertyDefs.clear();
    groups.clear();
    contactTasks.clear();
    changes.clear();
    for (String type : List.of("contacts", "tasks")) {
      propertyDefs.put(type, new ConcurrentHashMap<>());
      groups.put(type, ConcurrentHashMap.newKeySet());
      groups.get(type).add("contactinformation");
    }
    for (String name : HubSpotSchema.CONTACT_PROPERTIES) {
      propertyDefs.get("contacts").put(name, HubSpotSchema.builtIn(name));
    }
    apiCalls.set(0);
    requests.clear();
    writeCalls.set(0);
    faults.clear();
    dailyLimit = 250_000;
    burstLimit = 190;
    synchronized (recentCalls) {
      recentCalls.clear();
    }
    synchronized (recentSearches) {
      recentSearches.clear();
    }
    searchesRefused.set(0);
    burstRefused.set(0);
    associationBatchReads.set(0);
    if (bulk != null) {
      bulk.reset();
    }
    optionalScopes.addAll(List.of("crm.import", "crm.export"));
    subscriptions(DEMO_SUBSCRIPTIONS);
  }

  /**
   * Replaces the app's event subscriptions, each {@code eventType} or {@code
   * contact.propertyChange:property}; all active.
   */
  public void subscriptions(List<String> specs) {
    List<Subscription> next = new ArrayList<>();
    int id = 1_200;
    for (String spec : specs) {
      int colon = spec.indexOf(':');
      next.add(
          new Subscription(
              String.valueOf(id++),
              colon < 0 ? spec : spec.substring(0, colon),
              colon < 0 ? null : spec.substring(colon + 1),
              true));
    }
    subscriptions.clear();
    subscriptions.addAll(next);
  }

  /** The subscription that asks for this change, if any: only those are delivered. */
  java.util.Optional<Subscription> subscriptionFor(Change c) {
    return subscriptions.stream().filter(s -> s.covers(c)).findFirst();
  }

  /**
   * {@code GET /webhooks/v3/{appId}/subscriptions}, authenticated by the developer API key in the
   * {@code hapikey} query parameter (Webhooks/Webhooks/Rollouts/147891/v3/webhooks.json,
   * securitySchemes developer_hapikey); an OAuth access token of a portal is not enough here.
   */
  private Reply listSubscriptions(String appId, String query) {
    if (!DEVELOPER_API_KEY.equals(FormData.parse(query).get("hapikey"))) {
      return error(
          401,
          "INVALID_AUTHENTICATION",
          "The API key provided is invalid. View or manage your API key here:"
              + " https://app.hubspot.com/l/api-key/",
          Map.of());
    }
    if (!appId.equals(String.valueOf(APP_ID))) {
      return error(
          404, "OBJECT_NOT_FOUND", "No app " + appId + " in this developer account", Map.of());
    }
    ObjectNode reply = NODES.objectNode();
    ArrayNode results = reply.putArray("results");
    for (Subscription sub : subscriptions) {
      ObjectNode r = results.addObject();
      r.put("id", sub.id());
      r.put("eventType", sub.eventType());
      if (sub.propertyName() != null) {
        r.put("propertyName", sub.propertyName());
      }
      r.put("active", sub.active());
      r.put("createdAt", "2026-11-01T09:00:00Z");
      r.put("updatedAt", "2026-11-01T09:00:00Z");
    }
    return Reply.json(200, reply.toString(), Map.of());
  }

  /** Associates {@code count} made-up tasks with a contact, as years of a rep's to-dos would. */
  public void addTasks(String contactId, int count) {
    Instant now = nextStamp();
    for (int i = 0; i < count; i++) {
      String id = String.valueOf(idCounter.getAndIncrement());
      Map<String, String> p = new ConcurrentHashMap<>();
      p.put("hs_object_id", id);
      p.put("hs_task_subject", "Follow-up " + i);
      p.put("hs_task_body", "Call back about the renewal");
      p.put("hs_timestamp", now.toString());
      p.put("createdate", now.toString());
      p.put("lastmodifieddate", now.toString());
      store("tasks", new HsRecord(id, p, now, false));
      contactTasks.computeIfAbsent(contactId, k -> new CopyOnWriteArrayList<>()).add(id);
    }
  }

  // ---------------------------------------------------------------- records, for seeding and tests

  /** Creates a contact as a user would; HubSpot sets the id and both stamps. */
  public String createContact(Map<String, String> properties) {
    String id = String.valueOf(idCounter.getAndIncrement());
    Instant now = nextStamp();
    Map<String, String> p = new ConcurrentHashMap<>();
    properties.forEach(
        (k, v) -> {
          if (v != null) {
            p.put(k, v);
          }
        });
    p.putIfAbsent("createdate", now.toString());
    p.put("lastmodifieddate", now.toString());
    p.put("hs_object_id", id);
    store("contacts", new HsRecord(id, p, Instant.parse(p.get("createdate")), false));
    changes.add(
        new Change(eventCounter.getAndIncrement(), "contact.creation", id, null, null, now, "CRM"));
    return id;
  }

  /** A user edits a contact: new values, a new {@code lastmodifieddate}, one event per property. */
  public void updateContact(String id, Map<String, String> properties, String changeSource) {
    HsRecord r = record("contacts", id);
    if (r == null) {
      throw new IllegalArgumentException("no contact " + id);
    }
    change(r, properties, nextStamp(), changeSource);
  }

  /** Applies new values, moves {@code lastmodifieddate}, records one event per property. */
  private void change(HsRecord r, Map<String, String> values, Instant at, String changeSource) {
    r.properties().putAll(values);
    r.properties().put("lastmodifieddate", at.toString());
    restamp(r);
    values.forEach(
        (k, v) ->
            changes.add(
                new Change(
                    eventCounter.getAndIncrement(),
                    "contact.propertyChange",
                    r.id(),
                    k,
                    v,
                    at,
                    changeSource)));
  }

  /** Stamps the contact with an exact {@code lastmodifieddate} (for cap tests: bulk imports). */
  public void stampContact(String id, Instant stamp) {
    HsRecord r = record("contacts", id);
    r.properties().put("lastmodifieddate", stamp.toString());
    restamp(r);
  }

  /**
   * {@code POST /crm/v3/objects/contacts/gdpr-delete}: the contact is purged for good (no archive)
   * and apps hear of it as {@code contact.privacyDeletion}. 204; 404 for an unknown id.
   */
  private Reply gdprDelete(String type, JsonNode request, Map<String, String> limits) {
    String id = request.path("objectId").asText("");
    if (!type.equals("contacts") || request.has("idProperty")) {
      return error(400, "VALIDATION_ERROR", "the sandbox erases contacts by id only", limits);
    }
    if (!purgeContact(id)) {
      return error(404, "OBJECT_NOT_FOUND", "resource not found", limits);
    }
    gdprDeleted.add(id);
    return new Reply(204, limits, "", false);
  }

  private final List<String> gdprDeleted = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Contacts purged through the GDPR delete endpoint. */
  public List<String> gdprDeleted() {
    return List.copyOf(gdprDeleted);
  }

  /** A contact purged from the portal's UI with a GDPR delete (what the webhook then reports). */
  public void privacyDeleteContact(String id) {
    purgeContact(id);
  }

  /** Removes the contact for good and notes a {@code contact.privacyDeletion} change. */
  private boolean purgeContact(String id) {
    if (drop("contacts", id) == null) {
      return false;
    }
    changes.add(
        new Change(
            eventCounter.getAndIncrement(),
            "contact.privacyDeletion",
            id,
            null,
            null,
            nextStamp(),
            "GDPR"));
    return true;
  }

  public void deleteContact(String id) {
    HsRecord r = drop("contacts", id);
    if (r != null) {
      store("contacts", new HsRecord(id, r.properties(), r.createdAt(), true));
      changes.add(
          new Change(
              eventCounter.getAndIncrement(),
              "contact.deletion",
              id,
              null,
              null,
              nextStamp(),
              "CRM"));
    }
  }

  public Map<String, String> contact(String id) {
    HsRecord r = record("contacts", id);
    return r == null ? null : Map.copyOf(r.properties());
  }

  public List<String> contactIds() {
    return objects.get("contacts").values().stream()
        .filter(r -> !r.archived())
        .map(HsRecord::id)
        .sorted(Comparator.comparingLong(Long::parseLong))
        .toList();
  }

  /** Takes the changes not yet handed to the webhook deliverer. */
  public List<Change> drainChanges() {
    synchronized (changes) {
      List<Change> out = new ArrayList<>(changes);
      changes.clear();
      return out;
    }
  }

  public int taskCount() {
    return (int) objects.get("tasks").values().stream().filter(r -> !r.archived()).count();
  }

  /** Adds or replaces a record, and indexes it by its stamp unless it is archived. */
  private void store(String type, HsRecord r) {
    objects.get(type).put(r.id(), r);
    reindex(type, r.id(), r.archived() ? null : r);
  }

  /** Removes a record for good; yields it, or null when there was none. */
  private HsRecord drop(String type, String id) {
    HsRecord r = objects.get(type).remove(id);
    reindex(type, id, null);
    return r;
  }

  /** After a record's lastmodifieddate changed: moves its index entry. */
  private void restamp(HsRecord r) {
    for (Map.Entry<String, Map<String, HsRecord>> e : objects.entrySet()) {
      if (e.getValue().get(r.id()) == r) {
        reindex(e.getKey(), r.id(), r.archived() ? null : r);
      }
    }
  }

  /** Replaces the index entry of a record id with {@code r}'s current stamp (none for null). */
  private void reindex(String type, String id, HsRecord r) {
    ConcurrentSkipListMap<Stamped, HsRecord> index = byModified.get(type);
    long numericId = Long.parseLong(id);
    // compute() holds the id's entry while the index moves: two changes of one record cannot
    // leave it indexed under both stamps.
    indexedStamp
        .get(type)
        .compute(
            id,
            (k, old) -> {
              if (old != null) {
                index.remove(new Stamped(old, numericId));
              }
              String stamp = r == null ? null : r.properties().get("lastmodifieddate");
              if (stamp == null) {
                return null;
              }
              long millis = Instant.parse(stamp).toEpochMilli();
              index.put(new Stamped(millis, numericId), r);
              return millis;
            });
  }

  private HsRecord record(String type, String id) {
    HsRecord r = objects.get(type).get(id);
    return r == null || r.archived() ? null : r;
  }

  /**
   * The clock's millisecond, never behind the last stamp given. Many changes share a millisecond
   * under load, as they do in HubSpot, which is what a client's paging must cope with.
   */
  private Instant nextStamp() {
    long now = clock.millis();
    long stamp = lastStamp.updateAndGet(prev -> Math.max(prev, now));
    return Instant.ofEpochMilli(stamp);
  }

  // ---------------------------------------------------------------- the HTTP API

  @Override
  public Reply handle(
      String method, String url, Map<String, String> headers, String body, String baseUrl) {
    String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    Matcher m;
    try {
      if (method.equals("POST") && path.equals("/oauth/v1/token")) {
        return app.token(body);
      }
      if (method.equals("POST") && path.equals("/oauth/v3/token/introspect")) {
        return app.introspect(body);
      }
      // The authorize page lives on app.hubspot.com; the sandbox serves it beside the API.
      if (method.equals("GET") && (m = AUTHORIZE.matcher(path)).matches()) {
        return app.authorize(
            m.group(1), url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
      }
      if (method.equals("GET") && path.startsWith("/oauth/v1/access-tokens/")) {
        return tokenInfo(path.substring("/oauth/v1/access-tokens/".length()), false);
      }
      if (method.equals("POST") && path.equals("/oauth/v2/private-apps/get/access-token-info")) {
        return tokenInfo(JSON.readTree(body).path("tokenKey").asText(), true);
      }
      Matcher hooks = SUBSCRIPTIONS.matcher(path);
      if (method.equals("GET") && hooks.matches()) {
        return listSubscriptions(
            hooks.group(1), url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
      }
      bulk.settleDue();
      Matcher file = EXPORT_FILE.matcher(path);
      if (method.equals("GET") && file.matches()) {
        // A pre-signed link to a file store, outside the API: no token, no rate limit.
        return bulk.download(
            file.group(1), url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
      }
      if (faults.resetNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return new Reply(0, Map.of(), "", true);
      }
      if (faults.latencyMillis > 0) {
        Thread.sleep(faults.latencyMillis);
      }
      String auth = headers.getOrDefault("authorization", "");
      if (!auth.startsWith("Bearer ")
          || !(auth.substring(7).equals(accessToken) || app.isAccessToken(auth.substring(7)))) {
        return error(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
            Map.of());
      }
      long used = apiCalls.incrementAndGet();
      requests.add(new Request(method, path, body == null ? "" : body));
      if (used > dailyLimit) {
        return rateLimited("DAILY", "You have reached your daily limit.", used);
      }
      // Search is exempt from the ten-secondly bucket (x-hubspot-rate-limit-exemptions:
      // ten-secondly on .../search in CRM/Contacts/Rollouts/424/v3/contacts.json) and has a limit
      // of its own, about five a second per account; HubSpot's Node client (RetryDecorator.ts)
      // knows its 429 by the message alone. The sandbox allows exactly five in any rolling second
      // and sends neither a policyName nor a Retry-After with it, which no client may rely on.
      boolean search = method.equals("POST") && path.endsWith("/search");
      // The v4 association batch endpoints are exempt from the ten-secondly bucket too
      // (x-hubspot-rate-limit-exemptions in CRM/Associations/Rollouts/130902/v4/associations.json).
      boolean exempt = method.equals("POST") && BATCH_ASSOCIATIONS.matcher(path).matches();
      if (search ? !withinSearchSecond() : !exempt && !withinBurst()) {
        return search
            ? rateLimited(null, "You have reached your secondly limit.", used)
            : rateLimited(
                "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.", used);
      }
      if (faults.failNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return faults.failStatus == 429
            ? rateLimited(
                "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.", used)
            : error(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable.", Map.of());
      }
      Map<String, String> limits = limitHeaders(used);
      String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
      if (method.equals("POST") && path.equals("/crm/v3/imports")) {
        if (!optionalScopes.contains("crm.import")) {
          return missingScope("crm.import", limits);
        }
        writeCalls.incrementAndGet();
        return bulk.startImport(headers.get("content-type"), body == null ? "" : body, limits);
      }
      if (method.equals("GET") && (m = IMPORT.matcher(path)).matches()) {
        return bulk.importStatus(m.group(1), limits);
      }
      if (method.equals("GET") && (m = IMPORT_ERRORS.matcher(path)).matches()) {
        return bulk.importErrors(m.group(1), query, limits);
      }
      if (method.equals("POST") && path.equals("/crm/v3/exports/export/async")) {
        if (!optionalScopes.contains("crm.export")) {
          return missingScope("crm.export", limits);
        }
        return bulk.startExport(body == null ? "" : body, limits);
      }
      if (method.equals("GET") && (m = EXPORT_STATUS.matcher(path)).matches()) {
        return bulk.exportStatus(m.group(1), baseUrl, limits);
      }
      if (method.equals("POST") && (m = BATCH_ASSOCIATIONS.matcher(path)).matches()) {
        associationBatchReads.incrementAndGet();
        return batchAssociations(m.group(1), m.group(2), JSON.readTree(body), limits);
      }
      if (method.equals("POST") && (m = OBJECTS.matcher(path)).matches()) {
        String type = m.group(1);
        if (!objects.containsKey(type)) {
          return error(
              404, "OBJECT_NOT_FOUND", "Unable to infer object type from: " + type, limits);
        }
        if (type.equals("contacts")) {
          String needed =
              m.group(2).equals("search") || m.group(2).equals("batch/read")
                  ? "crm.objects.contacts.read"
                  : "crm.objects.contacts.write";
          if (!app.scopes().contains(needed)) {
            return missingScope(needed, limits);
          }
        }
        JsonNode request = JSON.readTree(body);
        return switch (m.group(2)) {
          case "search" -> search(type, request, limits);
          case "batch/read" -> batchRead(type, request, limits);
          case "gdpr-delete" -> {
            writeCalls.incrementAndGet();
            yield gdprDelete(type, request, limits);
          }
          case "batch/update" -> {
            writeCalls.incrementAndGet();
            yield batchUpdate(type, request, limits);
          }
          default -> {
            writeCalls.incrementAndGet();
            if (!type.equals("tasks")) {
              yield error(
                  405, "VALIDATION_ERROR", "creation of " + type + " is not simulated", limits);
            }
            Reply created = createTasks(request, limits);
            yield faults.loseAnswerOfNextCreations.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                ? new Reply(0, Map.of(), "", true)
                : created;
          }
        };
      }
      if (method.equals("GET") && (m = GROUP.matcher(path)).matches()) {
        return groups.getOrDefault(m.group(1), Set.of()).contains(m.group(2))
            ? Reply.json(200, group(m.group(2)).toString(), limits)
            : error(404, "OBJECT_NOT_FOUND", "Unable to find property group " + m.group(2), limits);
      }
      if (method.equals("POST") && (m = GROUPS.matcher(path)).matches()) {
        String name = JSON.readTree(body).path("name").asText();
        if (!groups.get(m.group(1)).add(name)) {
          return error(
              409,
              "OBJECT_ALREADY_EXISTS",
              "A property group named '" + name + "' already exists.",
              limits);
        }
        return Reply.json(201, group(name).toString(), limits);
      }
      if (method.equals("POST") && (m = PROPERTIES_CREATE.matcher(path)).matches()) {
        return createProperties(m.group(1), JSON.readTree(body), limits);
      }
      if (method.equals("GET") && (m = PROPERTIES.matcher(path)).matches()) {
        ObjectNode reply = NODES.objectNode();
        ArrayNode results = reply.putArray("results");
        propertyDefs.getOrDefault(m.group(1), Map.of()).values().forEach(results::add);
        return Reply.json(200, reply.toString(), limits);
      }
      if (method.equals("GET") && (m = ASSOCIATIONS.matcher(path)).matches()) {
        return associations(
            m.group(1),
            m.group(2),
            m.group(3),
            url.contains("?") ? url.substring(url.indexOf('?') + 1) : "",
            limits);
      }
      return error(404, "NOT_FOUND", "No route for " + method + " " + path, limits);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return error(
          400,
          "VALIDATION_ERROR",
          "Invalid input JSON on line 1: " + e.getOriginalMessage(),
          Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(503, "SERVICE_UNAVAILABLE", "interrupted", Map.of());
    }
  }

  /**
   * A call the app's scopes do not cover: 403 MISSING_SCOPES, naming the scope in {@code errors[]}
   * (HubSpot's scopes docs: each endpoint needs its scope; the spec's Error schema carries details
   * in {@code errors[].context}).
   */
  private static Reply missingScope(String scope, Map<String, String> limits) {
    ObjectNode e = NODES.objectNode();
    e.put("status", "error");
    e.put("message", "This app hasn't been granted all required scopes to make this call.");
    e.put("correlationId", UUID.randomUUID().toString());
    ObjectNode detail = e.putArray("errors").addObject();
    detail.put("message", "One or more of the following scopes are required.");
    detail.putObject("context").putArray("requiredGranularScopes").add(scope);
    e.put("category", "MISSING_SCOPES");
    return Reply.json(403, e.toString(), limits);
  }

  private final AtomicLong burstRefused = new AtomicLong();

  /** Calls refused for the ten-secondly limit since the last reset. */
  public long burstRefused() {
    return burstRefused.get();
  }

  private boolean withinBurst() {
    long now = clock.millis();
    synchronized (recentCalls) {
      while (!recentCalls.isEmpty() && recentCalls.peekFirst() <= now - 10_000) {
        recentCalls.pollFirst();
      }
      if (recentCalls.size() >= burstLimit) {
        burstRefused.incrementAndGet();
        return false;
      }
      recentCalls.addLast(now);
      return true;
    }
  }

  /** Searches in the last second; at most {@link #SEARCHES_PER_SECOND}. */
  private boolean withinSearchSecond() {
    long now = clock.millis();
    synchronized (recentSearches) {
      while (!recentSearches.isEmpty() && recentSearches.peekFirst() <= now - 1_000) {
        recentSearches.pollFirst();
      }
      if (recentSearches.size() >= SEARCHES_PER_SECOND) {
        searchesRefused.incrementAndGet();
        return false;
      }
      recentSearches.addLast(now);
      return true;
    }
  }

  /** Searches refused for the per-second limit since the last reset. */
  public long searchesRefused() {
    return searchesRefused.get();
  }

  private Map<String, String> limitHeaders(long used) {
    int remaining;
    synchronized (recentCalls) {
      remaining = Math.max(0, burstLimit - recentCalls.size());
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-HubSpot-RateLimit-Daily", String.valueOf(dailyLimit));
    h.put("X-HubSpot-RateLimit-Daily-Remaining", String.valueOf(Math.max(0, dailyLimit - used)));
    h.put("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    h.put("X-HubSpot-RateLimit-Max", String.valueOf(burstLimit));
    h.put("X-HubSpot-RateLimit-Remaining", String.valueOf(remaining));
    return h;
  }

  /** A 429; {@code policy} null for search's secondly limit, which names none. */
  private Reply rateLimited(String policy, String message, long used) {
    ObjectNode e = NODES.objectNode();
    e.put("status", "error");
    e.put("message", message);
    e.put("errorType", "RATE_LIMIT");
    e.put("correlationId", UUID.randomUUID().toString());
    if (policy == null) {
      return Reply.json(429, e.toString(), Map.of());
    }
    e.put("policyName", policy);
    Map<String, String> h = new LinkedHashMap<>(limitHeaders(used));
    h.put("Retry-After", "1");
    return Reply.json(429, e.toString(), h);
  }

  static Reply errorReply(int status, String category, String message, Map<String, String> h) {
    return error(status, category, message, h);
  }

  private static Reply error(int status, String category, String message, Map<String, String> h) {
    ObjectNode e = NODES.objectNode();
    e.put("status", "error");
    e.put("message", message);
    e.put("correlationId", UUID.randomUUID().toString());
    e.put("category", category);
    return Reply.json(status, e.toString(), h);
  }

  /** Token introspection: OAuth access tokens by path, private-app tokens by body. */
  private Reply tokenInfo(String token, boolean privateApp) {
    boolean known = privateApp ? token.equals(accessToken) : app.isAccessToken(token);
    if (!known) {
      return error(404, "NOT_FOUND", "token not found", Map.of());
    }
    ObjectNode reply = NODES.objectNode();
    if (privateApp) {
      reply.put("userId", 31415926);
      reply.put("hubId", PORTAL_ID);
      reply.put("appId", APP_ID);
    } else {
      reply.put("token", token);
      reply.put("hub_id", PORTAL_ID);
      reply.put("app_id", APP_ID);
      reply.put("token_type", "access");
      reply.put("expires_in", 1800);
    }
    ArrayNode granted = reply.putArray("scopes");
    app.scopes().forEach(granted::add);
    return Reply.json(200, reply.toString(), Map.of());
  }

  // ---------------------------------------------------------------- search

  private Reply search(String type, JsonNode request, Map<String, String> limits) {
    int limit = request.path("limit").asInt(10);
    if (limit < 1 || limit > 200) {
      return error(
          400, "VALIDATION_ERROR", "limit must be between 1 and 200, was " + limit, limits);
    }
    int after = request.hasNonNull("after") ? Integer.parseInt(request.path("after").asText()) : 0;
    if (after + limit > SEARCH_CAP) {
      return error(
          400,
          "VALIDATION_ERROR",
          "There was a problem with the request. The search API only returns up to 10,000 results"
              + " per query.",
          limits);
    }
    JsonNode filterGroups = request.path("filterGroups");
    if (filterGroups.size() > 5) {
      return error(400, "VALIDATION_ERROR", "At most 5 filterGroups are allowed", limits);
    }
    Window window = window(type, filterGroups);
    Predicate<HsRecord> match = r -> filterGroups.isEmpty();
    for (JsonNode group : filterGroups) {
      Predicate<HsRecord> all = r -> true;
      for (JsonNode f : group.path("filters")) {
        String operator = f.path("operator").asText();
        if (!OPERATORS.contains(operator)) {
          return error(400, "VALIDATION_ERROR", "Unknown operator " + operator, limits);
        }
        if (window.covered().contains(f)) {
          continue; // every record of the window meets it
        }
        all = all.and(filter(f.path("propertyName").asText(), operator, f.path("value").asText()));
      }
      match = match.or(all);
    }
    JsonNode sorts = request.path("sorts");
    if (sorts.size() > 1) {
      return error(400, "VALIDATION_ERROR", "Only one sort is allowed", limits);
    }
    // Each hit's sort key is worked out once, not in every comparison.
    String sortProp = sorts.size() == 1 ? sorts.get(0).path("propertyName").asText() : null;
    Comparator<Keyed> order = Comparator.comparingLong(Keyed::id);
    if (sortProp != null) {
      Comparator<Keyed> bySort = Comparator.comparing(Keyed::sortKey);
      // HubSpot does not promise an order among equal values; the sandbox is deliberately
      // unhelpful there (reverse id) so that clients relying on it fail in tests.
      order = bySort.thenComparing(order.reversed());
      if (sorts.get(0).path("direction").asText("ASCENDING").equals("DESCENDING")) {
        order = bySort.reversed().thenComparing(order.reversed());
      }
    }
    // The hits from after, at most limit of them, and how many match in all.
    List<HsRecord> page;
    int total;
    Map.Entry<List<HsRecord>, Integer> fromIndex =
        indexed(window, filterGroups, sorts, after, limit);
    if (fromIndex != null) {
      page = fromIndex.getKey();
      total = fromIndex.getValue();
    } else {
      List<Keyed> keyed = new ArrayList<>();
      for (HsRecord r : window.records()) {
        if (!r.archived() && match.test(r)) {
          keyed.add(
              new Keyed(Long.parseLong(r.id()), sortProp == null ? "" : sortKey(r, sortProp), r));
        }
      }
      keyed.sort(order);
      total = keyed.size();
      page =
          keyed.subList(Math.min(after, total), Math.min(total, after + limit)).stream()
              .map(Keyed::record)
              .toList();
    }
    List<String> props = strings(request.path("properties"));
    ObjectNode reply = NODES.objectNode();
    reply.put("total", total);
    ArrayNode results = reply.putArray("results");
    page.forEach(r -> results.add(view(r, props)));
    int end = after + page.size();
    if (end < total) {
      ObjectNode next = reply.putObject("paging").putObject("next");
      next.put("after", String.valueOf(end));
      next.put("link", "?after=" + end);
    }
    return Reply.json(200, reply.toString(), Map.of());
  }

  /** A search hit with its numeric id and its sort key. */
  private record Keyed(long id, String sortKey, HsRecord record) {}

  /**
   * The records a search has to look at, and the filters they meet by construction.
   *
   * @param covered the filters (by identity) that every record of {@code records} meets
   */
  private record Window(
      Iterable<HsRecord> records,
      Set<JsonNode> covered,
      java.util.NavigableMap<Stamped, HsRecord> index,
      boolean oneStamp) {
    Window(Iterable<HsRecord> records, Set<JsonNode> covered) {
      this(records, covered, null, false);
    }
  }

  /**
   * The records a search has to look at: with a single filter group that bounds lastmodifieddate
   * (what a modified-since poll sends), only that range of the stamp index; otherwise all.
   */
  private Window window(String type, JsonNode filterGroups) {
    Window all = new Window(objects.get(type).values(), Set.of());
    if (filterGroups.size() != 1) {
      return all;
    }
    Set<JsonNode> covered = Collections.newSetFromMap(new IdentityHashMap<>());
    long from = Long.MIN_VALUE;
    long to = Long.MAX_VALUE;
    for (JsonNode f : filterGroups.get(0).path("filters")) {
      if (!f.path("propertyName").asText().equals("lastmodifieddate")) {
        continue;
      }
      String value = f.path("value").asText();
      long v;
      try {
        v = value.matches("\\d+") ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
      } catch (RuntimeException e) {
        continue; // the filter itself rejects every record, as it would without the index
      }
      switch (f.path("operator").asText()) {
        case "EQ" -> {
          from = Math.max(from, v);
          to = Math.min(to, v);
        }
        case "GT" -> from = Math.max(from, v == Long.MAX_VALUE ? v : v + 1);
        case "GTE" -> from = Math.max(from, v);
        case "LT" -> to = Math.min(to, v == Long.MIN_VALUE ? v : v - 1);
        case "LTE" -> to = Math.min(to, v);
        default -> {
          continue;
        }
      }
      covered.add(f);
    }
    if (covered.isEmpty()) {
      return all;
    }
    if (from > to) {
      return new Window(List.of(), covered);
    }
    // Within one millisecond (a bulk import's stamp), the index is in id order: bounds on
    // hs_object_id narrow it too.
    long idFrom = Long.MIN_VALUE;
    long idTo = Long.MAX_VALUE;
    if (from == to) {
      for (JsonNode f : filterGroups.get(0).path("filters")) {
        String value = f.path("value").asText();
        if (!f.path("propertyName").asText().equals("hs_object_id") || !isDigits(value, 18)) {
          continue;
        }
        long v = Long.parseLong(value);
        switch (f.path("operator").asText()) {
          case "EQ" -> {
            idFrom = Math.max(idFrom, v);
            idTo = Math.min(idTo, v);
          }
          case "GT" -> idFrom = Math.max(idFrom, v + 1);
          case "GTE" -> idFrom = Math.max(idFrom, v);
          case "LT" -> idTo = Math.min(idTo, v - 1);
          case "LTE" -> idTo = Math.min(idTo, v);
          default -> {
            continue;
          }
        }
        covered.add(f);
      }
      if (idFrom > idTo) {
        return new Window(List.of(), covered);
      }
    }
    java.util.NavigableMap<Stamped, HsRecord> index =
        byModified.get(type).subMap(new Stamped(from, idFrom), true, new Stamped(to, idTo), true);
    return new Window(index.values(), covered, index, from == to);
  }

  /**
   * A search the stamp index answers in its own order, without looking at every record of the
   * window: the general path's answer (hits, order, total, paging; PortalSearchIndexTest holds the
   * two together), read from the index, so that the sandbox's cost does not set a bench's pace; its
   * one filter group is all bounds on {@code lastmodifieddate} (and, within one millisecond, on
   * {@code hs_object_id}), sorted ascending by {@code lastmodifieddate} (equal stamps in descending
   * id order, as the general path orders them) or, within one millisecond, by {@code hs_object_id}.
   * Null when the search is not of that kind.
   *
   * @return the window's hits from {@code after}, at most {@code limit}, and its total
   */
  private static Map.Entry<List<HsRecord>, Integer> indexed(
      Window window, JsonNode filterGroups, JsonNode sorts, int after, int limit) {
    if (window.index() == null || filterGroups.size() != 1 || sorts.size() != 1) {
      return null;
    }
    if (window.covered().size() != filterGroups.get(0).path("filters").size()) {
      return null;
    }
    String prop = sorts.get(0).path("propertyName").asText();
    if (!sorts.get(0).path("direction").asText("ASCENDING").equals("ASCENDING")) {
      return null;
    }
    java.util.NavigableMap<Stamped, HsRecord> index = window.index();
    List<HsRecord> page = new ArrayList<>(Math.min(limit, 1_000));
    int skip = after;
    if (prop.equals("hs_object_id") && window.oneStamp()) {
      for (HsRecord r : index.values()) {
        if (page.size() == limit) {
          break;
        }
        if (skip-- <= 0) {
          page.add(r);
        }
      }
    } else if (prop.equals("lastmodifieddate")) {
      Stamped k = index.isEmpty() ? null : index.firstKey();
      while (k != null && page.size() < limit) {
        long ms = k.millis();
        for (HsRecord r :
            index
                .subMap(
                    new Stamped(ms, Long.MIN_VALUE), true, new Stamped(ms, Long.MAX_VALUE), true)
                .descendingMap()
                .values()) {
          if (page.size() == limit) {
            break;
          }
          if (skip-- <= 0) {
            page.add(r);
          }
        }
        k = index.higherKey(new Stamped(ms, Long.MAX_VALUE));
      }
    } else {
      return null;
    }
    int total = 0;
    for (Stamped ignored : index.keySet()) {
      total++;
    }
    return Map.entry(page, total);
  }

  private static String sortKey(HsRecord r, String prop) {
    String v = r.properties().get(prop);
    if (v == null) {
      return "";
    }
    if (isTime(prop)) {
      return zeroPadded(Instant.parse(v).toEpochMilli());
    }
    if (isDigits(v, 19)) {
      return zeroPadded(Long.parseLong(v));
    }
    return v;
  }

  /** Whether {@code v} is 1 to {@code max} ASCII digits. */
  private static boolean isDigits(String v, int max) {
    if (v.isEmpty() || v.length() > max) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code String.format("%020d", n)} for n >= 0, without the formatter's cost. */
  private static String zeroPadded(long n) {
    String digits = Long.toString(n);
    if (n < 0 || digits.length() >= 20) {
      return String.format("%020d", n);
    }
    return "0".repeat(20 - digits.length()) + digits;
  }

  private static boolean isTime(String prop) {
    return prop.equals("lastmodifieddate")
        || prop.equals("createdate")
        || prop.endsWith("_date")
        || prop.equals("notes_last_updated")
        || prop.equals("engagements_last_meeting_booked");
  }

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  private static Predicate<HsRecord> filter(String prop, String operator, String value) {
    // The filter's own value is read once per search, not once per record; a value that does not
    // parse still fails the search when a record is compared with it, as before.
    boolean time = isTime(prop);
    long timeValue = 0;
    RuntimeException badTime = null;
    if (time) {
      try {
        timeValue =
            isDigits(value, 19) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
      } catch (RuntimeException e) {
        badTime = e;
      }
    }
    long right = timeValue;
    RuntimeException unparsable = badTime;
    boolean numericValue = NUMBER.matcher(value).matches();
    return r -> {
      String v = r.properties().get(prop);
      if (operator.equals("HAS_PROPERTY")) {
        return v != null;
      }
      if (operator.equals("NOT_HAS_PROPERTY")) {
        return v == null;
      }
      if (v == null) {
        return operator.equals("NEQ");
      }
      int cmp;
      if (time) {
        long left = Instant.parse(v).toEpochMilli();
        if (unparsable != null) {
          throw unparsable;
        }
        cmp = Long.compare(left, right);
      } else if (numericValue && NUMBER.matcher(v).matches()) {
        cmp = new BigDecimal(v).compareTo(new BigDecimal(value));
      } else {
        cmp = v.compareToIgnoreCase(value);
      }
      return switch (operator) {
        case "EQ" -> cmp == 0;
        case "NEQ" -> cmp != 0;
        case "LT" -> cmp < 0;
        case "LTE" -> cmp <= 0;
        case "GT" -> cmp > 0;
        case "GTE" -> cmp >= 0;
        default -> false;
      };
    };
  }

  /** A record as the API shows it: the requested properties, plus HubSpot's defaults. */
  private ObjectNode view(HsRecord r, List<String> requested) {
    ObjectNode o = NODES.objectNode();
    o.put("id", r.id());
    ObjectNode p = o.putObject("properties");
    List<String> names = new ArrayList<>(List.of("createdate", "hs_object_id", "lastmodifieddate"));
    names.addAll(requested);
    for (String n : names) {
      String v = r.properties().get(n);
      if (v == null) {
        p.putNull(n);
      } else {
        p.put(n, v);
      }
    }
    o.put("createdAt", r.createdAt().toString());
    o.put("updatedAt", r.properties().getOrDefault("lastmodifieddate", r.createdAt().toString()));
    o.put("archived", r.archived());
    return o;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  // ---------------------------------------------------------------- batch

  private Reply batchRead(String type, JsonNode request, Map<String, String> limits) {
    JsonNode inputs = request.path("inputs");
    if (inputs.size() > 100) {
      return error(400, "VALIDATION_ERROR", "Batch input size must be <= 100", limits);
    }
    List<String> props = strings(request.path("properties"));
    ArrayNode results = NODES.arrayNode();
    List<String> missing = new ArrayList<>();
    for (JsonNode in : inputs) {
      HsRecord r = record(type, in.path("id").asText());
      if (r == null) {
        missing.add(in.path("id").asText());
      } else {
        results.add(view(r, props));
      }
    }
    return batchReply(
        results,
        missing,
        "OBJECT_NOT_FOUND",
        "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
        limits);
  }

  private Reply batchUpdate(String type, JsonNode request, Map<String, String> limits) {
    JsonNode inputs = request.path("inputs");
    if (inputs.size() > 100) {
      return error(400, "VALIDATION_ERROR", "Batch input size must be <= 100", limits);
    }
    // Every input is validated before anything is written. A value the property cannot hold (an
    // option the enumeration lacks, text for a number, a property that does not exist) fails the
    // WHOLE batch with 400 VALIDATION_ERROR "Property values were not valid: [...]", naming the
    // property but not the record, and nothing of the batch is written: this is what users of
    // HubSpot's clients report (the spec's batch/update in CRM/Contacts/Rollouts/424/v3 lists 200,
    // 207 and a default error, and says invalid properties "will result in an error").
    List<String> missing = new ArrayList<>();
    for (JsonNode in : inputs) {
      String id = in.path("id").asText();
      if (record(type, id) == null) {
        missing.add(id);
        continue;
      }
      for (var e : in.path("properties").properties()) {
        String problem = validate(type, e.getKey(), e.getValue().asText());
        if (problem != null) {
          return error(400, "VALIDATION_ERROR", problem, limits);
        }
      }
    }
    ArrayNode results = NODES.arrayNode();
    Instant now = nextStamp();
    for (JsonNode in : inputs) {
      HsRecord r = record(type, in.path("id").asText());
      if (r == null) {
        continue;
      }
      Map<String, String> changed = new LinkedHashMap<>();
      in.path("properties")
          .properties()
          .forEach(e -> changed.put(e.getKey(), e.getValue().asText()));
      change(r, changed, now, "INTEGRATION");
      results.add(view(r, new ArrayList<>(changed.keySet())));
    }
    ObjectNode reply = NODES.objectNode();
    reply.put("status", "COMPLETE");
    reply.set("results", results);
    if (!missing.isEmpty()) {
      // Ids that do not exist are the batch's partial failure: 207 with errors[] naming them.
      reply.put("numErrors", missing.size());
      reply
          .putArray("errors")
          .add(
              batchError(
                  "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", missing));
    }
    reply.put("startedAt", now.toString());
    reply.put("completedAt", clock.instant().toString());
    return Reply.json(missing.isEmpty() ? 200 : 207, reply.toString(), limits);
  }

  /** A property must exist, and hold a value of its type. */
  private String validate(String type, String name, String value) {
    JsonNode def = propertyDefs.get(type).get(name);
    if (def == null) {
      return "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\""
          + name
          + "\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\""
          + name
          + "\"}]";
    }
    String kind = def.path("type").asText();
    boolean ok =
        switch (kind) {
          case "number" -> value.isEmpty() || value.matches("-?\\d+(\\.\\d+)?");
          case "enumeration" -> {
            boolean found = value.isEmpty() || def.path("options").isEmpty();
            for (JsonNode o : def.path("options")) {
              found |= o.path("value").asText().equals(value);
            }
            yield found;
          }
          case "datetime" -> value.isEmpty() || value.matches("\\d+") || parses(value);
          default -> value.length() <= 65_536;
        };
    return ok
        ? null
        : "Property values were not valid: [{\"isValid\":false,\"message\":\""
            + value.replace("\"", "'")
            + " is not a valid "
            + kind
            + "\",\"error\":\"INVALID_"
            + kind.toUpperCase(java.util.Locale.ROOT)
            + "\",\"name\":\""
            + name
            + "\"}]";
  }

  private static boolean parses(String instant) {
    try {
      Instant.parse(instant);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static ObjectNode batchError(String category, String message, List<String> ids) {
    ObjectNode e = NODES.objectNode();
    e.put("status", "error");
    e.put("category", category);
    e.put("message", message);
    ArrayNode list = e.putObject("context").putArray("ids");
    ids.forEach(list::add);
    return e;
  }

  private Reply batchReply(
      ArrayNode results,
      List<String> failed,
      String category,
      String message,
      Map<String, String> limits) {
    ObjectNode reply = NODES.objectNode();
    reply.put("status", "COMPLETE");
    reply.set("results", results);
    if (!failed.isEmpty()) {
      reply.put("numErrors", failed.size());
      reply.putArray("errors").add(batchError(category, message, failed));
    }
    reply.put("startedAt", clock.instant().toString());
    reply.put("completedAt", clock.instant().toString());
    return Reply.json(failed.isEmpty() ? 200 : 207, reply.toString(), limits);
  }

  // ---------------------------------------------------------------- tasks and associations

  private Reply createTasks(JsonNode request, Map<String, String> limits) {
    JsonNode inputs = request.path("inputs");
    if (inputs.size() > 100) {
      return error(400, "VALIDATION_ERROR", "Batch input size must be <= 100", limits);
    }
    for (JsonNode in : inputs) {
      JsonNode p = in.path("properties");
      if (!p.hasNonNull("hs_timestamp")) {
        return error(
            400, "VALIDATION_ERROR", "Property hs_timestamp is required for tasks", limits);
      }
      for (JsonNode a : in.path("associations")) {
        if (record("contacts", a.path("to").path("id").asText()) == null) {
          return error(
              400,
              "VALIDATION_ERROR",
              "One or more associations are invalid: contact "
                  + a.path("to").path("id").asText()
                  + " does not exist",
              limits);
        }
        int typeId = a.path("types").path(0).path("associationTypeId").asInt();
        if (typeId != 204) {
          return error(
              400,
              "VALIDATION_ERROR",
              "association type " + typeId + " is not task to contact",
              limits);
        }
      }
    }
    ArrayNode results = NODES.arrayNode();
    Instant now = nextStamp();
    for (JsonNode in : inputs) {
      String id = String.valueOf(idCounter.getAndIncrement());
      Map<String, String> p = new ConcurrentHashMap<>();
      in.path("properties").properties().forEach(e -> p.put(e.getKey(), e.getValue().asText()));
      p.put("hs_object_id", id);
      p.put("createdate", now.toString());
      p.put("lastmodifieddate", now.toString());
      store("tasks", new HsRecord(id, p, now, false));
      for (JsonNode a : in.path("associations")) {
        contactTasks
            .computeIfAbsent(a.path("to").path("id").asText(), k -> new CopyOnWriteArrayList<>())
            .add(id);
      }
      ObjectNode view = NODES.objectNode();
      view.put("id", id);
      ObjectNode props = view.putObject("properties");
      p.forEach(props::put);
      view.put("createdAt", now.toString());
      view.put("updatedAt", now.toString());
      view.put("archived", false);
      if (in.hasNonNull("objectWriteTraceId")) {
        view.put("objectWriteTraceId", in.path("objectWriteTraceId").asText());
      }
      results.add(view);
    }
    ObjectNode reply = NODES.objectNode();
    reply.put("status", "COMPLETE");
    reply.set("results", results);
    reply.put("startedAt", now.toString());
    reply.put("completedAt", clock.instant().toString());
    return Reply.json(201, reply.toString(), limits);
  }

  /**
   * v4 association listing, paged as CRM/Associations/Rollouts/130902/v4/associations.json says:
   * {@code limit} (default 500; the sandbox refuses more, where the spec states no maximum) and the
   * {@code after} cursor, with {@code paging.next.after} while more remain.
   */
  private Reply associations(
      String from, String id, String to, String query, Map<String, String> limits) {
    if (!from.equals("contacts") || !to.equals("tasks")) {
      return error(400, "VALIDATION_ERROR", "only contacts -> tasks is simulated", limits);
    }
    Map<String, String> params = FormData.parse(query);
    int limit;
    int after;
    try {
      limit = Integer.parseInt(params.getOrDefault("limit", "500"));
      after = Integer.parseInt(params.getOrDefault("after", "0"));
    } catch (NumberFormatException e) {
      return error(400, "VALIDATION_ERROR", "limit and after must be numbers", limits);
    }
    if (limit < 1 || limit > 500 || after < 0) {
      return error(400, "VALIDATION_ERROR", "limit must be between 1 and 500", limits);
    }
    List<String> all = contactTasks.getOrDefault(id, List.of());
    int end = Math.min(all.size(), after + limit);
    ObjectNode reply = NODES.objectNode();
    ArrayNode results = reply.putArray("results");
    for (String taskId : all.subList(Math.min(after, end), end)) {
      ObjectNode r = results.addObject();
      r.put("toObjectId", Long.parseLong(taskId));
      ObjectNode t = r.putArray("associationTypes").addObject();
      t.put("category", "HUBSPOT_DEFINED");
      t.put("typeId", 203);
      t.putNull("label");
    }
    if (end < all.size()) {
      reply.putObject("paging").putObject("next").put("after", String.valueOf(end));
    }
    return Reply.json(200, reply.toString(), limits);
  }

  /**
   * {@code POST /crm/v4/associations/{from}/{to}/batch/read} (CRM/Associations/Rollouts/130902/v4/
   * associations.json: inputs of {id, after?}; 200, or 207 with errors[]; a result's {@code paging}
   * only when that input has more). The spec gives no input cap; HubSpot's associations guide says
   * 1,000 inputs a call, which the sandbox enforces. Each input's page holds up to 500 associations
   * (the v4 default). Ids without any association are reported in {@code errors[]} (207), as a
   * client must expect: stricter than leaving them out.
   */
  private Reply batchAssociations(
      String from, String to, JsonNode request, Map<String, String> limits) {
    if (!from.equals("contacts") || !to.equals("tasks")) {
      return error(400, "VALIDATION_ERROR", "only contacts -> tasks is simulated", limits);
    }
    JsonNode inputs = request.path("inputs");
    if (inputs.size() > 1_000) {
      return error(400, "VALIDATION_ERROR", "Batch input size must be <= 1000", limits);
    }
    ObjectNode reply = NODES.objectNode();
    reply.put("status", "COMPLETE");
    ArrayNode results = reply.putArray("results");
    List<String> none = new ArrayList<>();
    for (JsonNode in : inputs) {
      String id = in.path("id").asText();
      int after;
      try {
        after = in.hasNonNull("after") ? Integer.parseInt(in.path("after").asText()) : 0;
      } catch (NumberFormatException e) {
        return error(400, "VALIDATION_ERROR", "after must come from a paging cursor", limits);
      }
      List<String> all = contactTasks.getOrDefault(id, List.of());
      if (all.isEmpty()) {
        none.add(id);
        continue;
      }
      int end = Math.min(all.size(), after + 500);
      ObjectNode r = results.addObject();
      r.putObject("from").put("id", id);
      ArrayNode targets = r.putArray("to");
      for (String taskId : all.subList(Math.min(after, end), end)) {
        ObjectNode t = targets.addObject();
        t.put("toObjectId", Long.parseLong(taskId));
        ObjectNode type = t.putArray("associationTypes").addObject();
        type.put("category", "HUBSPOT_DEFINED");
        type.put("typeId", 203);
        type.putNull("label");
      }
      if (end < all.size()) {
        r.putObject("paging").putObject("next").put("after", String.valueOf(end));
      }
    }
    Instant now = clock.instant();
    reply.put("startedAt", now.toString());
    reply.put("completedAt", now.toString());
    if (!none.isEmpty()) {
      reply.put("numErrors", none.size());
      reply
          .putArray("errors")
          .add(batchError("NO_ASSOCIATIONS_FOUND", "No tasks are associated with these ids", none));
    }
    return Reply.json(none.isEmpty() ? 200 : 207, reply.toString(), limits);
  }

  // ---------------------------------------------------------------- for imports and exports

  boolean hasProperty(String type, String name) {
    return propertyDefs.get(type).containsKey(name);
  }

  String validateValue(String type, String name, String value) {
    return validate(type, name, value);
  }

  /** An import's row: the contact's new values, stamped now, its events from source IMPORT. */
  boolean importUpdate(String id, Map<String, String> values) {
    HsRecord r = record("contacts", id);
    if (r == null) {
      return false;
    }
    if (!values.isEmpty()) {
      change(r, values, nextStamp(), "IMPORT");
    }
    return true;
  }

  /** Live contacts with {@code from <= lastmodifieddate < until}. */
  int countModified(String type, long from, long until) {
    if (from >= until) {
      return 0;
    }
    return byModified
        .get(type)
        .subMap(new Stamped(from, Long.MIN_VALUE), true, new Stamped(until, Long.MIN_VALUE), false)
        .size();
  }

  /**
   * An export file: a header of property names (NAMES), then one row per live contact in the
   * window, values as stored (VALUES); the record id in column {@code hs_object_id}.
   */
  String exportCsv(List<String> properties, long from, long until) {
    StringBuilder out = new StringBuilder();
    List<String> columns = new ArrayList<>();
    columns.add("hs_object_id");
    properties.stream().filter(p -> !p.equals("hs_object_id")).forEach(columns::add);
    out.append(String.join(",", columns.stream().map(Csv::quote).toList())).append("\n");
    if (from < until) {
      for (HsRecord r :
          byModified
              .get("contacts")
              .subMap(
                  new Stamped(from, Long.MIN_VALUE),
                  true,
                  new Stamped(until, Long.MIN_VALUE),
                  false)
              .values()) {
        List<String> cells = new ArrayList<>(columns.size());
        for (String c : columns) {
          cells.add(Csv.quote(r.properties().getOrDefault(c, "")));
        }
        out.append(String.join(",", cells)).append("\n");
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- properties

  private ObjectNode group(String name) {
    ObjectNode g = NODES.objectNode();
    g.put("name", name);
    g.put("label", name.equals("aix") ? "AIX lead scoring" : name);
    g.put("displayOrder", -1);
    g.put("archived", false);
    return g;
  }

  private Reply createProperties(String type, JsonNode request, Map<String, String> limits) {
    ArrayNode results = NODES.arrayNode();
    List<String> failed = new ArrayList<>();
    for (JsonNode in : request.path("inputs")) {
      String name = in.path("name").asText();
      if (!groups.get(type).contains(in.path("groupName").asText())) {
        return error(
            400,
            "VALIDATION_ERROR",
            "property group " + in.path("groupName").asText() + " does not exist",
            limits);
      }
      if (propertyDefs.get(type).containsKey(name)) {
        failed.add(name);
        continue;
      }
      ObjectNode def = ((ObjectNode) in).deepCopy();
      def.put("createdAt", clock.instant().toString());
      def.put("hidden", false);
      def.put("formField", false);
      propertyDefs.get(type).put(name, def);
      results.add(def);
    }
    Reply reply =
        batchReply(
            results,
            failed,
            "OBJECT_ALREADY_EXISTS",
            "A property with that name already exists.",
            limits);
    // HubSpot answers a fully successful batch create with 201 Created.
    return reply.status() == 200 ? new Reply(201, reply.headers(), reply.body(), false) : reply;
  }

  /**
   * An admin edits a property into a dropdown of these options only (Properties v3: an
   * enumeration's options carry label, value, hidden); a value outside them is refused from then
   * on.
   */
  public void restrictOptions(String type, String property, List<String> values) {
    ObjectNode def = ((ObjectNode) propertyDefs.get(type).get(property)).deepCopy();
    def.put("type", "enumeration");
    def.put("fieldType", "select");
    ArrayNode options = def.putArray("options");
    int order = 0;
    for (String v : values) {
      ObjectNode o = options.addObject();
      o.put("label", v);
      o.put("value", v);
      o.put("displayOrder", order++);
      o.put("hidden", false);
    }
    propertyDefs.get(type).put(property, def);
  }

  /** An admin deletes a property (AIX's, say) in the portal's settings. */
  public void deleteProperty(String type, String property) {
    propertyDefs.get(type).remove(property);
  }

  /** The AIX property definitions as the portal holds them (for install tests). */
  public Map<String, JsonNode> properties(String type) {
    return Map.copyOf(propertyDefs.get(type));
  }

  public List<String> tasksOf(String contactId) {
    return List.copyOf(contactTasks.getOrDefault(contactId, List.of()));
  }

  public Map<String, String> task(String id) {
    HsRecord r = record("tasks", id);
    return r == null ? null : Map.copyOf(r.properties());
  }
}
