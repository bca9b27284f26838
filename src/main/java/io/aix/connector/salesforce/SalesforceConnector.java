package io.aix.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.ApiBudget;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.CrmFailure;
import io.aix.connector.InstallFinding;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.connector.ScoreWrite;
import io.aix.connector.WriteOutcome;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import io.aix.mapping.MappingProfile;
import io.aix.profile.CrmProfile;
import io.aix.scoring.ScoreResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.SaveSObjectResult;

/**
 * Salesforce through the real Camel Salesforce component: {@code queryAll} with a {@code
 * SystemModstamp} watermark for polling (deleted records included, so AIX can tombstone them),
 * {@code queryMore} for paging, and sObject Collections for writing 200 records a call with {@code
 * allOrNone=false}.
 */
public final class SalesforceConnector implements CrmConnector, io.aix.connector.BulkScoreWrites {
  static final int MAX_BATCH = 200;
  private static final DateTimeFormatter SOQL_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  /** Fields every poll reads, whatever the mapping says. */
  private static final List<String> SYSTEM_FIELDS = List.of("Id", "SystemModstamp", "IsDeleted");

  /**
   * The client name AIX's writes carry ({@code Sforce-Call-Options: client=AIX}); Salesforce puts
   * it into the change origin of the change events they cause, which is how AIX knows its echo.
   */
  public static final String CALL_CLIENT = "AIX";

  /** The fields AIX writes on Leads and Contacts: a change of only these is AIX's own. */
  public static Set<String> aixFieldNames() {
    Set<String> names = new java.util.HashSet<>();
    KIT_FIELDS.forEach(f -> names.add(f.name()));
    return Set.copyOf(names);
  }

  /** Ids per query when records are read by id (URL length stays far below Salesforce's limit). */
  static final int READ_CHUNK = 200;

  @Override
  public List<CrmRecord> read(String object, MappingProfile mapping, List<String> ids) {
    Set<String> fields = new LinkedHashSet<>(SYSTEM_FIELDS);
    fields.addAll(mapping.crmFields());
    List<CrmRecord> out = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += READ_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + READ_CHUNK));
      for (String id : chunk) {
        if (!RECORD_ID.matcher(id).matches()) {
          throw new IllegalArgumentException("not a Salesforce record id: " + id);
        }
      }
      String soql =
          "SELECT "
              + String.join(", ", fields)
              + " FROM "
              + object
              + " WHERE Id IN ('"
              + String.join("', '", chunk)
              + "')";
      for (JsonNode r : records(soql)) {
        out.add(
            new CrmRecord(
                new LeadKey(profile.id(), object, r.path("Id").asText()),
                parseStamp(r.path("SystemModstamp").asText()),
                false,
                r));
      }
    }
    return out;
  }

  private final CrmProfile profile;
  private final String component;
  private final ProducerTemplate template;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong calls = new AtomicLong();
  private volatile long orgUsed;
  private volatile long orgLimit;
  private final ApiBudget budget;

  SalesforceConnector(
      CrmProfile profile, String component, ProducerTemplate template, ApiBudget budget) {
    this.profile = profile;
    this.budget = budget;
    this.component = component;
    this.template = template;
    this.bulk = new SalesforceBulk(profile.id(), this::call);
  }

  private final SalesforceBulk bulk;

  /** One call's longest wait (the guard's timeout): a bulk query is awaited in parts of it. */
  void callTimeout(java.time.Duration timeout) {
    bulk.waitPerCall(timeout);
  }

  private volatile long maxResponseBytes = Long.MAX_VALUE;

  /** The largest response the component reads ({@code aix.salesforce.max-response-mb}). */
  void maxResponseBytes(long bytes) {
    this.maxResponseBytes = bytes;
  }

  /**
   * An ingest job's failed results come back in one response that repeats every failed row with its
   * error (the Bulk API 2.0 guide describes no paging for ingest results, unlike query results).
   * AIX reads no successful results ({@link SalesforceBulk#results}), so only the failed ones bound
   * a job: should every row fail, they must fit the largest response read. With AIX's rows (about
   * 525 bytes of stored JSON) and 128 MB, about 185,000 rows a job.
   */
  @Override
  public long maxJobBytes() {
    return maxResponseBytes;
  }

  /** Longest wait for a Bulk API 2.0 query job to complete before the poll cycle gives up. */
  static final java.time.Duration BULK_QUERY_WAIT = java.time.Duration.ofMinutes(30);

  @Override
  public CrmProfile profile() {
    return profile;
  }

  @Override
  public int maxWriteBatch() {
    return Math.min(MAX_BATCH, profile.writeback().batchSize());
  }

  @Override
  public ApiUsage apiUsage() {
    return new ApiUsage(calls.get(), orgUsed, orgLimit);
  }

  /**
   * The SOQL of a poll: the mapping's fields changed at or after the watermark minus the overlap.
   */
  String pollQuery(String object, MappingProfile mapping, Offset since) {
    return pollQuery(object, mapping, since, null);
  }

  /**
   * As {@link #pollQuery(String, MappingProfile, Offset)}; with {@code notBy}, only the records
   * whose last change was not made by that user ({@code LastModifiedById}, a filterable standard
   * field: Object Reference, "System Fields"; SOQL and SOSL Reference, "Comparison Operators").
   */
  String pollQuery(String object, MappingProfile mapping, Offset since, String notBy) {
    CrmProfile.ObjectSync sync =
        profile
            .object(object)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "profile " + profile.id() + " does not sync " + object));
    Instant from = ((Offset.Watermark) since).modifiedAt().minus(sync.overlap());
    if (from.isBefore(Instant.EPOCH)) {
      from = Instant.EPOCH;
    }
    Set<String> fields = new LinkedHashSet<>(SYSTEM_FIELDS);
    fields.addAll(mapping.crmFields());
    return "SELECT "
        + String.join(", ", fields)
        + " FROM "
        + object
        + " WHERE SystemModstamp >= "
        + SOQL_DATETIME.format(from.truncatedTo(ChronoUnit.SECONDS))
        + (notBy == null ? "" : " AND LastModifiedById != '" + notBy + "'")
        + " ORDER BY SystemModstamp ASC, Id ASC";
  }

  /** Page sizes lowered after a page too large to read, per object. */
  private final Map<String, Integer> reducedPageSize =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public PollPage poll(String object, MappingProfile mapping, Offset since, String pageToken) {
    return poll(object, mapping, since, pageToken, false);
  }

  /**
   * The id of the user AIX calls as, from the identity URL of its session ({@code .../id/<org
   * id>/<user id>}: OAuth 2.0 token response, {@code id}), once the component has logged in; empty
   * before, or if the URL is not of that form.
   */
  java.util.Optional<String> ownUserId() {
    String known = ownUser;
    if (known != null) {
      return java.util.Optional.of(known);
    }
    try {
      var sf =
          template
              .getCamelContext()
              .getComponent(
                  component, org.apache.camel.component.salesforce.SalesforceComponent.class);
      String url = sf == null || sf.getSession() == null ? null : sf.getSession().getId();
      if (url == null) {
        return java.util.Optional.empty();
      }
      String user = url.substring(url.lastIndexOf('/') + 1);
      if (!RECORD_ID.matcher(user).matches() || !user.startsWith("005")) {
        return java.util.Optional.empty();
      }
      ownUser = user;
      return java.util.Optional.of(user);
    } catch (RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  private volatile String ownUser;

  /** A Salesforce record id: 15 or 18 letters and digits. */
  static final Pattern RECORD_ID = Pattern.compile("[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?");

  @Override
  public PollPage poll(
      String object, MappingProfile mapping, Offset since, String pageToken, boolean othersOnly) {
    String notBy = othersOnly ? ownUserId().orElse(null) : null;
    int configured = profile.object(object).map(CrmProfile.ObjectSync::pageSize).orElse(2000);
    int pageSize = reducedPageSize.getOrDefault(object, configured);
    try {
      return poll(object, mapping, since, pageToken, pageSize, notBy);
    } catch (CrmCallException e) {
      if (!tooLarge(e) || pageSize <= MIN_PAGE) {
        throw e;
      }
      int smaller = Math.max(MIN_PAGE, pageSize / 2);
      reducedPageSize.put(object, smaller);
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE,
              "RESPONSE_TOO_LARGE",
              "a page of "
                  + pageSize
                  + " "
                  + object
                  + " records was too large to read; pages of "
                  + smaller
                  + " from now on"),
          e);
    }
  }

  /** Salesforce's smallest query batch size. */
  static final int MIN_PAGE = 200;

  static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Buffering capacity")) {
        return true;
      }
    }
    return false;
  }

  private PollPage poll(
      String object,
      MappingProfile mapping,
      Offset since,
      String pageToken,
      int pageSize,
      String notBy) {
    if (SalesforceBulk.isBulkToken(pageToken)) {
      return bulk.next(object, pageToken, fieldTypes(object), BULK_QUERY_WAIT);
    }
    Exchange reply;
    if (pageToken == null) {
      reply =
          call(
              "queryAll?rawPayload=true",
              pollQuery(object, mapping, since, notBy),
              Map.of("Sforce-Query-Options", "batchSize=" + pageSize));
    } else {
      reply =
          call(
              "queryMore?rawPayload=true",
              pageToken,
              Map.of("Sforce-Query-Options", "batchSize=" + pageSize));
    }
    try {
      JsonNode body = json.readTree(reply.getMessage().getBody(String.class));
      if (pageToken == null && body.path("totalSize").asLong(0) > profile.limits().bulkAbove()) {
        // A backfill or a long catch-up: one Bulk API 2.0 query job reads it in a few calls
        // (50,000 records each) instead of one call per 2,000. This first page is dropped; the
        // job reads the same records.
        String soql = pollQuery(object, mapping, since, notBy);
        return bulk.startQuery(
            soql.substring(0, soql.indexOf(" ORDER BY ")), body.path("totalSize").asLong(0));
      }
      List<CrmRecord> records = new ArrayList<>();
      for (JsonNode r : body.path("records")) {
        records.add(
            new CrmRecord(
                new LeadKey(profile.id(), object, r.path("Id").asText()),
                parseStamp(r.path("SystemModstamp").asText()),
                r.path("IsDeleted").asBoolean(false),
                r));
      }
      String next =
          body.path("done").asBoolean(true) ? null : body.path("nextRecordsUrl").asText(null);
      return new PollPage(List.copyOf(records), next);
    } catch (IOException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", e.getMessage()), e);
    }
  }

  /** A Salesforce date-time as its APIs write it ({@code ...000+0000}; {@code ...000Z} in CSV). */
  static Instant parseStamp(String text) {
    return io.aix.lead.IsoInstant.parse(text);
  }

  @Override
  public List<WriteOutcome> writeScores(String object, List<ScoreWrite> writes) {
    if (writes.size() > maxWriteBatch()) {
      throw new IllegalArgumentException(
          writes.size() + " records in one call; the limit is " + maxWriteBatch());
    }
    List<AixScoreFields> body = new ArrayList<>(writes.size());
    for (ScoreWrite w : writes) {
      body.add(fields(object, w));
    }
    return update(body);
  }

  @Override
  public int maxRowsPerWrite() {
    return maxWriteBatch();
  }

  /** An sObject Collections update of rows as {@link #bulkRow} made them. */
  @Override
  public List<WriteOutcome> writeRows(String object, List<BulkRow> rows) {
    if (rows.size() > maxWriteBatch()) {
      throw new IllegalArgumentException(
          rows.size() + " records in one call; the limit is " + maxWriteBatch());
    }
    List<AixScoreFields> body = new ArrayList<>(rows.size());
    for (BulkRow r : rows) {
      body.add(fieldsOf(object, r));
    }
    return update(body);
  }

  /** A row's columns back as the fields the REST call sends (a null or empty one is cleared). */
  private AixScoreFields fieldsOf(String object, BulkRow row) {
    AixScoreFields f = new AixScoreFields(object, row.crmId());
    Map<String, Object> v = row.values();
    java.util.function.Function<String, BigDecimal> number =
        k -> v.get(k) == null ? null : new BigDecimal(String.valueOf(v.get(k)));
    java.util.function.Function<String, String> text =
        k -> v.get(k) == null ? null : String.valueOf(v.get(k));
    f.setScore(number.apply("AIX_Score__c"));
    f.setGrade(text.apply("AIX_Grade__c"));
    f.setProbability(number.apply("AIX_Conversion_Probability__c"));
    f.setFit(number.apply("AIX_Fit_Score__c"));
    f.setEngagement(number.apply("AIX_Engagement_Score__c"));
    f.setTopFactors(text.apply("AIX_Top_Factors__c"));
    f.setScoredAt(
        v.get("AIX_Scored_At__c") == null
            ? null
            : PREVIEW.convertValue(v.get("AIX_Scored_At__c"), java.time.ZonedDateTime.class));
    f.setModelVersion(text.apply("AIX_Model_Version__c"));
    f.setSignals(text.apply("AIX_Signals__c"));
    // The row names the fields the profile writes: those are cleared when empty, as on REST.
    f.clearWhenEmpty(v.keySet());
    return f;
  }

  private List<WriteOutcome> update(List<AixScoreFields> body) {
    Exchange reply =
        call(
            "compositeUpdateSObjectCollections?allOrNone=false",
            body,
            Map.of("Sforce-Call-Options", "client=" + CALL_CLIENT));
    @SuppressWarnings("unchecked")
    List<SaveSObjectResult> results = reply.getMessage().getBody(List.class);
    if (results == null || results.size() != body.size()) {
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE,
              "MALFORMED_RESPONSE",
              "expected "
                  + body.size()
                  + " save results, got "
                  + (results == null ? 0 : results.size())),
          null);
    }
    List<WriteOutcome> outcomes = new ArrayList<>(body.size());
    for (int i = 0; i < body.size(); i++) {
      SaveSObjectResult r = results.get(i);
      String id = body.get(i).getId();
      if (Boolean.TRUE.equals(r.getSuccess())) {
        outcomes.add(new WriteOutcome.Written(id));
      } else {
        RestError e =
            r.getErrors() == null || r.getErrors().isEmpty() ? null : r.getErrors().get(0);
        outcomes.add(
            new WriteOutcome.Failed(
                id,
                SalesforceErrors.recordError(
                    e == null ? "UNKNOWN_ERROR" : e.getErrorCode(),
                    e == null ? "no error detail" : e.getMessage())));
      }
    }
    return outcomes;
  }

  /** Key prefixes of the objects activities can name: Lead and Contact ids. */
  private static final Map<String, String> PREFIX = Map.of("Lead", "00Q", "Contact", "003");

  /**
   * Completed calls and meetings logged on a lead or contact (a rep spoke to them) and campaign
   * responses (a webinar attended, a form filled in for a campaign) are engagement.
   */
  @Override
  public List<String> activitySources() {
    return List.of("Task", "CampaignMember");
  }

  @Override
  public List<io.aix.connector.CrmActivity> activities(
      String object, String source, Instant since, int limit) {
    String prefix = PREFIX.get(object);
    if (prefix == null) {
      return List.of();
    }
    String stamp = SOQL_DATETIME.format(since);
    String soql =
        source.equals("Task")
            ? "SELECT Id, WhoId, Subject, TaskSubtype, Type, CompletedDateTime, ActivityDate,"
                + " SystemModstamp FROM Task WHERE Status = 'Completed' AND SystemModstamp >= "
                + stamp
                + " ORDER BY SystemModstamp, Id LIMIT "
                + limit
            : "SELECT Id, "
                + object
                + "Id, CampaignId, FirstRespondedDate, SystemModstamp FROM CampaignMember"
                + " WHERE HasResponded = true AND SystemModstamp >= "
                + stamp
                + " ORDER BY SystemModstamp, Id LIMIT "
                + limit;
    List<io.aix.connector.CrmActivity> out = new ArrayList<>();
    for (JsonNode r : records(soql)) {
      Instant modified = parseStamp(r.path("SystemModstamp").asText());
      if (source.equals("Task")) {
        String who = r.path("WhoId").asText("");
        String subtype = r.path("TaskSubtype").asText("");
        String type = r.path("Type").asText("");
        boolean call = subtype.equals("Call") || type.equals("Call");
        boolean conversation = call || type.equals("Meeting");
        Instant at =
            r.hasNonNull("CompletedDateTime")
                ? parseStamp(r.path("CompletedDateTime").asText())
                : modified;
        if (who.startsWith(prefix) && conversation) {
          out.add(
              new io.aix.connector.CrmActivity(
                  r.path("Id").asText(),
                  who,
                  io.aix.lead.EngagementSignal.Type.MEETING,
                  at,
                  modified,
                  call ? "call logged" : "meeting logged"));
        }
      } else {
        String who = r.path(object + "Id").asText("");
        Instant at =
            io.aix.lead.EngagementSignal.parseTime(r.path("FirstRespondedDate").asText(""))
                .orElse(modified);
        if (who.startsWith(prefix)) {
          out.add(
              new io.aix.connector.CrmActivity(
                  r.path("Id").asText(),
                  who,
                  io.aix.lead.EngagementSignal.Type.FORM_SUBMIT,
                  at,
                  modified,
                  "campaign response, campaign " + r.path("CampaignId").asText("")));
        }
      }
    }
    return out;
  }

  /** The marker every AIX task's Description carries, with its idempotency key. */
  private static final Pattern TASK_KEY =
      Pattern.compile("\\[aix-task:([A-Za-z0-9:@._|-]{1,200})]");

  @Override
  public boolean createsTasks() {
    return true;
  }

  /**
   * Creates Tasks with sObject Collections (200 a call): linked to the Lead or Contact ({@code
   * WhoId}), assigned to its owner when the owner is a user (a queue cannot own a task: the task
   * then stays with the integration user, and says whose lead it is), due on the due date.
   */
  @Override
  public List<TaskOutcome> createTasks(String object, List<io.aix.connector.HotLeadTask> tasks) {
    List<TaskOutcome> outcomes = new ArrayList<>();
    for (int from = 0; from < tasks.size(); from += maxWriteBatch()) {
      List<io.aix.connector.HotLeadTask> batch =
          tasks.subList(from, Math.min(tasks.size(), from + maxWriteBatch()));
      List<AixTask> body = batch.stream().map(SalesforceConnector::task).toList();
      Exchange reply =
          call(
              "compositeCreateSObjectCollections?allOrNone=false",
              body,
              Map.of("Sforce-Call-Options", "client=" + CALL_CLIENT));
      @SuppressWarnings("unchecked")
      List<SaveSObjectResult> results = reply.getMessage().getBody(List.class);
      if (results == null || results.size() != batch.size()) {
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.RETRIABLE,
                "MALFORMED_RESPONSE",
                "expected " + batch.size() + " save results for tasks"),
            null);
      }
      for (int i = 0; i < batch.size(); i++) {
        SaveSObjectResult r = results.get(i);
        if (Boolean.TRUE.equals(r.getSuccess()) && r.getId() != null) {
          outcomes.add(new TaskOutcome(batch.get(i), r.getId(), null));
        } else {
          RestError e =
              r.getErrors() == null || r.getErrors().isEmpty() ? null : r.getErrors().get(0);
          outcomes.add(
              new TaskOutcome(
                  batch.get(i),
                  null,
                  SalesforceErrors.recordError(
                      e == null ? "UNKNOWN_ERROR" : e.getErrorCode(),
                      e == null ? "no error detail" : e.getMessage())));
        }
      }
    }
    return outcomes;
  }

  static AixTask task(io.aix.connector.HotLeadTask t) {
    AixTask task = new AixTask();
    task.setWhoId(t.crmId());
    boolean userOwner = t.ownerId() != null && t.ownerId().startsWith("005");
    if (userOwner) {
      task.setOwnerId(t.ownerId());
    }
    task.setSubject(t.subject());
    task.setDescription(
        t.body()
            + (userOwner || t.ownerId() == null
                ? ""
                : "\nThe lead is owned by " + t.ownerId() + " (a queue), so AIX kept this task.")
            + "\n\n[aix-task:"
            + t.idempotencyKey()
            + "]");
    task.setActivityDate(t.due().atZone(ZoneOffset.UTC).toLocalDate().toString());
    task.setStatus("Not Started");
    task.setPriority("High");
    return task;
  }

  /**
   * Tasks created earlier for these claims: the Tasks of the leads (by {@code WhoId}) whose
   * Description carries the claim's marker.
   */
  @Override
  public Map<String, String> findTasks(String object, List<io.aix.connector.HotLeadTask> tasks) {
    Set<String> wanted = new java.util.HashSet<>();
    tasks.forEach(t -> wanted.add(t.idempotencyKey()));
    List<String> leads =
        tasks.stream().map(io.aix.connector.HotLeadTask::crmId).distinct().toList();
    Map<String, String> found = new java.util.HashMap<>();
    for (int from = 0; from < leads.size(); from += READ_CHUNK) {
      List<String> chunk = leads.subList(from, Math.min(leads.size(), from + READ_CHUNK));
      String soql =
          "SELECT Id, Description FROM Task WHERE WhoId IN ('" + String.join("', '", chunk) + "')";
      for (JsonNode r : records(soql)) {
        Matcher m = TASK_KEY.matcher(r.path("Description").asText(""));
        if (m.find() && wanted.contains(m.group(1))) {
          found.put(m.group(1), r.path("Id").asText());
        }
      }
    }
    return found;
  }

  @Override
  public Set<String> showing(String object, List<ScoreWrite> writes) {
    List<String> compared =
        profile.writeback().fields().stream().filter(f -> !f.equals("AIX_Scored_At__c")).toList();
    Set<String> same = new java.util.HashSet<>();
    for (int from = 0; from < writes.size(); from += MAX_BATCH) {
      List<ScoreWrite> chunk = writes.subList(from, Math.min(writes.size(), from + MAX_BATCH));
      String soql =
          "SELECT Id, "
              + String.join(", ", compared)
              + " FROM "
              + object
              + " WHERE Id IN ("
              + String.join(
                  ", ",
                  chunk.stream()
                      .map(w -> "'" + w.crmId().replaceAll("[^A-Za-z0-9]", "") + "'")
                      .toList())
              + ")";
      Map<String, JsonNode> shown = new java.util.HashMap<>();
      records(soql).forEach(r -> shown.put(r.path("Id").asText(), r));
      Map<String, Integer> scale = scales(object);
      for (ScoreWrite w : chunk) {
        JsonNode crm = shown.get(w.crmId());
        JsonNode written = comparable(fields(object, w));
        if (crm != null
            && compared.stream()
                .allMatch(f -> sameValue(written.get(f), crm.get(f), scale.get(f)))) {
          same.add(w.crmId());
        }
      }
    }
    return same;
  }

  /** The written fields as the org's JSON would show them (the scoring time left out). */
  private static JsonNode comparable(AixScoreFields f) {
    com.fasterxml.jackson.databind.node.ObjectNode n =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    n.put("AIX_Score__c", f.getScore());
    n.put("AIX_Grade__c", f.getGrade());
    n.put("AIX_Conversion_Probability__c", f.getProbability());
    n.put("AIX_Fit_Score__c", f.getFit());
    n.put("AIX_Engagement_Score__c", f.getEngagement());
    n.put("AIX_Top_Factors__c", f.getTopFactors());
    n.put("AIX_Model_Version__c", f.getModelVersion());
    n.put("AIX_Signals__c", f.getSignals());
    return n;
  }

  /**
   * Whether the org shows what was written. Salesforce stores a number at its field's scale,
   * rounding half up (37.55 written to a Percent(3, 1) reads back as 37.6), and answers numbers in
   * its own notation (40.0 for 40): numbers are compared as values, the written one rounded to the
   * field's {@code scale} when it is known.
   */
  static boolean sameValue(JsonNode written, JsonNode shown, Integer scale) {
    boolean noWritten = written == null || written.isNull();
    boolean noShown = shown == null || shown.isNull();
    if (noWritten || noShown) {
      return noWritten == noShown;
    }
    if (written.isNumber() || shown.isNumber()) {
      try {
        BigDecimal value = new BigDecimal(written.asText());
        if (scale != null && value.scale() > scale) {
          value = value.setScale(scale, java.math.RoundingMode.HALF_UP);
        }
        return value.compareTo(new BigDecimal(shown.asText())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return written.asText().equals(shown.asText());
  }

  /** Number fields' scales per object, from the org's describe. */
  private final Map<String, Map<String, Integer>> scales =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The scales of the object's number fields: from describe (read once, on the first read-back
   * compare or install check), the install kit's while the org cannot be asked.
   */
  private Map<String, Integer> scales(String object) {
    Map<String, Integer> known = scales.get(object);
    if (known != null) {
      return known;
    }
    try {
      Map<String, Integer> described = scalesFrom(describe(object));
      scales.put(object, described);
      return described;
    } catch (CrmCallException | IOException e) {
      Map<String, Integer> kit = new java.util.HashMap<>();
      KIT_FIELDS.stream().filter(k -> k.scale() >= 0).forEach(k -> kit.put(k.name(), k.scale()));
      return kit;
    }
  }

  private JsonNode describe(String object) throws IOException {
    Exchange reply = call("getDescription?rawPayload=true&sObjectName=" + object, null, Map.of());
    return json.readTree(reply.getMessage().getBody(String.class));
  }

  /** Field types per object from describe, read once: a bulk query's CSV is read by them. */
  private final Map<String, Map<String, String>> types =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Map<String, String> fieldTypes(String object) {
    Map<String, String> known = types.get(object);
    if (known != null) {
      return known;
    }
    try {
      Map<String, String> described = new java.util.HashMap<>();
      for (JsonNode f : describe(object).path("fields")) {
        described.put(f.path("name").asText(), f.path("type").asText());
      }
      types.put(object, Map.copyOf(described));
      return types.get(object);
    } catch (IOException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", e.getMessage()), e);
    }
  }

  // ------------------------------------------------------------ mass writebacks (Bulk API 2.0)

  @Override
  public Map<String, Object> bulkRow(String object, ScoreWrite write) {
    // What the REST call would send: set fields, and a null for each field to clear.
    return fields(object, write).bulkRow(PREVIEW);
  }

  @Override
  public String startJob(String object, List<String> columns, List<BulkRow> rows) {
    return bulk.startJob(object, columns, rows);
  }

  @Override
  public JobState job(String jobId) {
    return bulk.job(jobId);
  }

  @Override
  public Results results(String jobId, JobState state) {
    return bulk.results(jobId, state);
  }

  private static Map<String, Integer> scalesFrom(JsonNode describe) {
    Map<String, Integer> out = new java.util.HashMap<>();
    for (JsonNode f : describe.path("fields")) {
      String type = f.path("type").asText();
      if (Set.of("double", "percent", "currency").contains(type) && f.has("scale")) {
        out.put(f.path("name").asText(), f.path("scale").asInt());
      }
    }
    return Map.copyOf(out);
  }

  @Override
  public Map<String, Object> previewWrite(String object, ScoreWrite write) {
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    PREVIEW
        .valueToTree(fields(object, write))
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getKey().startsWith("AIX_") && !e.getValue().isNull()) {
                values.put(
                    e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText());
              }
            });
    return values;
  }

  AixScoreFields fields(String object, ScoreWrite write) {
    ScoreResult s = write.score();
    AixScoreFields f = new AixScoreFields(object, write.crmId());
    List<String> enabled = profile.writeback().fields();
    if (enabled.contains("AIX_Score__c")) {
      f.setScore(BigDecimal.valueOf(s.score()));
    }
    if (enabled.contains("AIX_Grade__c")) {
      f.setGrade(s.grade());
    }
    if (enabled.contains("AIX_Conversion_Probability__c")) {
      // A percent field: Salesforce stores 37.5 for 37.5 %.
      f.setProbability(
          BigDecimal.valueOf(s.probability() * 100).setScale(2, java.math.RoundingMode.HALF_UP));
    }
    if (enabled.contains("AIX_Fit_Score__c")) {
      f.setFit(BigDecimal.valueOf(s.fit()));
    }
    if (enabled.contains("AIX_Engagement_Score__c")) {
      f.setEngagement(BigDecimal.valueOf(s.engagement()));
    }
    if (enabled.contains("AIX_Top_Factors__c")) {
      f.setTopFactors(s.topFactors());
    }
    if (enabled.contains("AIX_Scored_At__c")) {
      f.setScoredAt(s.scoredAt().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
    }
    if (enabled.contains("AIX_Model_Version__c")) {
      f.setModelVersion(s.modelVersion());
    }
    if (enabled.contains("AIX_Signals__c")) {
      f.setSignals(s.signals());
    }
    // Salesforce keeps an empty text field as null, and leaves a field the request does not name
    // unchanged: a value AIX clears is sent as an explicit null, or the stale one would stay.
    f.clearWhenEmpty(enabled);
    return f;
  }

  /**
   * Deletes the record ({@code DELETE /sobjects/{object}/{id}}). Salesforce keeps deleted records
   * in the recycle bin for 15 days; an org that must purge at once empties it by its own policy.
   */
  @Override
  public String erase(String object, String crmId) {
    try {
      call("deleteSObject", null, Map.of("sObjectName", object, "sObjectId", crmId));
      return "deleted in Salesforce";
    } catch (CrmCallException e) {
      if (Set.of("ENTITY_IS_DELETED", "NOT_FOUND").contains(e.failure().code())) {
        return "already gone from Salesforce";
      }
      if (Set.of("INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS")
          .contains(e.failure().code())) {
        // The install kit's permission set withholds Delete: say what is missing, not only the
        // org's terse "insufficient access rights on object id".
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.PERMANENT,
                e.failure().code(),
                "the integration user may not delete "
                    + object
                    + " records ("
                    + e.failure().message()
                    + "): "
                    + deleteFix(object)),
            e);
      }
      throw e;
    }
  }

  private String deleteFix(String object) {
    return "give the integration user Delete on "
        + object
        + " (the install kit's AIX_Integration permission set withholds it; add a permission set"
        + " with Delete), or set privacy.eraseInCrm: false in "
        + profile.file();
  }

  /**
   * Camel's own mapper, as the write sends the fields: a plain one cannot serialise an sObject at
   * all (it names the {@code fieldsToNull} filter, which only Camel's mapper provides).
   */
  private static final ObjectMapper PREVIEW =
      org.apache.camel.component.salesforce.api.utils.JsonUtils.createObjectMapper();

  /**
   * An AIX field of the install kit: describe type, the type as an admin creates it, and for a
   * number its scale (digits after the point; -1 for other types).
   */
  record KitField(String name, String describeType, String adminType, int scale) {
    KitField(String name, String describeType, String adminType) {
      this(name, describeType, adminType, -1);
    }
  }

  /** The AIX fields of the install kit: describe type, and the type as an admin creates it. */
  static final List<KitField> KIT_FIELDS =
      List.of(
          new KitField("AIX_Score__c", "double", "Number(3, 0)", 0),
          new KitField("AIX_Grade__c", "picklist", "Picklist: A, B, C, D"),
          new KitField("AIX_Conversion_Probability__c", "percent", "Percent(3, 1)", 1),
          new KitField("AIX_Fit_Score__c", "double", "Number(3, 0)", 0),
          new KitField("AIX_Engagement_Score__c", "double", "Number(3, 0)", 0),
          new KitField("AIX_Top_Factors__c", "textarea", "Long Text Area(1024)"),
          new KitField("AIX_Scored_At__c", "datetime", "Date/Time"),
          new KitField("AIX_Model_Version__c", "string", "Text(64)"),
          new KitField("AIX_Signals__c", "string", "Text(255)"),
          new KitField("AIX_Feedback__c", "picklist", "Picklist: Too high, Too low, Spot on"));

  private static final String DEPLOY =
      "deploy the install kit: sf project deploy start --source-dir"
          + " crm-profiles/install/salesforce/force-app --target-org <org>";
  private static final String GRANT =
      "assign the permission set AIX_Integration (crm-profiles/install/salesforce) to the"
          + " integration user";

  @Override
  public List<InstallFinding> checkInstall(Map<String, MappingProfile> mappings) {
    List<InstallFinding> out = new ArrayList<>();
    for (CrmProfile.ObjectSync sync : profile.objects()) {
      String object = sync.name();
      JsonNode describe;
      try {
        Exchange reply =
            call("getDescription?rawPayload=true&sObjectName=" + object, null, Map.of());
        describe = json.readTree(reply.getMessage().getBody(String.class));
      } catch (CrmCallException e) {
        out.add(
            InstallFinding.missing(
                object,
                "describe failed: " + e.failure().code() + " " + e.failure().message(),
                "give the integration user Read on " + object + " (" + GRANT + ")"));
        continue;
      } catch (IOException e) {
        throw new CrmCallException(
            new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", e.getMessage()), e);
      }
      Map<String, JsonNode> fields = new java.util.HashMap<>();
      describe.path("fields").forEach(f -> fields.put(f.path("name").asText(), f));
      scales.put(object, scalesFrom(describe));
      boolean writes = profile.writeback().enabled();
      if (writes && !describe.path("updateable").asBoolean(false)) {
        out.add(
            InstallFinding.missing(
                object, "readable, not editable", "give Edit on " + object + ": " + GRANT));
      } else {
        out.add(InstallFinding.ok(object, writes ? "readable, editable" : "readable"));
      }
      if (profile.privacy().eraseInCrm()) {
        String item = object + " (delete, privacy.eraseInCrm)";
        if (describe.path("deletable").asBoolean(false)) {
          out.add(InstallFinding.ok(item, "deletable: erasures delete the records"));
        } else {
          out.add(
              InstallFinding.missing(
                  item,
                  "not deletable by the integration user, so erasures cannot delete records",
                  deleteFix(object)));
        }
      }
      for (KitField kit : KIT_FIELDS) {
        String name = kit.name();
        String item = object + "." + name;
        boolean written = writes && profile.writeback().fields().contains(name);
        JsonNode f = fields.get(name);
        if (f == null) {
          out.add(
              InstallFinding.missing(
                  item,
                  "missing (or not readable by the integration user)",
                  DEPLOY
                      + "; or create "
                      + kit.adminType()
                      + " "
                      + name
                      + " on "
                      + object
                      + ", then "
                      + GRANT));
        } else if (!f.path("type").asText().equals(kit.describeType())) {
          out.add(
              InstallFinding.missing(
                  item,
                  "type " + f.path("type").asText() + ", expected " + kit.describeType(),
                  "delete the field and create it as " + kit.adminType() + " (or " + DEPLOY + ")"));
        } else if (written && !f.path("updateable").asBoolean(false)) {
          out.add(
              InstallFinding.missing(
                  item,
                  f.path("type").asText() + ", read-only for the integration user",
                  "give Edit on " + item + ": " + GRANT));
        } else {
          out.add(
              InstallFinding.ok(
                  item, f.path("type").asText() + (written ? ", editable" : ", readable")));
        }
      }
      MappingProfile mapping = mappings.get(object);
      if (mapping != null) {
        for (String name : mapping.crmFields()) {
          if (KIT_FIELDS.stream().anyMatch(k -> k.name().equals(name))) {
            continue;
          }
          String item = object + "." + name + " (read by mapping " + mapping.id() + ")";
          if (fields.containsKey(name)) {
            out.add(InstallFinding.ok(item, fields.get(name).path("type").asText() + ", readable"));
          } else {
            out.add(
                InstallFinding.missing(
                    item,
                    "missing (or not readable by the integration user)",
                    "give Read on "
                        + object
                        + "."
                        + name
                        + " to the integration user, or remove the line from mappings/"
                        + mapping.id()
                        + ".yaml"));
          }
        }
      }
    }
    return out;
  }

  /** The records of one query page (AIX's queries by id stay within one page). */
  private JsonNode records(String soql) {
    Exchange reply = call("query?rawPayload=true", soql, Map.of());
    try {
      return json.readTree(reply.getMessage().getBody(String.class)).path("records");
    } catch (IOException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", e.getMessage()), e);
    }
  }

  Exchange call(String operation, Object body, Map<String, String> headers) {
    budget.acquire();
    calls.incrementAndGet();
    Exchange reply =
        template.request(
            component + ":" + operation,
            exchange -> {
              exchange.getIn().setBody(body);
              headers.forEach(exchange.getIn()::setHeader);
            });
    Object limitInfo = reply.getMessage().getHeader("Sforce-Limit-Info");
    if (limitInfo != null) {
      Matcher m = SalesforceErrors.API_USAGE.matcher(limitInfo.toString());
      if (m.find()) {
        orgUsed = Long.parseLong(m.group(1));
        orgLimit = Long.parseLong(m.group(2));
        budget.observe(orgUsed, orgLimit);
      }
    }
    if (reply.getException() != null) {
      CrmFailure f =
          SalesforceErrors.callError(
              reply.getException(), limitInfo == null ? null : limitInfo.toString());
      if (f.kind() == CrmFailure.Kind.BUDGET_EXHAUSTED) {
        budget.spentByCrm(f.message());
      }
      throw new CrmCallException(f, reply.getException());
    }
    return reply;
  }
}
