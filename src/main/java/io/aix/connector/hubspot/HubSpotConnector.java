package io.aix.connector.hubspot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.connector.ApiBudget;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.HotLeadTask;
import io.aix.connector.InstallFinding;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.connector.hubspot.HubSpotApi.Association;
import io.aix.connector.hubspot.HubSpotApi.AssociationTarget;
import io.aix.connector.hubspot.HubSpotApi.AssociationType;
import io.aix.connector.hubspot.HubSpotApi.BatchError;
import io.aix.connector.hubspot.HubSpotApi.BatchInputs;
import io.aix.connector.hubspot.HubSpotApi.BatchResponse;
import io.aix.connector.hubspot.HubSpotApi.CreateInput;
import io.aix.connector.hubspot.HubSpotApi.ErrorBody;
import io.aix.connector.hubspot.HubSpotApi.Filter;
import io.aix.connector.hubspot.HubSpotApi.FilterGroup;
import io.aix.connector.hubspot.HubSpotApi.HsObject;
import io.aix.connector.hubspot.HubSpotApi.SearchRequest;
import io.aix.connector.hubspot.HubSpotApi.SearchResponse;
import io.aix.connector.hubspot.HubSpotApi.Sort;
import io.aix.connector.hubspot.HubSpotApi.UpdateInput;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.aix.mapping.MappingProfile;
import io.aix.profile.CrmProfile;
import io.aix.scoring.ScoreResult;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * HubSpot through its CRM v3 APIs (there is no Camel HubSpot component).
 *
 * <h2>Polling: a bounded window, walked by keys</h2>
 *
 * HubSpot's search returns at most 200 records a page and 10,000 a query (asking for more is a
 * 400), and its results are live: a record updated while a client pages with {@code after} moves to
 * the end and shifts every later page, so offset paging skips records. AIX therefore never pages
 * with {@code after}. A poll is a chain of one-page queries over a window fixed when the cycle
 * starts, {@code [watermark - overlap, cycle start)}, carried in the page token:
 *
 * <ul>
 *   <li>{@code t|<fromMillis>|<untilMillis>}: {@code from <= lastmodifieddate < until}, sorted by
 *       it. The next query starts at the last stamp of the page; records at that stamp that were
 *       read already are dropped by the caller's change-key de-duplication.
 *   <li>{@code i|<millis>|<afterId>|<untilMillis>}: when a whole page shares one stamp (a bulk
 *       import), that millisecond is walked by {@code hs_object_id}, then the chain carries on at
 *       the next millisecond.
 * </ul>
 *
 * No query ever reaches the 10,000 cap, AIX's own writes (which move records past {@code until})
 * are left to the next cycle, and no record is skipped or processed twice however large the
 * backlog.
 *
 * <h2>At scale: exports in, imports out</h2>
 *
 * A window holding more than {@code limits.bulkAbove} contacts (a backfill, a long outage) is read
 * through one CRM export instead of the search chain, and the scores of such bulk-read contacts go
 * out through one CRM import (update by record id) instead of batch updates: per million contacts
 * about 80 calls each way instead of 5,000 searches and 10,000 batch updates (see {@link
 * HubSpotBulk}; figures in HubSpotMassPathsTest). The import's property changes come back like any
 * other write: as webhook events of {@code aix_*} properties, dropped by the webhook resource, and
 * through the next poll's window (their {@code lastmodifieddate} moved), where the mapped fields'
 * hash is unchanged, so nothing is scored or written again.
 */
public final class HubSpotConnector implements CrmConnector, io.aix.connector.BulkScoreWrites {
  private static final Logger LOG = Logger.getLogger(HubSpotConnector.class);

  /** HubSpot's caps: search pages, search results per query, batch inputs. */
  static final int SEARCH_PAGE_MAX = 200;

  static final int BATCH_MAX = 100;

  /** v4 association reads: HubSpot's largest (and default) page. */
  static final int ASSOCIATION_PAGE = 500;

  /** The HubSpot-defined association type of task -> contact. */
  static final int TASK_TO_CONTACT = 204;

  static final String GROUP = "aix";
  private static final String MODIFIED = "lastmodifieddate";
  private static final String OBJECT_ID = "hs_object_id";

  private final CrmProfile profile;
  private final HubSpotApi api;
  private final HubSpotAuth auth;
  private final Clock clock;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicLong calls = new AtomicLong();
  private final RateGovernor governor;
  private final ApiBudget budget;
  private volatile boolean installed;

  HubSpotConnector(
      CrmProfile profile, HubSpotApi api, HubSpotAuth auth, Clock clock, ApiBudget budget) {
    this.profile = profile;
    this.budget = budget;
    this.api = api;
    this.auth = auth;
    this.clock = clock;
    this.governor = new RateGovernor(clock);
    this.bulk =
        new HubSpotBulk(
            profile.id(),
            api,
            new HubSpotBulk.Calls() {
              @Override
              public Response raw(Supplier<Response> request) {
                return HubSpotConnector.this.raw(request);
              }

              @Override
              public CrmCallException failure(Response response) {
                return HubSpotConnector.this.failure(response);
              }

              @Override
              public void count() {
                calls.incrementAndGet();
              }
            });
  }

  private final HubSpotBulk bulk;

  /**
   * The shortest window read through an export. HubSpot allows 30 exports a rolling day, one at a
   * time (exports guide, Limits), so they are kept for backfills (a window from the beginning),
   * catch-ups after an hour or more, and otherwise one an hour at most. A regular cycle's window
   * (the last interval plus the overlap) that holds many records holds AIX's own mass writes coming
   * back: within the hour of an export the paced search reads them (nothing is scored or written
   * again), spending no export.
   */
  static final java.time.Duration EXPORT_MIN_WINDOW = java.time.Duration.ofHours(1);

  /**
   * When this connector last started an export: a short window is read by export only an hour or
   * more after that (at most 24 a day), since a million contacts' import coming back would cost
   * 5,000 searches, and a small one's is cheaper searched than exported.
   */
  private volatile long lastExport = Long.MIN_VALUE / 2;

  /** How long one poll call waits for a running export before it returns an empty page. */
  static final java.time.Duration EXPORT_WAIT = java.time.Duration.ofSeconds(10);

  // ---------------------------------------------------------------------- mass writes (imports)

  /**
   * Mass writebacks go through HubSpot's Imports API: one CSV file of up to 1,048,576 rows, a few
   * status looks and a page of errors per 500 failed rows, instead of one batch update per 100
   * records (10,000 calls per million, all in the ten-secondly bucket). See {@link HubSpotBulk}.
   */
  @Override
  public Map<String, Object> bulkRow(String object, ScoreWrite write) {
    return new LinkedHashMap<>(values(write.score()));
  }

  @Override
  public String startJob(String object, List<String> columns, List<BulkRow> rows) {
    install(object);
    return bulk.startImport(object, columns, rows);
  }

  @Override
  public int maxRowsPerWrite() {
    return maxWriteBatch();
  }

  /** A batch update of rows as {@link #bulkRow} made them (property values as text). */
  @Override
  public List<WriteOutcome> writeRows(String object, List<BulkRow> rows) {
    if (rows.size() > maxWriteBatch()) {
      throw new IllegalArgumentException(
          rows.size() + " records in one batch; HubSpot takes " + maxWriteBatch());
    }
    install(object);
    List<UpdateInput> inputs = new ArrayList<>(rows.size());
    for (BulkRow r : rows) {
      Map<String, String> properties = new LinkedHashMap<>();
      r.values().forEach((k, v) -> properties.put(k, v == null ? "" : String.valueOf(v)));
      inputs.add(new UpdateInput(r.crmId(), properties));
    }
    Map<String, WriteOutcome> outcomes = new HashMap<>();
    update(object, inputs, outcomes, new boolean[] {true});
    return rows.stream().map(r -> outcomes.get(r.crmId())).toList();
  }

  @Override
  public JobState job(String jobId) {
    return bulk.importState(jobId);
  }

  @Override
  public Results results(String jobId, JobState state) {
    return bulk.importResults(jobId);
  }

  @Override
  public CrmProfile profile() {
    return profile;
  }

  @Override
  public int maxWriteBatch() {
    return Math.min(BATCH_MAX, profile.writeback().batchSize());
  }

  @Override
  public ApiUsage apiUsage() {
    return new ApiUsage(calls.get() + auth.calls(), governor.dailyUsed(), governor.dailyLimit());
  }

  // ---------------------------------------------------------------------------------- polling

  @Override
  public PollPage poll(String object, MappingProfile mapping, Offset since, String pageToken) {
    CrmProfile.ObjectSync sync =
        profile
            .object(object)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "profile " + profile.id() + " does not sync " + object));
    if (HubSpotBulk.isExportToken(pageToken)) {
      return bulk.next(object, pageToken, EXPORT_WAIT);
    }
    int limit = Math.min(SEARCH_PAGE_MAX, sync.pageSize());
    Cursor cursor =
        pageToken != null
            ? Cursor.decode(pageToken)
            : new Cursor(
                'T',
                Math.max(
                    0,
                    ((Offset.Watermark) since).modifiedAt().minus(sync.overlap()).toEpochMilli()),
                "",
                clock.millis());
    List<String> properties = properties(mapping);
    SearchRequest request = cursor.request(properties, limit);
    SearchResponse body = call(() -> api.search(object, request), SearchResponse.class, true);
    if (pageToken == null
        && object.equals("contacts")
        && body.total() != null
        && body.total() > profile.limits().bulkAbove()
        && (cursor.until() - cursor.millis() >= EXPORT_MIN_WINDOW.toMillis()
            || clock.millis() - lastExport >= EXPORT_MIN_WINDOW.toMillis())) {
      lastExport = clock.millis();
      // A backfill or a long catch-up: one export of the window in one file, read in pages of
      // 10,000, instead of a search call per 200 records at five a second. This first page is
      // dropped; the export holds the same records. An export names only properties that exist
      // (the mapping reads AIX's own aix_feedback): AIX's properties are installed first.
      install(object);
      return bulk.startExport(properties, cursor.millis(), cursor.until());
    }
    List<CrmRecord> records = new ArrayList<>();
    for (HsObject o : body.results()) {
      records.add(record(object, o));
    }
    String next = next(cursor, records, limit);
    // At the window's end the offset goes to the window's end (the cycle's start), not only to
    // the newest stamp seen: the next cycle reads from there less the overlap, the last interval
    // plus the overlap, as it meant to. From the newest stamp, a cycle without newer changes read
    // the same window again, every cycle: after an import of 200,000 contacts (the scale bench)
    // the poll searched the import's last two minutes, 110,000 contacts, every 15 s, without end.
    Offset after =
        next == null ? new Offset.Watermark(Instant.ofEpochMilli(cursor.until()), "") : null;
    return new PollPage(List.copyOf(records), next, true, after);
  }

  /** Where the chain of queries goes after this page; null when the window is done. */
  static String next(Cursor cursor, List<CrmRecord> records, int limit) {
    if (records.size() < limit) {
      // The query is exhausted: the window is done, or the walked millisecond is.
      return cursor.mode() == 'I' && cursor.millis() + 1 < cursor.until()
          ? new Cursor('T', cursor.millis() + 1, "", cursor.until()).encode()
          : null;
    }
    CrmRecord last = records.get(records.size() - 1);
    if (cursor.mode() == 'I') {
      return new Cursor('I', cursor.millis(), last.key().crmId(), cursor.until()).encode();
    }
    long lastStamp = last.modifiedAt().toEpochMilli();
    if (lastStamp > cursor.millis()) {
      return new Cursor('T', lastStamp, "", cursor.until()).encode();
    }
    // A full page in one millisecond: walk it by id.
    return new Cursor('I', cursor.millis(), "0", cursor.until()).encode();
  }

  /**
   * One step of the query chain.
   *
   * @param mode {@code T}: stamps from {@code millis}; {@code I}: stamps equal to {@code millis},
   *     ids after {@code afterId}
   * @param until the window's exclusive end, fixed when the cycle started
   */
  record Cursor(char mode, long millis, String afterId, long until) {
    String encode() {
      return mode == 'T'
          ? "t|" + millis + "|" + until
          : "i|" + millis + "|" + afterId + "|" + until;
    }

    static Cursor decode(String token) {
      String[] parts = token.split("\\|");
      try {
        if (parts[0].equals("t") && parts.length == 3) {
          return new Cursor('T', Long.parseLong(parts[1]), "", Long.parseLong(parts[2]));
        }
        if (parts[0].equals("i") && parts.length == 4) {
          return new Cursor('I', Long.parseLong(parts[1]), parts[2], Long.parseLong(parts[3]));
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException("malformed HubSpot page token: " + token);
    }

    SearchRequest request(List<String> properties, int limit) {
      Filter before = new Filter(MODIFIED, "LT", String.valueOf(until));
      if (mode == 'T') {
        return new SearchRequest(
            List.of(
                new FilterGroup(
                    List.of(new Filter(MODIFIED, "GTE", String.valueOf(millis)), before))),
            List.of(new Sort(MODIFIED, "ASCENDING")),
            properties,
            limit,
            null);
      }
      return new SearchRequest(
          List.of(
              new FilterGroup(
                  List.of(
                      new Filter(MODIFIED, "EQ", String.valueOf(millis)),
                      new Filter(OBJECT_ID, "GT", afterId)))),
          List.of(new Sort(OBJECT_ID, "ASCENDING")),
          properties,
          limit,
          null);
    }
  }

  private static List<String> properties(MappingProfile mapping) {
    Set<String> names = new LinkedHashSet<>(List.of(OBJECT_ID, MODIFIED));
    names.addAll(mapping.crmFields());
    return List.copyOf(names);
  }

  private CrmRecord record(String object, HsObject o) {
    ObjectNode fields = JSON.createObjectNode();
    fields.put("id", o.id());
    if (o.properties() != null) {
      o.properties().forEach(fields::put);
    }
    String stamp =
        o.properties() != null && o.properties().get(MODIFIED) != null
            ? o.properties().get(MODIFIED)
            : o.updatedAt();
    return new CrmRecord(
        new LeadKey(profile.id(), object, o.id()),
        parseStamp(stamp),
        Boolean.TRUE.equals(o.archived()),
        fields);
  }

  /** HubSpot writes stamps as ISO-8601 instants, or as epoch milliseconds in older payloads. */
  static Instant parseStamp(String value) {
    if (value == null || value.isBlank()) {
      return Instant.EPOCH;
    }
    // Once per contact read: no stream, and ISO-8601 through IsoInstant's fast path.
    for (int i = 0; i < value.length(); i++) {
      if (!Character.isDigit(value.charAt(i))) {
        return io.aix.lead.IsoInstant.parse(value);
      }
    }
    return Instant.ofEpochMilli(Long.parseLong(value));
  }

  @Override
  public List<CrmRecord> read(String object, MappingProfile mapping, List<String> ids) {
    return batchRead(object, properties(mapping), ids).stream()
        .map(o -> record(object, o))
        .toList();
  }

  /** Reads objects by id with these properties, 100 a call; ids that do not exist are absent. */
  private List<HsObject> batchRead(String objectType, List<String> props, List<String> ids) {
    List<HsObject> objects = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += BATCH_MAX) {
      List<HubSpotApi.IdInput> inputs =
          ids.subList(from, Math.min(ids.size(), from + BATCH_MAX)).stream()
              .map(HubSpotApi.IdInput::new)
              .toList();
      BatchResponse body =
          call(
              () -> api.batchRead(objectType, new HubSpotApi.BatchReadRequest(props, inputs)),
              BatchResponse.class);
      objects.addAll(body.results());
    }
    return objects;
  }

  @Override
  public Set<String> showing(String object, List<ScoreWrite> writes) {
    if (writes.isEmpty()) {
      return Set.of();
    }
    List<String> props =
        values(writes.get(0).score()).keySet().stream()
            .filter(p -> !p.equals("aix_scored_at"))
            .toList();
    Map<String, Map<String, String>> shown = new HashMap<>();
    for (HsObject o : batchRead(object, props, writes.stream().map(ScoreWrite::crmId).toList())) {
      shown.put(o.id(), o.properties() == null ? Map.of() : o.properties());
    }
    Set<String> same = new java.util.HashSet<>();
    for (ScoreWrite w : writes) {
      Map<String, String> crm = shown.get(w.crmId());
      if (crm != null
          && values(w.score()).entrySet().stream()
              .filter(e -> !e.getKey().equals("aix_scored_at"))
              .allMatch(e -> sameValue(e.getValue(), crm.get(e.getKey())))) {
        same.add(w.crmId());
      }
    }
    return same;
  }

  /** HubSpot hands numbers back as it normalised them ("40" for "40.0"): compare as numbers. */
  static boolean sameValue(String written, String shown) {
    if ((written == null || written.isEmpty()) && (shown == null || shown.isEmpty())) {
      return true; // HubSpot keeps a cleared property as empty, or leaves it out
    }
    if (written == null || shown == null) {
      return written == shown;
    }
    if (written.equals(shown)) {
      return true;
    }
    try {
      return new BigDecimal(written).compareTo(new BigDecimal(shown)) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------- writing

  @Override
  public List<WriteOutcome> writeScores(String object, List<ScoreWrite> writes) {
    if (writes.size() > maxWriteBatch()) {
      throw new IllegalArgumentException(
          writes.size() + " records in one batch; HubSpot takes " + maxWriteBatch());
    }
    install(object);
    List<UpdateInput> inputs =
        writes.stream().map(w -> new UpdateInput(w.crmId(), values(w.score()))).toList();
    Map<String, WriteOutcome> outcomes = new HashMap<>();
    update(object, inputs, outcomes, new boolean[] {true});
    return writes.stream().map(w -> outcomes.get(w.crmId())).toList();
  }

  /**
   * One batch update, and what HubSpot's answer makes of it. HubSpot's spec (CRM/Contacts v3,
   * batch/update) promises 200 or 207 with {@code errors[]}; in practice a batch carrying an
   * invalid property value (an option the enumeration lacks, text for a number, a property that no
   * longer exists) is refused whole with a 400 {@code VALIDATION_ERROR} "Property values were not
   * valid: [...]" that names the property but not the record. Such a batch is never sent again
   * unchanged: a missing {@code aix_*} property is installed again (once per write), and otherwise
   * the batch is split (by value, or in halves: {@link InvalidValues#partition}) until each refused
   * part is one input, or inputs that all carry the same values of the named properties (they are
   * refused alike); those fail for good with HubSpot's message, the rest are written.
   *
   * @param mayReinstall one flag shared by the halves of one write: the properties are installed
   *     again at most once
   */
  private void update(
      String object,
      List<UpdateInput> inputs,
      Map<String, WriteOutcome> outcomes,
      boolean[] mayReinstall) {
    Response response = raw(() -> api.batchUpdate(object, new BatchInputs<>(inputs)));
    int status = response.getStatus();
    if (status == 200 || status == 207) {
      BatchResponse body = response.readEntity(BatchResponse.class);
      if (mayReinstall[0] && propertiesMissing(body)) {
        reinstall(object, mayReinstall);
        update(object, inputs, outcomes, mayReinstall);
        return;
      }
      for (WriteOutcome o : outcomes(inputs.stream().map(UpdateInput::id).toList(), body)) {
        outcomes.put(o.crmId(), o);
      }
      return;
    }
    ErrorBody error = status == 400 ? errorBody(response) : null;
    InvalidValues invalid = error == null ? null : InvalidValues.of(error);
    if (invalid == null) {
      throw failure(status, error != null ? error : errorBody(response));
    }
    if (invalid.missingAixProperty()) {
      if (!mayReinstall[0]) {
        // Created a moment ago and still refused: HubSpot has not caught up; try again later.
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.RETRIABLE,
                "PROPERTY_DOESNT_EXIST",
                "AIX's properties "
                    + invalid.properties()
                    + " are missing just after creating them"),
            null);
      }
      reinstall(object, mayReinstall);
      update(object, inputs, outcomes, mayReinstall);
      return;
    }
    List<List<UpdateInput>> parts = invalid.partition(inputs);
    if (inputs.size() == 1 || parts.size() == 1) {
      CrmFailure refused =
          new CrmFailure(
              CrmFailure.Kind.PERMANENT,
              error.category() == null ? "VALIDATION_ERROR" : error.category(),
              error.message());
      LOG.warnf(
          "%s: HubSpot refused %d input(s) for invalid values of %s: %s",
          profile.id(), inputs.size(), invalid.properties(), error.message());
      inputs.forEach(i -> outcomes.put(i.id(), new WriteOutcome.Failed(i.id(), refused)));
      return;
    }
    for (List<UpdateInput> part : parts) {
      try {
        update(object, part, outcomes, mayReinstall);
      } catch (CrmCallException e) {
        // This part's call failed (a 429, a reset): its inputs fail with it, and the parts
        // written or refused already keep their outcomes.
        part.forEach(i -> outcomes.put(i.id(), new WriteOutcome.Failed(i.id(), e.failure())));
      }
    }
  }

  private void reinstall(String object, boolean[] mayReinstall) {
    // An admin deleted AIX's properties since they were installed: put them back, write again.
    LOG.warnf("%s: AIX properties are missing in HubSpot; installing them again", profile.id());
    mayReinstall[0] = false;
    synchronized (this) {
      installed = false;
    }
    install(object);
  }

  /**
   * The properties a 400 "Property values were not valid: [...]" names. HubSpot puts a JSON array
   * of {@code {isValid, message, error, name}} in the message; the spec's Error schema also allows
   * {@code errors[]} whose {@code context.propertyName} names them. Either is read.
   */
  record InvalidValues(Set<String> properties, Set<String> codes) {
    static final String PREFIX = "Property values were not valid";

    static InvalidValues of(ErrorBody body) {
      if (body.message() == null || !body.message().startsWith(PREFIX)) {
        return null;
      }
      Set<String> names = new LinkedHashSet<>();
      Set<String> codes = new LinkedHashSet<>();
      int open = body.message().indexOf('[');
      if (open >= 0) {
        try {
          for (com.fasterxml.jackson.databind.JsonNode e :
              JSON.readTree(body.message().substring(open))) {
            if (e.hasNonNull("name")) {
              names.add(e.path("name").asText());
            }
            if (e.hasNonNull("error")) {
              codes.add(e.path("error").asText());
            }
          }
        } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
          // The array is HubSpot's prose, not a promise: without names the batch is halved.
        }
      }
      if (body.errors() != null) {
        for (HubSpotApi.ErrorDetail d : body.errors()) {
          if (d.context() != null) {
            d.context().path("propertyName").forEach(n -> names.add(n.asText()));
          }
          if (d.code() != null) {
            codes.add(d.code());
          }
        }
      }
      return new InvalidValues(names, codes);
    }

    boolean missingAixProperty() {
      return codes().contains("PROPERTY_DOESNT_EXIST")
          && properties().stream().anyMatch(p -> p.startsWith("aix_"));
    }

    /** Up to this many distinct values of the named properties, a batch is split by value. */
    static final int VALUE_GROUPS = 8;

    /**
     * How to split a refused batch. HubSpot judges a property value by the property's type and
     * options, not by the record: inputs that carry the same values of the named properties are
     * refused alike. So when they carry few distinct values, the batch is split by value (one group
     * says whether its value is refused: one call each, however many records); otherwise, or when
     * HubSpot named no property, it is halved. One part means the inputs all carry the same values
     * and were refused for them.
     */
    List<List<UpdateInput>> partition(List<UpdateInput> inputs) {
      if (!properties.isEmpty()) {
        Map<List<String>, List<UpdateInput>> byValue = new LinkedHashMap<>();
        for (UpdateInput i : inputs) {
          List<String> key =
              properties.stream().map(p -> String.valueOf(i.properties().get(p))).toList();
          byValue.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        if (byValue.size() <= VALUE_GROUPS) {
          return List.copyOf(byValue.values());
        }
      }
      int half = inputs.size() / 2;
      return List.of(inputs.subList(0, half), inputs.subList(half, inputs.size()));
    }
  }

  private static boolean propertiesMissing(BatchResponse body) {
    return body.errors() != null
        && body.errors().stream()
            .anyMatch(e -> e.message() != null && e.message().contains("PROPERTY_DOESNT_EXIST"));
  }

  /** One outcome per id, in input order: failed where a 207 error names the id. */
  static List<WriteOutcome> outcomes(List<String> ids, BatchResponse body) {
    Map<String, CrmFailure> failures = new HashMap<>();
    if (body.errors() != null) {
      for (BatchError error : body.errors()) {
        List<String> named =
            error.context() == null ? List.of() : error.context().getOrDefault("ids", List.of());
        for (String id : named) {
          failures.put(id, HubSpotErrors.recordError(error));
        }
      }
    }
    List<WriteOutcome> outcomes = new ArrayList<>(ids.size());
    for (String id : ids) {
      CrmFailure f = failures.get(id);
      outcomes.add(f == null ? new WriteOutcome.Written(id) : new WriteOutcome.Failed(id, f));
    }
    return outcomes;
  }

  /** The {@code aix_*} property values, as HubSpot's API takes them: strings. */
  @Override
  public Map<String, Object> previewWrite(String object, io.aix.connector.ScoreWrite write) {
    return new LinkedHashMap<>(values(write.score()));
  }

  Map<String, String> values(ScoreResult s) {
    List<String> enabled = profile.writeback().fields();
    Map<String, String> v = new LinkedHashMap<>();
    put(v, enabled, "aix_score", String.valueOf(s.score()));
    put(v, enabled, "aix_grade", s.grade());
    put(
        v,
        enabled,
        "aix_conversion_probability",
        BigDecimal.valueOf(s.probability() * 100)
            .setScale(1, RoundingMode.HALF_UP)
            .toPlainString());
    put(v, enabled, "aix_fit_score", String.valueOf(s.fit()));
    put(v, enabled, "aix_engagement_score", String.valueOf(s.engagement()));
    put(v, enabled, "aix_top_factors", s.topFactors());
    put(v, enabled, "aix_scored_at", s.scoredAt().truncatedTo(ChronoUnit.MILLIS).toString());
    put(v, enabled, "aix_model_version", s.modelVersion());
    put(v, enabled, "aix_signals", s.signals());
    return v;
  }

  private static void put(Map<String, String> v, List<String> enabled, String name, String value) {
    if (enabled.contains(name)) {
      v.put(name, value);
    }
  }

  /**
   * Creates the {@code aix} property group and any missing {@code aix_*} property, once per run.
   * Safe to repeat: existing ones are left alone, so an admin's label edits survive.
   */
  synchronized void install(String object) {
    if (installed) {
      return;
    }
    // Create, and take "already exists" (409) as success: one call either way.
    Response group =
        raw(
            () ->
                api.createPropertyGroup(
                    object, new HubSpotApi.PropertyGroup(GROUP, "AIX lead scoring", -1)));
    if (group.getStatus() != 201 && group.getStatus() != 200 && group.getStatus() != 409) {
      throw failure(group);
    }
    HubSpotApi.PropertyList existing =
        call(() -> api.properties(object), HubSpotApi.PropertyList.class);
    Set<String> have = new java.util.HashSet<>();
    existing.results().forEach(p -> have.add(p.name()));
    List<HubSpotApi.PropertyDefinition> missing =
        HubSpotProperties.definitions().stream().filter(p -> !have.contains(p.name())).toList();
    if (!missing.isEmpty()) {
      LOG.infof(
          "%s: creating HubSpot properties %s",
          profile.id(), missing.stream().map(HubSpotApi.PropertyDefinition::name).toList());
      call(() -> api.createProperties(object, new BatchInputs<>(missing)), BatchResponse.class);
    }
    installed = true;
  }

  /** The scopes AIX uses: read and write contacts (and their tasks), read and create properties. */
  static final List<String> SCOPES =
      List.of(
          "crm.objects.contacts.read",
          "crm.objects.contacts.write",
          "crm.schemas.contacts.read",
          "crm.schemas.contacts.write");

  @Override
  public List<InstallFinding> checkInstall(Map<String, MappingProfile> mappings) {
    List<InstallFinding> out = new ArrayList<>();
    // An OAuth token is introspected by POST (OAuth v3), so it never travels in a URL.
    Response info =
        auth.isPrivateApp()
            ? raw(() -> api.privateAppTokenInfo(Map.of("tokenKey", auth.bearer())))
            : raw(
                () -> {
                  CrmProfile.Auth.OAuthRefresh oauth =
                      (CrmProfile.Auth.OAuthRefresh) profile.connection().auth();
                  return api.introspect(
                      oauth.clientId().resolve(),
                      oauth.clientSecret().resolve(),
                      auth.bearer(),
                      "access_token");
                });
    com.fasterxml.jackson.databind.JsonNode token =
        info.getStatus() == 200
            ? info.readEntity(com.fasterxml.jackson.databind.JsonNode.class)
            : null;
    Set<String> granted = new java.util.HashSet<>();
    if (token != null && (auth.isPrivateApp() || token.path("active").asBoolean(false))) {
      token.path("scopes").forEach(s -> granted.add(s.asText()));
      out.add(portalFinding(token.path(auth.isPrivateApp() ? "hubId" : "hub_id").asLong(0)));
      for (String scope : SCOPES) {
        out.add(
            granted.contains(scope)
                ? InstallFinding.ok("scope " + scope, "granted")
                : InstallFinding.missing(
                    "scope " + scope,
                    "not granted to the app",
                    "add the scope in the app's settings (Scopes tab), then"
                        + (auth.isPrivateApp()
                            ? " use the new token"
                            : " install it again (./aix install hubspot --profile "
                                + profile.id()
                                + ") for a refresh token with it")));
      }
    } else {
      out.add(
          InstallFinding.missing(
              "token",
              "HubSpot does not know the token ("
                  + (info.getStatus() == 200 ? "not active" : String.valueOf(info.getStatus()))
                  + ")",
              "check the token (private app) or the client id, secret and refresh token (OAuth)"));
    }
    out.addAll(subscriptionFindings(mappings));
    for (CrmProfile.ObjectSync sync : profile.objects()) {
      String object = sync.name();
      Set<String> have = new java.util.HashSet<>();
      try {
        call(() -> api.properties(object), HubSpotApi.PropertyList.class)
            .results()
            .forEach(p -> have.add(p.name()));
      } catch (CrmCallException e) {
        out.add(
            InstallFinding.missing(
                object + " properties",
                "cannot be read: " + e.failure().code() + " " + e.failure().message(),
                "grant crm.schemas.contacts.read"));
        continue;
      }
      boolean canCreate = granted.contains("crm.schemas.contacts.write");
      for (HubSpotApi.PropertyDefinition def : HubSpotProperties.definitions()) {
        String item = object + "." + def.name();
        if (have.contains(def.name())) {
          out.add(InstallFinding.ok(item, def.type() + ", in group " + GROUP));
        } else if (canCreate) {
          out.add(
              InstallFinding.ok(
                  item, "not created yet: AIX creates it on its first write (scope granted)"));
        } else {
          out.add(
              InstallFinding.missing(
                  item,
                  "missing, and AIX may not create it",
                  "grant crm.schemas.contacts.write, or create it from"
                      + " crm-profiles/install/hubspot/contact-properties.json"));
        }
      }
      MappingProfile mapping = mappings.get(object);
      if (mapping != null) {
        for (String name : mapping.crmFields()) {
          if (name.startsWith("aix_") || name.equals("hs_object_id")) {
            continue;
          }
          String item = object + "." + name + " (read by mapping " + mapping.id() + ")";
          out.add(
              have.contains(name)
                  ? InstallFinding.ok(item, "present")
                  : InstallFinding.missing(
                      item,
                      "no such property in this portal",
                      "create the property in HubSpot, or remove the line from mappings/"
                          + mapping.id()
                          + ".yaml"));
        }
      }
    }
    return out;
  }

  /** Whether the token's portal is the one the profile declares (events are routed by it). */
  private InstallFinding portalFinding(long tokenPortal) {
    Long declared = profile.connection().portalId();
    if (tokenPortal <= 0) {
      return InstallFinding.missing(
          "portal",
          "HubSpot's token information names no portal",
          "check the token: it should belong to a portal's installed app");
    }
    if (declared == null) {
      return InstallFinding.ok(
          "portal",
          tokenPortal
              + " (the token's); declare connection.portalId: "
              + tokenPortal
              + " before taking webhooks");
    }
    return declared == tokenPortal
        ? InstallFinding.ok("portal", declared + ", the token's portal")
        : InstallFinding.missing(
            "portal",
            "the token is for portal " + tokenPortal + ", the profile declares " + declared,
            "set connection.portalId: "
                + tokenPortal
                + " in "
                + profile.file()
                + ", or use a token of portal "
                + declared);
  }

  /**
   * The event subscriptions AIX needs of the app: every record event it acts on, a property change
   * for each property the object's mapping reads (HubSpot subscribes property changes one property
   * at a time), and {@code contact.privacyDeletion}, without which a GDPR delete made in HubSpot
   * never reaches AIX.
   */
  static List<String> requiredSubscriptions(MappingProfile mapping) {
    List<String> required = new ArrayList<>();
    for (String type : List.of("creation", "deletion", "merge", "restore", "privacyDeletion")) {
      required.add("contact." + type);
    }
    for (String field : mapping.crmFields()) {
      if (!field.equals(OBJECT_ID)
          && !field.equals("createdate")
          && (!field.startsWith("aix_") || field.equals(HubSpotWebhookResource.FEEDBACK))) {
        required.add("contact.propertyChange:" + field);
      }
    }
    return required;
  }

  private List<InstallFinding> subscriptionFindings(Map<String, MappingProfile> mappings) {
    CrmProfile.Webhooks hooks = profile.webhooks().orElse(null);
    if (hooks == null) {
      return List.of();
    }
    if (hooks.appId().isEmpty() || hooks.developerApiKey().isEmpty()) {
      return List.of(
          InstallFinding.missing(
              "webhook subscriptions",
              "cannot be read without the app's id and the developer API key",
              "set webhooks.appId and webhooks.developerApiKey in " + profile.file()));
    }
    Response listed =
        raw(() -> api.subscriptions(hooks.appId().get(), hooks.developerApiKey().get().resolve()));
    if (listed.getStatus() != 200) {
      ErrorBody error = errorBody(listed);
      return List.of(
          InstallFinding.missing(
              "webhook subscriptions",
              "HubSpot refused to list them ("
                  + listed.getStatus()
                  + (error != null && error.message() != null ? ": " + error.message() : "")
                  + ")",
              "check webhooks.appId (" + hooks.appId().get() + ") and the developer API key"));
    }
    Set<String> active = new java.util.HashSet<>();
    for (com.fasterxml.jackson.databind.JsonNode sub :
        listed.readEntity(com.fasterxml.jackson.databind.JsonNode.class).path("results")) {
      if (sub.path("active").asBoolean(false)) {
        String property = sub.path("propertyName").asText("");
        active.add(sub.path("eventType").asText() + (property.isEmpty() ? "" : ":" + property));
      }
    }
    Set<String> required = new LinkedHashSet<>();
    for (CrmProfile.ObjectSync sync : profile.objects()) {
      MappingProfile mapping = mappings.get(sync.name());
      if (mapping != null) {
        required.addAll(requiredSubscriptions(mapping));
      }
    }
    List<InstallFinding> out = new ArrayList<>();
    for (String sub : required) {
      String item = "webhook subscription " + sub;
      if (active.contains(sub)) {
        out.add(InstallFinding.ok(item, "active"));
        continue;
      }
      int colon = sub.indexOf(':');
      String how =
          colon < 0
              ? "event type " + sub
              : "event type " + sub.substring(0, colon) + ", property " + sub.substring(colon + 1);
      out.add(
          InstallFinding.missing(
              item,
              sub.equals("contact.privacyDeletion")
                  ? "not subscribed: a GDPR delete made in HubSpot would never reach AIX"
                  : "not subscribed (or paused): AIX hears of this change only at its next poll",
              "in the app's settings, Webhooks, create an active subscription: " + how));
    }
    return out;
  }

  @Override
  public boolean createsTasks() {
    return true;
  }

  @Override
  public List<TaskOutcome> createTasks(String object, List<HotLeadTask> tasks) {
    List<TaskOutcome> outcomes = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += BATCH_MAX) {
      List<HotLeadTask> batch = tasks.subList(from, Math.min(tasks.size(), from + BATCH_MAX));
      List<CreateInput> inputs = batch.stream().map(this::taskInput).toList();
      BatchResponse body =
          call(() -> api.createTasks(new BatchInputs<>(inputs)), BatchResponse.class);
      // HubSpot answers in no promised order: results carry the input's objectWriteTraceId, and
      // the task body carries the key too, for anyone looking at a task later.
      Map<String, String> created = new HashMap<>();
      for (HsObject o : body.results()) {
        String key =
            o.objectWriteTraceId() != null
                ? o.objectWriteTraceId()
                : HubSpotProperties.idempotencyKey(o.properties());
        if (key != null) {
          created.put(key, o.id());
        }
      }
      for (HotLeadTask t : batch) {
        String id = created.get(t.idempotencyKey());
        outcomes.add(
            id != null
                ? new TaskOutcome(t, id, null)
                : new TaskOutcome(
                    t,
                    null,
                    new CrmFailure(
                        CrmFailure.Kind.RETRIABLE, "NOT_CREATED", "HubSpot did not create it")));
      }
    }
    return outcomes;
  }

  /**
   * Looks through each contact's associated tasks (v4 associations, then a batch read of their
   * bodies) for the {@code [aix-task:key]} marker every AIX task carries.
   */
  @Override
  public Map<String, String> findTasks(String object, List<HotLeadTask> tasks) {
    Set<String> wanted = new java.util.HashSet<>();
    List<String> taskIds = new ArrayList<>();
    for (String contact : tasks.stream().map(HotLeadTask::crmId).distinct().toList()) {
      tasks.stream()
          .filter(t -> t.crmId().equals(contact))
          .forEach(t -> wanted.add(t.idempotencyKey()));
      // v4 association reads page (CRM/Associations v4 associations.json: limit default 500,
      // paging.next.after): a contact with more tasks than a page is read to its last page.
      String after = null;
      do {
        String cursor = after;
        com.fasterxml.jackson.databind.JsonNode listed =
            call(
                () -> api.associations(object, contact, "tasks", ASSOCIATION_PAGE, cursor),
                com.fasterxml.jackson.databind.JsonNode.class);
        listed.path("results").forEach(r -> taskIds.add(r.path("toObjectId").asText()));
        String next = listed.path("paging").path("next").path("after").asText(null);
        // A cursor that does not move would page for ever: what was read is what there is.
        after = next == null || next.isEmpty() || next.equals(cursor) ? null : next;
      } while (after != null);
    }
    Map<String, String> found = new HashMap<>();
    for (HsObject o : batchRead("tasks", List.of("hs_task_body"), taskIds)) {
      String key = HubSpotProperties.idempotencyKey(o.properties());
      if (key != null && wanted.contains(key)) {
        found.put(key, o.id());
      }
    }
    return found;
  }

  private CreateInput taskInput(HotLeadTask t) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("hs_timestamp", t.due().truncatedTo(ChronoUnit.MILLIS).toString());
    p.put("hs_task_subject", t.subject());
    p.put("hs_task_body", HubSpotProperties.taskBody(t));
    p.put("hs_task_status", "NOT_STARTED");
    p.put("hs_task_priority", "HIGH");
    // HubSpot's task types are CALL, EMAIL and TODO (a to-do item); TODO is the general one.
    p.put("hs_task_type", "TODO");
    if (t.ownerId() != null) {
      p.put("hubspot_owner_id", t.ownerId());
    }
    return new CreateInput(
        p,
        List.of(
            new Association(
                new AssociationTarget(t.crmId()),
                List.of(new AssociationType("HUBSPOT_DEFINED", TASK_TO_CONTACT)))),
        t.idempotencyKey());
  }

  @Override
  public String erase(String object, String crmId) {
    Response response = raw(() -> api.gdprDelete(object, new HubSpotApi.GdprDelete(crmId)));
    int status = response.getStatus();
    if (status == 204 || status == 200) {
      return "GDPR-deleted in HubSpot";
    }
    if (status == 404) {
      return "already gone from HubSpot";
    }
    throw failure(response);
  }

  // ---------------------------------------------------------------------------------- calls

  private <T> T call(Supplier<Response> request, Class<T> type) {
    return call(request, type, false);
  }

  private <T> T call(Supplier<Response> request, Class<T> type, boolean search) {
    Response response = raw(request, search);
    int status = response.getStatus();
    if (status == 200 || status == 201 || status == 207) {
      return response.readEntity(type);
    }
    throw failure(response);
  }

  private Response raw(Supplier<Response> request) {
    return raw(request, false);
  }

  /**
   * One HTTP call: paced by the governor, counted, its rate-limit headers recorded. A search takes
   * its slot last, just before it is sent, so that nothing between slot and send bunches searches.
   */
  private Response raw(Supplier<Response> request, boolean search) {
    governor.awaitPermit();
    budget.acquire();
    calls.incrementAndGet();
    if (search) {
      governor.awaitSearchPermit();
    }
    Response response;
    try {
      response = request.get();
    } catch (ProcessingException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "CONNECTION", String.valueOf(e.getMessage())),
          e);
    }
    governor.observe(response);
    budget.observe(governor.dailyUsed(), governor.dailyLimit());
    return response;
  }

  private CrmCallException failure(Response response) {
    return failure(response.getStatus(), errorBody(response));
  }

  private CrmCallException failure(int status, ErrorBody body) {
    CrmFailure f = HubSpotErrors.callError(status, body);
    if (f.kind() == CrmFailure.Kind.BUDGET_EXHAUSTED) {
      budget.spentByCrm(f.message());
    }
    return new CrmCallException(f, null);
  }

  /** HubSpot's error body, or null when it was not JSON (a proxy's HTML page, say). */
  private static ErrorBody errorBody(Response response) {
    try {
      return response.readEntity(ErrorBody.class);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  Clock clock() {
    return clock;
  }
}
