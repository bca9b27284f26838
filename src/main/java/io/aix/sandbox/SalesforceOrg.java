package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful simulated Salesforce org: records of Lead and Contact in memory, and the REST API
 * subset AIX uses, answering with Salesforce's own shapes (OAuth token reply with a real-looking
 * {@code id} URL, query pages with {@code nextRecordsUrl}, sObject Collections save results,
 * describe, limits, {@code Sforce-Limit-Info}) and its own error bodies. Thread-safe.
 */
public final class SalesforceOrg implements SandboxServer.Handler {
  public static final String ORG_ID = "00D5e000000AixDEAQ";
  public static final String INTEGRATION_USER_ID = "0055e000001AixIAAS";

  /** The org's user whose edits the sandbox makes (a sales rep in Salesforce's UI). */
  public static final String USER_ID = "0055e000002OwnAAA";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter SF_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);
  private static final Pattern DATA_PATH = Pattern.compile("/services/data/v(\\d+\\.\\d)/(.*)");
  private static final Pattern CURSOR = Pattern.compile("query/(01g\\w+)-(\\d+)");

  private final String clientId;
  private final String clientSecret;
  private final Clock clock;
  private final Map<String, SObjectSchema> schemas;
  private final OrgStream stream;
  private final Map<String, Map<String, ObjectNode>> records = new ConcurrentHashMap<>();

  /**
   * Each object's records by SystemModstamp, as Salesforce indexes that field (SOQL and SOSL
   * Reference, "Working with Very Large SOQL Queries": audit dates such as SystemModstamp are among
   * the standard indexed fields): a poll for what changed since a point reads the records changed
   * since then, not the whole object, so a million-lead org answers a poll as fast as a real one.
   */
  private final Map<String, java.util.NavigableSet<Stamped>> byModstamp = new ConcurrentHashMap<>();

  /** A record's place in its object's SystemModstamp index: milliseconds, then Id. */
  private record Stamped(long millis, String id) implements Comparable<Stamped> {
    @Override
    public int compareTo(Stamped o) {
      int c = Long.compare(millis, o.millis);
      return c != 0 ? c : id.compareTo(o.id);
    }
  }

  /**
   * Open query cursors (query locators), by id: the matched records in the query's order, each
   * projected to the query's fields when its page is read (a first page of a million-record query
   * must not copy a million records). Which records and in what order is fixed when the query runs;
   * the values are those of when the page is read (Salesforce does not say which a locator's later
   * pages show; AIX orders its offsets by the records' stamps either way).
   */
  private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();

  private record Cursor(Soql soql, List<ObjectNode> matches, long openedNanos) {}

  /**
   * As Salesforce: a user has at most 10 query cursors open; opening an 11th releases the oldest,
   * and a released locator is then refused (SOAP API Developer Guide, queryMore()). A client that
   * reads only a query's first page (AIX does, before a Bulk API 2.0 job) leaves its cursor open.
   */
  static final int OPEN_CURSORS = 10;

  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final AtomicLong idCounter = new AtomicLong(1);
  private final AtomicLong apiCalls = new AtomicLong();
  private final Map<String, AtomicLong> callsByKind = new ConcurrentHashMap<>();
  private final AtomicLong writeCalls = new AtomicLong();
  private final AtomicLong redundantWrites = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final Map<String, AtomicLong> queries = new ConcurrentHashMap<>();
  private final AtomicLong lastModstampMicros = new AtomicLong();
  private final SandboxFaults faults = new SandboxFaults();
  private final OrgBulkJobs bulk;
  private volatile long dailyApiLimit = 15_000;
  private volatile java.security.PublicKey jwtPublicKey;

  /** The integration user the tests' and the demo's JWT profiles log in as. */
  public static final String INTEGRATION_USERNAME = "integration@aix.example.com";

  /** Usernames of the org, and whether the connected app is pre-authorised for each. */
  private final Map<String, Boolean> users = new ConcurrentHashMap<>();

  /**
   * Whether the integration user may delete Leads and Contacts. The install kit's permission set
   * (crm-profiles/install/salesforce, AIX_Integration) withholds Delete, so by default it may not.
   */
  private volatile boolean deleteGranted;

  public SalesforceOrg(String clientId, String clientSecret, Clock clock) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.clock = clock;
    this.schemas =
        Map.of(
            "Lead",
            SObjectSchema.lead(),
            "Contact",
            SObjectSchema.contact(),
            "Task",
            SObjectSchema.task(),
            "CampaignMember",
            SObjectSchema.campaignMember());
    this.stream = new OrgStream(clock);
    this.bulk = new OrgBulkJobs(this, clock);
    schemas.keySet().forEach(o -> records.put(o, new ConcurrentHashMap<>()));
    schemas
        .keySet()
        .forEach(o -> byModstamp.put(o, new java.util.concurrent.ConcurrentSkipListSet<>()));
    users.put(INTEGRATION_USERNAME, true);
    defineAixChannels();
  }

  /**
   * The custom change event channels the README has a Salesforce admin create for AIX, as this
   * org's admin did: {@code AIX_Lead__chn} and {@code AIX_Contact__chn}, each carrying its object's
   * changes except those AIX's integration user commits (its own writes' echoes).
   */
  private void defineAixChannels() {
    for (String object : List.of("Lead", "Contact")) {
      stream.defineChannel(
          "AIX_" + object + "__chn",
          object,
          "ChangeEventHeader.commitUser != '" + INTEGRATION_USER_ID + "'");
    }
  }

  /** The org's Change Data Capture stream (Streaming API, CometD). */
  public OrgStream stream() {
    return stream;
  }

  public SandboxFaults faults() {
    return faults;
  }

  /** API calls the org has counted (as Salesforce counts them against the daily limit). */
  public long apiCalls() {
    return apiCalls.get();
  }

  /**
   * The counted API calls by kind, a method and its path with record, job and cursor ids left out
   * ({@code GET query}, {@code PATCH composite/sobjects}, {@code GET jobs/ingest/{id}}): which
   * paths a run took and what each cost.
   */
  public Map<String, Long> apiCallsByKind() {
    Map<String, Long> out = new java.util.TreeMap<>();
    callsByKind.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The calls by kind made since {@code before} (an earlier {@link #apiCallsByKind}). */
  public Map<String, Long> apiCallsByKindSince(Map<String, Long> before) {
    Map<String, Long> out = new java.util.TreeMap<>();
    apiCallsByKind()
        .forEach(
            (kind, n) -> {
              long more = n - before.getOrDefault(kind, 0L);
              if (more > 0) {
                out.put(kind, more);
              }
            });
    return out;
  }

  /** Ids (records 15 or 18 characters, jobs 750…, cursors 01g…-N) as {@code {id}}. */
  private static final Pattern ID_SEGMENT =
      Pattern.compile("(?<=/|^)(?:01g\\w+-\\d+|[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})(?=/|$)");

  static String callKind(String method, String url) {
    Matcher m = DATA_PATH.matcher(url);
    String path = m.matches() ? m.group(2) : url;
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return method + " " + ID_SEGMENT.matcher(path).replaceAll("{id}");
  }

  /** Every data API request that reached the org, including the ones a fault answered. */
  public long requests() {
    return requests.get();
  }

  /**
   * The last hundred queries' conditions, newest last, each as {@code Object: field op field op}
   * (values left out): which filters a client's queries carried.
   */
  public List<String> recentWheres() {
    synchronized (recentWheres) {
      return List.copyOf(recentWheres);
    }
  }

  private final java.util.ArrayDeque<String> recentWheres = new java.util.ArrayDeque<>();

  /** SOQL queries (query and queryAll, not their next pages) made of one object so far. */
  public long queries(String object) {
    AtomicLong n = queries.get(object);
    return n == null ? 0 : n.get();
  }

  /**
   * Record updates that changed nothing but the scored-at stamp: the same score written twice,
   * which is what a duplicate write looks like from the CRM's side.
   */
  public long redundantWrites() {
    return redundantWrites.get();
  }

  /** sObject Collections write calls so far. */
  public long writeCalls() {
    return writeCalls.get();
  }

  public void dailyApiLimit(long limit) {
    this.dailyApiLimit = limit;
  }

  /** Certificate key that JWT bearer assertions must be signed with (the connected app's cert). */
  public void trustJwtKey(java.security.PublicKey key) {
    this.jwtPublicKey = key;
  }

  /**
   * A user of the org, for the JWT bearer flow's {@code sub}: an admin pre-authorised the connected
   * app for them (a profile or permission set under "Admin approved users are pre-authorized") or
   * not. {@link #INTEGRATION_USERNAME} is there, pre-authorised, until {@link #reset()}.
   */
  public void user(String username, boolean preAuthorised) {
    users.put(username, preAuthorised);
  }

  /** Grants (or takes back) Delete on Lead and Contact to the integration user. */
  public void grantDelete(boolean granted) {
    this.deleteGranted = granted;
  }

  // ---------------------------------------------------------------- records, for seeding and tests

  /** Empties the org: records, open query cursors, counters and faults (tokens stay valid). */
  public void reset() {
    records.values().forEach(Map::clear);
    byModstamp.values().forEach(java.util.Set::clear);
    cursors.clear();
    apiCalls.set(0);
    callsByKind.clear();
    writeCalls.set(0);
    redundantWrites.set(0);
    requests.set(0);
    queries.clear();
    synchronized (recentWheres) {
      recentWheres.clear();
    }
    faults.clear();
    dailyApiLimit = 15_000;
    users.clear();
    users.put(INTEGRATION_USERNAME, true);
    deleteGranted = false;
    deleted.clear();
    stream.reset();
    defineAixChannels();
    bulk.reset();
  }

  /** Inserts a record as a user would, stamping Id, CreatedDate, SystemModstamp and the owner. */
  public String insert(String object, Map<String, Object> fields) {
    return insert(object, fields, true);
  }

  /**
   * Inserts a record that was in the org before anyone subscribed to its changes: no change event
   * is kept for it (a real org keeps events 72 hours; a benchmark seeding a million records would
   * otherwise hold a million events in memory).
   */
  public String seed(String object, Map<String, Object> fields) {
    return insert(object, fields, false, null);
  }

  /**
   * As {@link #seed(String, Map)}, last changed at {@code changedAt} (in the past: an org's records
   * were made and changed over months and years, not in the minute before a backfill).
   */
  public String seed(String object, Map<String, Object> fields, Instant changedAt) {
    return insert(object, fields, false, SF_DATETIME.format(changedAt));
  }

  private String insert(String object, Map<String, Object> fields, boolean publish) {
    return insert(object, fields, publish, null);
  }

  private String insert(
      String object, Map<String, Object> fields, boolean publish, String stampedAt) {
    SObjectSchema schema = schema(object);
    ObjectNode rec = NODES.objectNode();
    String id = schema.newId(idCounter.getAndIncrement());
    rec.put("Id", id);
    fields.forEach((k, v) -> rec.set(k, schema.stored(k, JSON.valueToTree(v))));
    String now = stampedAt != null ? stampedAt : nextModstamp();
    if (!rec.hasNonNull("CreatedDate")) {
      rec.put("CreatedDate", now);
    }
    rec.put("SystemModstamp", now);
    rec.put("LastModifiedDate", now);
    // Object Reference, "System Fields": CreatedById and LastModifiedById, the user who made the
    // record and the one who changed it last.
    rec.put("CreatedById", USER_ID);
    rec.put("LastModifiedById", USER_ID);
    rec.put("IsDeleted", false);
    if (!rec.hasNonNull("OwnerId")) {
      rec.put("OwnerId", USER_ID);
    }
    records.get(object).put(id, rec);
    byModstamp.get(object).add(new Stamped(parseDateTime(now).toEpochMilli(), id));
    if (!publish) {
      return id;
    }
    Map<String, JsonNode> values = new java.util.LinkedHashMap<>();
    rec.fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().equals("Id") && !e.getValue().isNull()) {
                values.put(e.getKey(), e.getValue());
              }
            });
    stream.publish(object, "CREATE", List.of(id), values, UI_ORIGIN, rec.path("OwnerId").asText());
    return id;
  }

  /** The change origin of a user's edit in Salesforce's own UI. */
  static final String UI_ORIGIN = "com/salesforce/api/soap/62.0;client=SfdcInternalAPI/";

  /** Updates fields as a user would (SystemModstamp moves on). */
  public void update(String object, String id, Map<String, Object> fields) {
    ObjectNode rec = record(object, id);
    SObjectSchema schema = schema(object);
    fields.forEach((k, v) -> rec.set(k, schema.stored(k, JSON.valueToTree(v))));
    touch(object, rec, USER_ID);
    Map<String, JsonNode> values = new java.util.LinkedHashMap<>();
    fields.keySet().forEach(k -> values.put(k, rec.get(k)));
    values.put("LastModifiedDate", rec.get("LastModifiedDate"));
    stream.publish(object, "UPDATE", List.of(id), values, UI_ORIGIN, USER_ID);
  }

  /** Moves a record to the recycle bin (queryAll still returns it, with IsDeleted = true). */
  public void delete(String object, String id) {
    ObjectNode rec = record(object, id);
    rec.put("IsDeleted", true);
    touch(object, rec, USER_ID);
    stream.publish(object, "DELETE", List.of(id), Map.of(), UI_ORIGIN, USER_ID);
  }

  public ObjectNode record(String object, String id) {
    ObjectNode rec = records.get(object).get(id);
    if (rec == null) {
      throw new IllegalArgumentException("no " + object + " " + id);
    }
    return rec;
  }

  public List<ObjectNode> records(String object) {
    return List.copyOf(records.get(object).values());
  }

  private void touch(String object, ObjectNode rec, String userId) {
    String now = nextModstamp();
    java.util.NavigableSet<Stamped> index = byModstamp.get(object);
    String id = rec.path("Id").asText();
    index.remove(
        new Stamped(parseDateTime(rec.path("SystemModstamp").asText()).toEpochMilli(), id));
    index.add(new Stamped(parseDateTime(now).toEpochMilli(), id));
    rec.put("SystemModstamp", now);
    rec.put("LastModifiedDate", now);
    rec.put("LastModifiedById", userId);
  }

  /**
   * Strictly increasing stamps, as Salesforce's are per record; millisecond resolution on the wire.
   */
  private String nextModstamp() {
    long nowMicros = clock.instant().toEpochMilli() * 1000;
    long stamp = lastModstampMicros.accumulateAndGet(nowMicros, (prev, now) -> Math.max(prev, now));
    return SF_DATETIME.format(Instant.ofEpochMilli(stamp / 1000));
  }

  private SObjectSchema schema(String object) {
    SObjectSchema schema = schemas.get(object);
    if (schema == null) {
      throw new IllegalArgumentException("the sandbox org has no object " + object);
    }
    return schema;
  }

  static Instant parseDateTime(String text) {
    return io.aix.lead.IsoInstant.parse(text);
  }

  // ---------------------------------------------------------------- the HTTP API

  /** Answers one HTTP request; {@code baseUrl} is this org's own URL (it is the instance URL). */
  public Reply handle(
      String method, String url, Map<String, String> headers, String body, String baseUrl) {
    if (url.startsWith("/services/oauth2/token")) {
      return token(body, baseUrl);
    }
    if (url.startsWith("/services/oauth2/revoke")) {
      // As Salesforce: 200 with an empty body, whether or not the token was still valid.
      String token = url.contains("token=") ? url.substring(url.indexOf("token=") + 6) : "";
      tokens.remove(URLDecoder.decode(token, StandardCharsets.UTF_8));
      return new Reply(200, Map.of(), "", false);
    }
    if (url.startsWith("/cometd/")) {
      String auth = headers.getOrDefault("authorization", "");
      String token =
          auth.startsWith("OAuth ") || auth.startsWith("Bearer ")
              ? auth.substring(auth.indexOf(' ') + 1)
              : "";
      if (!tokens.contains(token)) {
        return new Reply(401, Map.of(), "", false);
      }
      return stream.handle(body);
    }
    requests.incrementAndGet();
    if (faults.resetNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new Reply(0, Map.of(), "", true);
    }
    switch (faults.draw()) {
      case CONNECTION_RESET -> {
        return new Reply(0, Map.of(), "", true);
      }
      case TIMEOUT -> {
        faults.hang();
        return new Reply(0, Map.of(), "", true);
      }
      case TOO_MANY_REQUESTS -> {
        return concurrencyLimit();
      }
      case UNAVAILABLE -> {
        return error(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable.");
      }
      case NONE -> {}
    }
    if (faults.latencyMillis > 0) {
      try {
        Thread.sleep(faults.latencyMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String auth = headers.getOrDefault("authorization", "");
    if (!auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
      return error(401, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    long used = apiCalls.incrementAndGet();
    callsByKind.computeIfAbsent(callKind(method, url), k -> new AtomicLong()).incrementAndGet();
    if (used > dailyApiLimit) {
      return error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    }
    if (faults.failNextCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      // A Salesforce org never answers 429: a test asking for a rate limit gets the org's own.
      return faults.failStatus == 403 || faults.failStatus == 429
          ? concurrencyLimit()
          : error(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable.");
    }
    Matcher m = DATA_PATH.matcher(url);
    if (!m.matches()) {
      return error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    String path = m.group(2);
    String pathOnly = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    try {
      Matcher cursor = CURSOR.matcher(pathOnly);
      if (method.equals("GET") && cursor.matches()) {
        return page(cursor.group(1), Integer.parseInt(cursor.group(2)), m.group(1), headers);
      }
      if (method.equals("GET") && (pathOnly.equals("query") || pathOnly.equals("query/"))) {
        return query(param(query, "q"), false, m.group(1), headers);
      }
      if (method.equals("GET") && (pathOnly.equals("queryAll") || pathOnly.equals("queryAll/"))) {
        return query(param(query, "q"), true, m.group(1), headers);
      }
      if (method.equals("POST") && pathOnly.equals("composite/sobjects")) {
        writeCalls.incrementAndGet();
        Reply created = createCollection(body);
        // Created, but the answer is lost on the way back (a reset after the commit).
        return faults.loseAnswerOfNextCreations.getAndUpdate(n -> Math.max(0, n - 1)) > 0
            ? new Reply(0, Map.of(), "", true)
            : created;
      }
      if (method.equals("PATCH") && pathOnly.equals("composite/sobjects")) {
        writeCalls.incrementAndGet();
        Reply updated = updateCollection(body, callOptionsClient(headers));
        // Written, but the answer is lost on the way back (a reset after the commit).
        return faults.loseAnswerOfNextUpdates.getAndUpdate(n -> Math.max(0, n - 1)) > 0
            ? new Reply(0, Map.of(), "", true)
            : updated;
      }
      if (bulk.handles(pathOnly)) {
        return bulk.handle(method, pathOnly, query, body, m.group(1));
      }
      Matcher one = ONE_RECORD.matcher(pathOnly);
      if (method.equals("DELETE") && one.matches()) {
        return deleteRecord(one.group(1), one.group(2));
      }
      if (method.equals("GET") && pathOnly.matches("sobjects/\\w+/describe/?")) {
        return describe(pathOnly.split("/")[1]);
      }
      if (method.equals("GET") && pathOnly.matches("limits/?")) {
        return limits();
      }
      return error(404, "NOT_FOUND", "The requested resource does not exist");
    } catch (Soql.MalformedQueryException e) {
      return error(400, "MALFORMED_QUERY", e.getMessage());
    } catch (InvalidFieldException e) {
      return error(400, "INVALID_FIELD", e.getMessage());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return error(400, "JSON_PARSER_ERROR", "Unexpected character: " + e.getOriginalMessage());
    }
  }

  /**
   * Too many long-running requests at once. Salesforce refuses them as it refuses calls over the
   * daily limit, HTTP 403 with {@code REQUEST_LIMIT_EXCEEDED}, and only the message differs
   * (/work/shared/reference/salesforce/FACTS.md, "Error strings"; PLATFORM-FACTS.md, "Learned
   * since"). The REST API sends no 429. The daily figures in {@code Sforce-Limit-Info} still show
   * calls left.
   */
  private Reply concurrencyLimit() {
    return error(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.");
  }

  private static final class InvalidFieldException extends RuntimeException {
    InvalidFieldException(String field, String object) {
      super(
          "No such column '"
              + field
              + "' on entity '"
              + object
              + "'. If you are attempting to use a custom field, be sure to append the '__c' after"
              + " the custom field name. Please reference your WSDL or the describe call for the"
              + " appropriate names.");
    }
  }

  private Reply token(String body, String baseUrl) {
    Map<String, String> form = FormData.parse(body);
    String grant = form.getOrDefault("grant_type", "");
    boolean ok;
    switch (grant) {
      case "client_credentials" ->
          ok =
              clientId.equals(form.get("client_id"))
                  && clientSecret.equals(form.get("client_secret"));
      case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> {
        Reply refused = jwtRefusal(form.get("assertion"), baseUrl);
        if (refused != null) {
          return refused;
        }
        ok = true;
      }
      default -> {
        return json(
            400,
            obj(
                "error",
                "unsupported_grant_type",
                "error_description",
                "grant type not supported"));
      }
    }
    if (!ok) {
      return json(
          400, obj("error", "invalid_client", "error_description", "invalid client credentials"));
    }
    String token = ORG_ID + "!" + UUID.randomUUID().toString().replace("-", "");
    tokens.add(token);
    ObjectNode reply = NODES.objectNode();
    reply.put("access_token", token);
    reply.put("scope", "api");
    reply.put("instance_url", baseUrl);
    reply.put("id", baseUrl + "/id/" + ORG_ID + "/" + INTEGRATION_USER_ID);
    reply.put("token_type", "Bearer");
    reply.put("issued_at", String.valueOf(clock.millis()));
    return json(200, reply);
  }

  /** The login URLs a JWT bearer assertion's {@code aud} may name, besides the org's own URL. */
  static final Set<String> LOGIN_AUDIENCES =
      Set.of("https://login.salesforce.com", "https://test.salesforce.com");

  /**
   * Why the org refuses a JWT bearer assertion, or null when it accepts it. As Salesforce's OAuth
   * 2.0 JWT bearer flow (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for Server-to-Server
   * Integration"; read, not copied): signed with the connected app's certificate key; {@code iss}
   * the connected app's consumer key; {@code aud} the login URL, https://login.salesforce.com,
   * https://test.salesforce.com or the org's My Domain login URL (here: this org's own URL, which
   * the client logs in at); {@code sub} the username of a user the app is pre-authorised for;
   * {@code exp} not passed. Error bodies: simple-salesforce's test mocks (tests/test_login.py,
   * reference/salesforce-examples/simple-salesforce) show {@code invalid_client_id} "client
   * identifier invalid" and {@code invalid_grant} "user hasn't approved this consumer"; the
   * audience and expiry descriptions are this org's own wording under {@code invalid_grant}.
   */
  private Reply jwtRefusal(String assertion, String baseUrl) {
    if (assertion == null || jwtPublicKey == null) {
      return oauthError("invalid_client", "invalid client credentials");
    }
    String[] parts = assertion.split("\\.");
    if (parts.length != 3) {
      return oauthError("invalid_grant", "invalid assertion");
    }
    JsonNode claims;
    try {
      java.security.Signature sig = java.security.Signature.getInstance("SHA256withRSA");
      sig.initVerify(jwtPublicKey);
      sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!sig.verify(java.util.Base64.getUrlDecoder().decode(parts[2]))) {
        return oauthError("invalid_client", "invalid client credentials");
      }
      claims = JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
    } catch (Exception e) {
      return oauthError("invalid_grant", "invalid assertion");
    }
    if (!clientId.equals(claims.path("iss").asText())) {
      return oauthError("invalid_client_id", "client identifier invalid");
    }
    String audience = stripSlash(claims.path("aud").asText(""));
    if (!LOGIN_AUDIENCES.contains(audience) && !audience.equals(stripSlash(baseUrl))) {
      return oauthError("invalid_grant", "audience is invalid");
    }
    long exp;
    try {
      exp = Long.parseLong(claims.path("exp").asText(""));
    } catch (NumberFormatException e) {
      return oauthError("invalid_grant", "invalid assertion");
    }
    if (exp <= clock.millis() / 1000) {
      return oauthError("invalid_grant", "expired assertion");
    }
    Boolean preAuthorised = users.get(claims.path("sub").asText(""));
    if (preAuthorised == null || !preAuthorised) {
      // An unknown username is refused like one the app is not authorised for: stricter than
      // telling a caller which usernames exist.
      return oauthError("invalid_grant", "user hasn't approved this consumer");
    }
    return null;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private Reply oauthError(String error, String description) {
    return json(400, obj("error", error, "error_description", description));
  }

  private Reply query(String soqlText, boolean all, String version, Map<String, String> headers) {
    Soql soql = Soql.parse(soqlText);
    if (!schemas.containsKey(soql.object())) {
      return error(400, "INVALID_TYPE", "sObject type '" + soql.object() + "' is not supported.");
    }
    List<ObjectNode> matches = matching(soql, all);
    String cursorId = "01g5e" + UUID.randomUUID().toString().replace("-", "").substring(0, 13);
    synchronized (cursors) {
      while (cursors.size() >= OPEN_CURSORS) {
        cursors.entrySet().stream()
            .min(java.util.Comparator.comparingLong(e -> e.getValue().openedNanos()))
            .ifPresent(e -> cursors.remove(e.getKey()));
      }
      cursors.put(cursorId, new Cursor(soql, matches, System.nanoTime()));
    }
    return page(cursorId, 0, version, headers);
  }

  /**
   * The records a query selects, in its order (REST queries and Bulk API 2.0 query jobs alike): the
   * org's records themselves, which the caller projects to the query's fields when it answers.
   * Every field named must exist on the object.
   */
  List<ObjectNode> matching(Soql soql, boolean all) {
    queries.computeIfAbsent(soql.object(), o -> new AtomicLong()).incrementAndGet();
    synchronized (recentWheres) {
      StringBuilder where = new StringBuilder(soql.object()).append(':');
      soql.where().forEach(c -> where.append(' ').append(c.field()).append(' ').append(c.op()));
      recentWheres.addLast(where.toString());
      while (recentWheres.size() > 100) {
        recentWheres.removeFirst();
      }
    }
    SObjectSchema schema = schemas.get(soql.object());
    if (schema == null) {
      throw new Soql.MalformedQueryException(
          "sObject type '" + soql.object() + "' is not supported.");
    }
    for (String f : soql.fields()) {
      if (!schema.has(f)) {
        throw new InvalidFieldException(f, soql.object());
      }
    }
    soql.where()
        .forEach(
            c -> {
              if (!schema.has(c.field())) {
                throw new InvalidFieldException(c.field(), soql.object());
              }
            });
    soql.orderBy()
        .forEach(
            o -> {
              if (!schema.has(o.field())) {
                throw new InvalidFieldException(o.field(), soql.object());
              }
            });
    List<ObjectNode> matches = new ArrayList<>();
    for (ObjectNode rec : candidates(soql)) {
      if (!all && rec.path("IsDeleted").asBoolean()) {
        continue;
      }
      if (soql.where().stream().allMatch(c -> matches(rec, c, schema))) {
        matches.add(rec);
      }
    }
    Comparator<ObjectNode> order = null;
    for (Soql.Order o : soql.orderBy()) {
      Comparator<ObjectNode> c =
          (a, b) -> compareValues(a.get(o.field()), b.get(o.field()), schema.isDateTime(o.field()));
      c = o.descending() ? c.reversed() : c;
      order = order == null ? c : order.thenComparing(c);
    }
    if (order != null) {
      matches.sort(order);
    }
    if (soql.limit() != null && matches.size() > soql.limit()) {
      matches = new ArrayList<>(matches.subList(0, soql.limit()));
    }
    return matches;
  }

  /**
   * The records a query can match: by the primary key when its WHERE names ids (a lookup, as in a
   * real org, not a scan of a million records), else all of the object's.
   */
  private java.util.Collection<ObjectNode> candidates(Soql soql) {
    Map<String, ObjectNode> all = records.get(soql.object());
    for (Soql.Condition c : soql.where()) {
      if (!c.field().equals("Id")) {
        continue;
      }
      List<?> ids =
          c.op().equals("IN")
              ? (List<?>) c.value()
              : c.op().equals("=") ? List.of(c.value()) : null;
      if (ids != null) {
        List<ObjectNode> found = new ArrayList<>();
        for (Object id : ids) {
          ObjectNode rec = id == null ? null : all.get(id.toString());
          if (rec != null) {
            found.add(rec);
          }
        }
        return found;
      }
    }
    // A lower bound on SystemModstamp reads the index from there (the conditions are all still
    // checked on each record). A record touched during the read may move past the cursor and be
    // met twice: once is enough.
    Instant from = null;
    for (Soql.Condition c : soql.where()) {
      if (c.field().equals("SystemModstamp")
          && (c.op().equals(">") || c.op().equals(">="))
          && c.value() instanceof Instant when
          && (from == null || when.isAfter(from))) {
        from = when;
      }
    }
    if (from == null) {
      return all.values();
    }
    Map<String, ObjectNode> found = new java.util.LinkedHashMap<>();
    for (Stamped s : byModstamp.get(soql.object()).tailSet(new Stamped(from.toEpochMilli(), ""))) {
      ObjectNode rec = all.get(s.id());
      if (rec != null) {
        found.putIfAbsent(s.id(), rec);
      }
    }
    return found.values();
  }

  private Reply page(String cursorId, int offset, String version, Map<String, String> headers) {
    Cursor cursor = cursors.get(cursorId);
    if (cursor == null) {
      return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    List<ObjectNode> matches = cursor.matches();
    int batch = batchSize(headers.getOrDefault("sforce-query-options", ""));
    int end = Math.min(matches.size(), offset + batch);
    ObjectNode reply = NODES.objectNode();
    reply.put("totalSize", matches.size());
    reply.put("done", end >= matches.size());
    if (end < matches.size()) {
      reply.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + cursorId + "-" + end);
    } else {
      cursors.remove(cursorId);
    }
    ArrayNode out = reply.putArray("records");
    matches.subList(offset, end).forEach(r -> out.add(project(r, cursor.soql())));
    return json(200, reply);
  }

  private static int batchSize(String options) {
    Matcher m = Pattern.compile("batchSize=(\\d+)").matcher(options);
    int size = m.find() ? Integer.parseInt(m.group(1)) : 2000;
    return Math.max(200, Math.min(2000, size));
  }

  /** SOQL order: nulls first, numbers by value, date-times by instant, text case-insensitively. */
  private static int compareValues(JsonNode a, JsonNode b, boolean dateTime) {
    boolean aNull = a == null || a.isNull();
    boolean bNull = b == null || b.isNull();
    if (aNull || bNull) {
      return Boolean.compare(!aNull, !bNull);
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    if (dateTime) {
      return parseDateTime(a.asText()).compareTo(parseDateTime(b.asText()));
    }
    return a.asText().compareToIgnoreCase(b.asText());
  }

  private ObjectNode project(ObjectNode rec, Soql soql) {
    ObjectNode out = NODES.objectNode();
    ObjectNode attributes = out.putObject("attributes");
    attributes.put("type", soql.object());
    attributes.put(
        "url", "/services/data/v62.0/sobjects/" + soql.object() + "/" + rec.get("Id").asText());
    for (String f : soql.fields()) {
      JsonNode v = rec.get(f);
      out.set(f, v == null ? NODES.nullNode() : v.deepCopy());
    }
    return out;
  }

  private static boolean matches(ObjectNode rec, Soql.Condition c, SObjectSchema schema) {
    if (c.op().equals("IN")) {
      return ((List<?>) c.value())
          .stream().anyMatch(v -> matches(rec, new Soql.Condition(c.field(), "=", v), schema));
    }
    JsonNode v = rec.get(c.field());
    Object expected = c.value();
    if (expected == null) {
      boolean isNull = v == null || v.isNull();
      return c.op().equals("=") ? isNull : c.op().equals("!=") && !isNull;
    }
    if (v == null || v.isNull()) {
      return c.op().equals("!=");
    }
    int cmp;
    if (expected instanceof Instant when) {
      cmp = parseDateTime(v.asText()).compareTo(when);
    } else if (expected instanceof BigDecimal n) {
      cmp = v.decimalValue().compareTo(n);
    } else if (expected instanceof Boolean b) {
      cmp = Boolean.compare(v.asBoolean(), b);
    } else if (schema.isId(c.field())) {
      // Record ids compare exactly: a 15-character id is case-sensitive (SOQL and SOSL Reference,
      // "ID Field Type"). Salesforce also matches an 18-character id to its 15-character form;
      // the sandbox does not (stricter: a client must send the ids it was given).
      cmp = v.asText().compareTo(expected.toString());
    } else {
      cmp = v.asText().compareToIgnoreCase(expected.toString());
    }
    return switch (c.op()) {
      case "=" -> cmp == 0;
      case "!=" -> cmp != 0;
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      default -> cmp >= 0;
    };
  }

  /**
   * The client named in {@code Sforce-Call-Options: client=<name>}: Salesforce appends it to the
   * change origin of the change events the call causes ({@code ...;client=<name>}).
   */
  static String callOptionsClient(Map<String, String> headers) {
    String options = headers.getOrDefault("sforce-call-options", "");
    for (String part : options.split(",")) {
      String p = part.strip();
      if (p.startsWith("client=")) {
        return p.substring("client=".length());
      }
    }
    return null;
  }

  private Reply updateCollection(String body, String client)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    JsonNode request = JSON.readTree(body);
    JsonNode list = request.path("records");
    if (!list.isArray() || list.size() > 200) {
      return error(
          400,
          "INVALID_BATCH_SIZE",
          "The number of records in the request must be between 1 and 200.");
    }
    ArrayNode results = NODES.arrayNode();
    for (JsonNode item : list) {
      results.add(updateOne(item, client));
    }
    return json(200, results);
  }

  private ObjectNode updateOne(JsonNode item, String client) {
    return updateWithOrigin(
        item, "com/salesforce/api/rest/62.0" + (client == null ? "" : ";client=" + client));
  }

  /**
   * Updates one record from an sObject-shaped item and publishes its change event with the given
   * change origin; the save result as sObject Collections reports it.
   */
  ObjectNode updateWithOrigin(JsonNode item, String origin) {
    String type = item.path("attributes").path("type").asText("");
    String id = item.path("Id").asText("");
    SObjectSchema schema = schemas.get(type);
    if (schema == null) {
      return saveError(
          null, "INVALID_TYPE", "sObject type '" + type + "' is not supported.", List.of());
    }
    ObjectNode rec = records.get(type).get(id);
    if (rec == null) {
      return saveError(
          null, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
    }
    if (rec.path("IsDeleted").asBoolean()) {
      return saveError(id, "ENTITY_IS_DELETED", "entity is deleted", List.of());
    }
    if (faults.rejectWritesTo.contains(id)) {
      return saveError(
          id,
          "FIELD_CUSTOM_VALIDATION_EXCEPTION",
          "AIX score cannot be set while the lead is under review",
          List.of("AIX_Score__c"));
    }
    if (faults.lockOnceOn.remove(id)) {
      return saveError(
          id, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record", List.of());
    }
    Map<String, JsonNode> changes = new LinkedHashMap<>();
    var names = item.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (f.equals("attributes") || f.equals("Id")) {
        continue;
      }
      ObjectNode refused = fieldError(schema, f, item.get(f), id);
      if (refused != null) {
        return refused;
      }
      try {
        changes.put(f, schema.stored(f, item.get(f)));
      } catch (SObjectSchema.OutOfRangeException e) {
        return saveError(id, "NUMBER_OUTSIDE_VALID_RANGE", e.getMessage(), List.of(f));
      }
    }
    boolean redundant =
        !changes.isEmpty()
            && changes.entrySet().stream()
                .filter(e -> !e.getKey().equals("AIX_Scored_At__c"))
                .allMatch(e -> e.getValue().equals(rec.get(e.getKey())));
    if (redundant) {
      redundantWrites.incrementAndGet();
    }
    changes.forEach(rec::set);
    touch(type, rec, INTEGRATION_USER_ID);
    // AIX's own write comes back as a change event, as in a real org: only its fields changed.
    Map<String, JsonNode> values = new java.util.LinkedHashMap<>(changes);
    values.put("LastModifiedDate", rec.get("LastModifiedDate"));
    stream.publish(type, "UPDATE", List.of(id), values, origin, INTEGRATION_USER_ID);
    ObjectNode ok = NODES.objectNode();
    ok.put("id", id);
    ok.put("success", true);
    ok.putArray("errors");
    return ok;
  }

  /**
   * {@code POST composite/sobjects}: creates up to 200 records (AIX creates Tasks), one save result
   * each, in order. A Task needs Status and Priority, a WhoId of an existing Lead or Contact, and
   * an OwnerId that is a user (005...), as in a real org.
   */
  private Reply createCollection(String body)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    JsonNode request = JSON.readTree(body);
    JsonNode list = request.path("records");
    if (!list.isArray() || list.isEmpty() || list.size() > 200) {
      return error(
          400,
          "INVALID_BATCH_SIZE",
          "The number of records in the request must be between 1 and 200.");
    }
    ArrayNode results = NODES.arrayNode();
    for (JsonNode item : list) {
      results.add(createOne(item));
    }
    return json(200, results);
  }

  private ObjectNode createOne(JsonNode item) {
    String type = item.path("attributes").path("type").asText("");
    SObjectSchema schema = schemas.get(type);
    if (schema == null) {
      return saveError(
          null, "INVALID_TYPE", "sObject type '" + type + "' is not supported.", List.of());
    }
    if (item.hasNonNull("Id")) {
      return saveError(null, "INVALID_FIELD", "cannot specify Id in an insert call", List.of("Id"));
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    var names = item.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (f.equals("attributes")) {
        continue;
      }
      ObjectNode refused = fieldError(schema, f, item.get(f), null);
      if (refused != null) {
        return refused;
      }
      try {
        schema.stored(f, item.get(f));
      } catch (SObjectSchema.OutOfRangeException e) {
        return saveError(null, "NUMBER_OUTSIDE_VALID_RANGE", e.getMessage(), List.of(f));
      }
      fields.put(f, item.get(f));
    }
    for (String f : List.of("Status", "Priority")) {
      if (schema.requiredOnCreate(f) && !item.hasNonNull(f)) {
        return saveError(
            null, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f + "]", List.of(f));
      }
    }
    String who = item.path("WhoId").asText(null);
    if (who != null && findRecord(who) == null) {
      return saveError(
          null,
          "INVALID_CROSS_REFERENCE_KEY",
          "Name ID: id value of incorrect type: " + who,
          List.of("WhoId"));
    }
    String owner = item.path("OwnerId").asText(null);
    if (owner != null && !owner.startsWith("005")) {
      return saveError(
          null,
          "FIELD_INTEGRITY_EXCEPTION",
          "Assigned To ID: id value of incorrect type: " + owner,
          List.of("OwnerId"));
    }
    if (owner == null) {
      fields.put("OwnerId", INTEGRATION_USER_ID);
    }
    String id = insert(type, fields);
    ObjectNode ok = NODES.objectNode();
    ok.put("id", id);
    ok.put("success", true);
    ok.putArray("errors");
    return ok;
  }

  /** A Lead or Contact by id, or null. */
  private ObjectNode findRecord(String id) {
    for (String object : List.of("Lead", "Contact")) {
      ObjectNode rec = records.get(object).get(id);
      if (rec != null && !rec.path("IsDeleted").asBoolean()) {
        return rec;
      }
    }
    return null;
  }

  /** The Tasks linked to a Lead or Contact (WhoId), as a rep sees them on its activity list. */
  public List<ObjectNode> tasksOf(String whoId) {
    return records.get("Task").values().stream()
        .filter(t -> whoId.equals(t.path("WhoId").asText()))
        .toList();
  }

  /**
   * Why a field of a create or update is refused (unknown, not writable, too long), or null. A
   * field the request does not name stays as it is; an explicit JSON null clears it (Salesforce's
   * REST API has no {@code fieldsToNull}: that is the SOAP API's element, and a client library's
   * Java-side list, so a {@code fieldsToNull} key is an unknown field like any other). An unknown
   * name is refused with INVALID_FIELD, the code and "No such column" message of Salesforce's REST
   * errors (reference/salesforce/FACTS.md; Camel's composite_response_example_failure.json has an
   * INVALID_FIELD item); the docs do not say whether sObject Collections refuses such a record or
   * the whole call, so this org refuses the record and writes none of its fields.
   */
  private static ObjectNode fieldError(SObjectSchema schema, String f, JsonNode value, String id) {
    if (!schema.has(f)) {
      return saveError(
          id,
          "INVALID_FIELD",
          "No such column '" + f + "' on sobject of type " + schema.name(),
          List.of(f));
    }
    if (!schema.updateable(f)) {
      return saveError(
          id,
          "INVALID_FIELD_FOR_INSERT_UPDATE",
          "Unable to create/update fields: " + f + ".",
          List.of(f));
    }
    if (value.isNull() && !schema.nillable(f)) {
      return saveError(
          id, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f + "]", List.of(f));
    }
    int max = schema.length(f);
    if (max > 0 && value.isTextual() && value.asText().length() > max) {
      return saveError(
          id,
          "STRING_TOO_LONG",
          f
              + ": data value too large: "
              + value.asText().substring(0, 20)
              + "... (max length="
              + max
              + ")",
          List.of(f));
    }
    return null;
  }

  private static ObjectNode saveError(String id, String code, String message, List<String> fields) {
    ObjectNode r = NODES.objectNode();
    if (id != null) {
      r.put("id", id);
    }
    r.put("success", false);
    ObjectNode e = r.putArray("errors").addObject();
    e.put("statusCode", code);
    e.put("message", message);
    ArrayNode fs = e.putArray("fields");
    fields.forEach(fs::add);
    return r;
  }

  /**
   * An admin deleted the field or hid it from the integration user: describe leaves it out and a
   * query naming it fails with INVALID_FIELD.
   */
  public void hideField(String object, String field) {
    SObjectSchema schema = schemas.get(object);
    if (schema == null || !schema.has(field)) {
      throw new IllegalArgumentException("the sandbox org has no field " + object + "." + field);
    }
    schema.remove(field);
  }

  private Reply describe(String object) {
    SObjectSchema schema = schemas.get(object);
    if (schema == null) {
      return error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    boolean person = object.equals("Lead") || object.equals("Contact");
    return json(200, schema.describe(person && deleteGranted));
  }

  private Reply limits() {
    ObjectNode reply = NODES.objectNode();
    ObjectNode daily = reply.putObject("DailyApiRequests");
    daily.put("Max", dailyApiLimit);
    daily.put("Remaining", Math.max(0, dailyApiLimit - apiCalls.get()));
    return json(200, reply);
  }

  private static final Pattern ONE_RECORD = Pattern.compile("sobjects/(\\w+)/(\\w{15,18})");

  /** {@code DELETE /sobjects/{object}/{id}}: to the recycle bin, 204; 404 when absent or gone. */
  private Reply deleteRecord(String object, String id) {
    Map<String, ObjectNode> ofObject = records.get(object);
    if (ofObject == null) {
      return error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    ObjectNode rec = ofObject.get(id);
    if (rec == null) {
      return error(
          404,
          "NOT_FOUND",
          "Provided external ID field does not exist or is not accessible: " + id);
    }
    if (rec.path("IsDeleted").asBoolean()) {
      return error(404, "ENTITY_IS_DELETED", "entity is deleted");
    }
    if (!deleteGranted) {
      // Delete is an object permission the install kit's AIX_Integration permission set withholds
      // (crm-profiles/install/salesforce). Salesforce refuses a delete without it with
      // INSUFFICIENT_ACCESS_OR_READONLY; no open source shows the REST status for it, so this org
      // answers 403, the REST API's status for a refusal by permissions (AIX treats either
      // 400 or 403 with this code as permanent).
      return error(
          403, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id");
    }
    writeCalls.incrementAndGet();
    deleted.add(object + "/" + id);
    delete(object, id);
    return new Reply(
        204,
        Map.of("Sforce-Limit-Info", "api-usage=" + apiCalls.get() + "/" + dailyApiLimit),
        "",
        false);
  }

  /** Records deleted through the API, as {@code Object/Id}. */
  public List<String> deletedByApi() {
    return List.copyOf(deleted);
  }

  private final List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Reply error(int status, String code, String message) {
    ArrayNode body = NODES.arrayNode();
    ObjectNode e = body.addObject();
    e.put("message", message);
    e.put("errorCode", code);
    return json(status, body);
  }

  /** The {@code Sforce-Limit-Info} value of a reply: the org's daily API usage. */
  String limitInfo() {
    return "api-usage=" + apiCalls.get() + "/" + dailyApiLimit;
  }

  boolean hasObject(String object) {
    return schemas.containsKey(object);
  }

  boolean hasField(String object, String field) {
    return schemas.containsKey(object) && schemas.get(object).has(field);
  }

  /**
   * A CSV value as the JSON value of the field's type (number fields as numbers, if they parse).
   */
  JsonNode csvValue(String object, String field, String value) {
    SObjectSchema.Field f = schemas.get(object).field(field);
    if (f != null && (f.decimal() || f.type().equals("int") || f.type().equals("double"))) {
      try {
        return NODES.numberNode(new BigDecimal(value));
      } catch (NumberFormatException e) {
        return NODES.textNode(value);
      }
    }
    if (f != null && f.type().equals("boolean")) {
      return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")
          ? NODES.booleanNode(Boolean.parseBoolean(value))
          : NODES.textNode(value);
    }
    return NODES.textNode(value);
  }

  /** Bulk API 2.0 jobs created so far, by kind ({@code ingest}, {@code query}). */
  public long bulkJobs(String kind) {
    return bulk.jobsCreated(kind);
  }

  /** Holds Bulk API 2.0 jobs where they are until released (tests act while a job runs). */
  public void holdBulkJobs(boolean hold) {
    bulk.hold(hold);
  }

  /** How long Bulk API 2.0 jobs take: a fixed start, then this much per 10,000 records. */
  public void bulkTiming(java.time.Duration start, java.time.Duration per10k) {
    bulk.timing(start, per10k);
  }

  private Reply json(int status, JsonNode body) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Content-Type", "application/json;charset=UTF-8");
    headers.put("Sforce-Limit-Info", limitInfo());
    return new Reply(status, headers, body.toString(), false);
  }

  private static ObjectNode obj(String... kv) {
    ObjectNode o = NODES.objectNode();
    for (int i = 0; i < kv.length; i += 2) {
      o.put(kv[i], kv[i + 1]);
    }
    return o;
  }

  private static String param(String query, String name) {
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    throw new Soql.MalformedQueryException("missing query parameter '" + name + "'");
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
