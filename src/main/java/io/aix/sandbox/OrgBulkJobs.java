package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Salesforce Bulk API 2.0 of the sandbox org: query jobs ({@code /jobs/query}) and ingest jobs
 * ({@code /jobs/ingest}, operation {@code update}), as Salesforce's Bulk API 2.0 Developer Guide
 * documents them (read, not copied: "Understanding Bulk API 2.0 Query", "Create a Job", "Upload Job
 * Data", "Get Job Successful/Failed/Unprocessed Record Results") and as simple-salesforce's client
 * uses them (/work/shared/reference/salesforce/FACTS.md, "Bulk API 2.0"): job states Open,
 * UploadComplete, InProgress, JobComplete, Failed, Aborted; query results as CSV pages of at most
 * {@code maxRecords} rows with the {@code Sforce-Locator} header ({@code "null"} on the last page)
 * and {@code Sforce-NumberOfRecords}; ingest results as CSV with {@code sf__Id,sf__Created} (or
 * {@code sf__Error}) before the uploaded columns. Every request is one API call of the org's daily
 * allocation, as each is in a real org.
 *
 * <p>Where the documentation is silent the sandbox is stricter: one upload per ingest job; results
 * only once a job is in a final state; only {@code update} ingest (all AIX does); a query with
 * ORDER BY or LIMIT is refused (Salesforce accepts it but turns PK chunking off, so a large job may
 * time out: AIX must not depend on it). A job takes time to run: {@link #processing} per 10,000
 * records plus a fixed start, so a client has to wait for it.
 */
final class OrgBulkJobs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern PATH =
      Pattern.compile(
          "jobs/(ingest|query)(?:/(750\\w{15}))?(?:/(batches|results|successfulResults|failedResults|unprocessedrecords))?/?");

  /** Changes made by a Bulk API 2.0 job carry this origin, and no client (stricter: see above). */
  static final String ORIGIN = "com/salesforce/api/bulkapi2/62.0";

  /** Salesforce's date-time format in API answers, e.g. 2026-12-01T08:00:00.000+0000. */
  private static final java.time.format.DateTimeFormatter STAMP =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
          .withZone(java.time.ZoneOffset.UTC);

  private final SalesforceOrg org;
  private final Clock clock;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong(1);
  private final Map<String, AtomicLong> created = new ConcurrentHashMap<>();
  private volatile Duration startDelay = Duration.ofMillis(500);
  private volatile Duration processing = Duration.ofMillis(100);

  private static final class Job {
    final String id;
    final String kind;
    final String object;
    final String operation;
    final String createdDate;
    volatile String state;
    volatile String errorMessage;
    volatile Instant readyAt;

    /** When the job's processing began (created for a query, upload complete for an ingest). */
    volatile Instant processingFrom;

    /** {@code totalProcessingTime}: 0 until the job has run. */
    volatile long processingMillis;

    // query
    List<ObjectNode> rows = List.of();
    List<String> columns = List.of();
    // ingest
    String upload;
    List<String> columnsOfUpload;
    final StringBuilder successful = new StringBuilder();
    final StringBuilder failed = new StringBuilder();
    final StringBuilder unprocessed = new StringBuilder();
    volatile int processed;
    volatile int failures;

    Job(String id, String kind, String object, String operation, String createdDate) {
      this.id = id;
      this.kind = kind;
      this.object = object;
      this.operation = operation;
      this.createdDate = createdDate;
    }
  }

  OrgBulkJobs(SalesforceOrg org, Clock clock) {
    this.org = org;
    this.clock = clock;
  }

  /** How long a job takes: a fixed start, then this much per 10,000 records. */
  void timing(Duration start, Duration per10k) {
    this.startDelay = start;
    this.processing = per10k;
  }

  private volatile boolean held;

  /**
   * Holds every job that has its data where it is ({@code InProgress} for an upload) until
   * released: a test's way to act while a job runs, whatever the machine's speed.
   */
  void hold(boolean hold) {
    this.held = hold;
  }

  /** Jobs created so far, by kind ({@code ingest}, {@code query}). */
  long jobsCreated(String kind) {
    AtomicLong n = created.get(kind);
    return n == null ? 0 : n.get();
  }

  void reset() {
    jobs.clear();
    created.clear();
    held = false;
  }

  boolean handles(String pathOnly) {
    return PATH.matcher(pathOnly).matches();
  }

  Reply handle(String method, String pathOnly, String query, String body, String version)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    Matcher m = PATH.matcher(pathOnly);
    if (!m.matches()) {
      return notFound();
    }
    String kind = m.group(1);
    String id = m.group(2);
    String part = m.group(3);
    if (id == null) {
      return method.equals("POST") ? create(kind, body, version) : notFound();
    }
    Job job = jobs.get(id);
    if (job == null || !job.kind.equals(kind)) {
      return error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    advance(job);
    if (part == null) {
      return switch (method) {
        case "GET" -> json(200, info(job, version));
        case "PATCH" -> changeState(job, body, version);
        case "DELETE" -> {
          jobs.remove(id);
          yield new Reply(204, Map.of(), "", false);
        }
        default -> notFound();
      };
    }
    if (kind.equals("ingest") && part.equals("batches") && method.equals("PUT")) {
      return upload(job, body);
    }
    if (!method.equals("GET")) {
      return notFound();
    }
    if (kind.equals("query") && part.equals("results")) {
      return results(job, query);
    }
    if (kind.equals("ingest")) {
      if (!job.state.equals("JobComplete") && !job.state.equals("Failed")) {
        return error(
            400,
            "INVALIDJOBSTATE",
            "Job " + job.id + " is " + job.state + ": results are available once it is complete");
      }
      String header = String.join(",", quoted(ingestColumns(job)));
      return switch (part) {
        case "successfulResults" ->
            csv(
                "\"sf__Id\",\"sf__Created\"" + sep(header) + header + "\n" + job.successful,
                -1,
                null);
        case "failedResults" ->
            csv("\"sf__Id\",\"sf__Error\"" + sep(header) + header + "\n" + job.failed, -1, null);
        case "unprocessedrecords" -> csv(header + "\n" + job.unprocessed, -1, null);
        default -> notFound();
      };
    }
    return notFound();
  }

  private static String sep(String header) {
    return header.isEmpty() ? "" : ",";
  }

  // ------------------------------------------------------------------------------- creating

  private Reply create(String kind, String body, String version)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    JsonNode request = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    String operation = request.path("operation").asText("");
    String jobId = "7505e" + String.format("%010d", sequence.getAndIncrement()) + "AAA";
    Job job;
    if (kind.equals("query")) {
      if (!operation.equals("query") && !operation.equals("queryAll")) {
        return error(400, "INVALIDJOB", "InvalidJob : Invalid operation: '" + operation + "'");
      }
      String soqlText = request.path("query").asText("");
      Soql soql = Soql.parse(soqlText);
      if (!soql.orderBy().isEmpty() || soql.limit() != null) {
        return error(
            400,
            "INVALIDJOB",
            "InvalidJob : this sandbox refuses ORDER BY and LIMIT in Bulk API 2.0 queries"
                + " (Salesforce turns PK chunking off for them, and large jobs time out)");
      }
      // The matched records themselves, in no copy: a results page reads the job's columns from
      // them when it is asked for (a million-record job's copies filled the sandbox's heap).
      List<ObjectNode> rows = org.matching(soql, operation.equals("queryAll"));
      job = new Job(jobId, kind, soql.object(), operation, now());
      job.rows = rows;
      job.columns = soql.fields();
      job.state = "UploadComplete";
      job.processingFrom = clock.instant();
      job.readyAt = job.processingFrom.plus(duration(rows.size()));
    } else {
      String object = request.path("object").asText("");
      if (!org.hasObject(object)) {
        return error(
            400, "INVALIDENTITY", "InvalidEntity : Entity '" + object + "' is not supported");
      }
      if (!operation.equals("update")) {
        return error(
            400,
            "INVALIDJOB",
            "InvalidJob : this sandbox supports the update operation only, not '"
                + operation
                + "'");
      }
      String contentType = request.path("contentType").asText("CSV");
      if (!contentType.equals("CSV")) {
        return error(400, "INVALIDJOB", "InvalidJob : contentType must be CSV");
      }
      job = new Job(jobId, kind, object, operation, now());
      job.state = "Open";
    }
    jobs.put(jobId, job);
    created.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    return json(200, info(job, version));
  }

  private Duration duration(int records) {
    return startDelay.plus(processing.multipliedBy(Math.max(1, (records + 9_999) / 10_000)));
  }

  private Reply upload(Job job, String body) {
    if (!job.state.equals("Open")) {
      return error(
          409,
          "INVALIDJOBSTATE",
          "InvalidJobState : Job " + job.id + " is " + job.state + ", not Open");
    }
    if (job.upload != null) {
      return error(
          409,
          "INVALIDJOBSTATE",
          "InvalidJobState : job data was uploaded already; this sandbox takes one upload per job");
    }
    if (body == null || body.isBlank()) {
      return error(400, "INVALIDBATCH", "InvalidBatch : the upload is empty");
    }
    if (body.length() > 150_000_000) {
      return error(400, "INVALIDBATCH", "InvalidBatch : upload larger than 150 MB");
    }
    job.upload = body;
    return new Reply(201, Map.of(), "", false);
  }

  private Reply changeState(Job job, String body, String version)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    String state =
        JSON.readTree(body == null || body.isBlank() ? "{}" : body).path("state").asText("");
    switch (state) {
      case "UploadComplete" -> {
        if (!job.kind.equals("ingest") || !job.state.equals("Open")) {
          return error(
              409, "INVALIDJOBSTATE", "InvalidJobState : Job " + job.id + " is " + job.state);
        }
        if (job.upload == null) {
          job.state = "Failed";
          job.errorMessage = "InvalidBatch : no data uploaded";
        } else {
          job.state = "UploadComplete";
          job.processingFrom = clock.instant();
          job.readyAt = job.processingFrom.plus(duration(countLines(job.upload)));
        }
      }
      case "Aborted" -> {
        if (job.state.equals("JobComplete") || job.state.equals("Failed")) {
          return error(
              409, "INVALIDJOBSTATE", "InvalidJobState : Job " + job.id + " is " + job.state);
        }
        job.state = "Aborted";
      }
      default -> {
        return error(
            400, "INVALIDJOBSTATE", "InvalidJobState : cannot move a job to '" + state + "'");
      }
    }
    return json(200, info(job, version));
  }

  private static int countLines(String text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  // ------------------------------------------------------------------------------- running

  /** Runs a job whose time has come: the sandbox does the work when a client next looks. */
  private synchronized void advance(Job job) {
    if (job.readyAt == null || held || clock.instant().isBefore(job.readyAt)) {
      if (job.readyAt != null && job.state.equals("UploadComplete") && job.kind.equals("ingest")) {
        job.state = "InProgress";
      }
      return;
    }
    if (job.state.equals("UploadComplete") || job.state.equals("InProgress")) {
      job.processingMillis = Duration.between(job.processingFrom, job.readyAt).toMillis();
      if (job.kind.equals("ingest")) {
        runIngest(job);
      } else {
        job.processed = job.rows.size();
        job.state = "JobComplete";
      }
    }
    job.readyAt = null;
  }

  private void runIngest(Job job) {
    List<List<String>> rows;
    try {
      rows = Csv.parse(job.upload);
    } catch (IllegalArgumentException e) {
      job.state = "Failed";
      job.errorMessage = "InvalidBatch : " + e.getMessage();
      return;
    }
    if (rows.isEmpty()) {
      job.state = "Failed";
      job.errorMessage = "InvalidBatch : no header row";
      return;
    }
    List<String> header = rows.get(0);
    job.columnsOfUpload = header;
    int idColumn = header.indexOf("Id");
    if (idColumn < 0) {
      job.state = "Failed";
      job.errorMessage = "InvalidBatch : Field name not provided: Id";
      return;
    }
    for (String column : header) {
      if (!column.equals("Id") && !org.hasField(job.object, column)) {
        job.state = "Failed";
        job.errorMessage = "InvalidBatch : Field name not found : " + column;
        return;
      }
    }
    for (int r = 1; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      String line = String.join(",", quoted(row));
      if (row.size() != header.size()) {
        job.failed
            .append("\"\",\"")
            .append("INVALID_FIELD:wrong number of columns in this row:--")
            .append("\",")
            .append(line)
            .append('\n');
        job.failures++;
        job.processed++;
        continue;
      }
      ObjectNode item = NODES.objectNode();
      item.putObject("attributes").put("type", job.object);
      item.put("Id", row.get(idColumn));
      for (int c = 0; c < header.size(); c++) {
        String column = header.get(c);
        String value = row.get(c);
        if (column.equals("Id") || value.isEmpty()) {
          // An empty value leaves the field as it is; #N/A sets it to null.
          continue;
        }
        item.set(
            column,
            value.equals("#N/A") ? NODES.nullNode() : org.csvValue(job.object, column, value));
      }
      ObjectNode result = org.updateWithOrigin(item, ORIGIN);
      job.processed++;
      if (result.path("success").asBoolean()) {
        job.successful
            .append('"')
            .append(row.get(idColumn))
            .append("\",\"false\",")
            .append(line)
            .append('\n');
      } else {
        JsonNode e = result.path("errors").path(0);
        List<String> fields = new ArrayList<>();
        e.path("fields").forEach(f -> fields.add(f.asText()));
        String error =
            e.path("statusCode").asText("UNKNOWN_EXCEPTION")
                + ":"
                + e.path("message").asText("")
                + ":"
                + String.join(";", fields)
                + " --";
        job.failed
            .append('"')
            .append(result.path("id").isTextual() ? result.path("id").asText() : "")
            .append("\",")
            .append(Csv.quote(error))
            .append(',')
            .append(line)
            .append('\n');
        job.failures++;
      }
    }
    job.upload = null;
    job.state = "JobComplete";
  }

  private static List<String> ingestColumns(Job job) {
    return job.columnsOfUpload == null ? List.of() : job.columnsOfUpload;
  }

  // ------------------------------------------------------------------------------- results

  private Reply results(Job job, String query) {
    if (!job.state.equals("JobComplete")) {
      return error(
          400,
          "INVALIDJOBSTATE",
          "Job " + job.id + " is " + job.state + ": results are available once it is JobComplete");
    }
    Map<String, String> params = FormData.parse(query);
    int max;
    try {
      max = params.containsKey("maxRecords") ? Integer.parseInt(params.get("maxRecords")) : 50_000;
    } catch (NumberFormatException e) {
      return error(400, "INVALIDREQUEST", "maxRecords must be a number");
    }
    if (max < 1) {
      return error(400, "INVALIDREQUEST", "maxRecords must be positive");
    }
    int from = 0;
    String locator = params.get("locator");
    if (locator != null && !locator.isEmpty()) {
      try {
        from = Integer.parseInt(new String(java.util.Base64.getDecoder().decode(locator)));
      } catch (IllegalArgumentException e) {
        return error(400, "INVALIDLOCATOR", "Invalid locator: " + locator);
      }
      if (from < 0 || from > job.rows.size()) {
        return error(400, "INVALIDLOCATOR", "Invalid locator: " + locator);
      }
    }
    int to = Math.min(job.rows.size(), from + max);
    StringBuilder out = new StringBuilder(64 * (to - from + 1));
    out.append(String.join(",", quoted(job.columns))).append('\n');
    for (ObjectNode rec : job.rows.subList(from, to)) {
      boolean first = true;
      for (String column : job.columns) {
        if (!first) {
          out.append(',');
        }
        first = false;
        JsonNode v = rec.get(column);
        // Bulk API 2.0 writes null as an empty field; booleans and numbers as text.
        out.append(Csv.quote(v == null || v.isNull() ? "" : v.asText()));
      }
      out.append('\n');
    }
    String next =
        to < job.rows.size()
            ? java.util.Base64.getEncoder().encodeToString(String.valueOf(to).getBytes())
            : "null";
    return csv(out.toString(), to - from, next);
  }

  // ------------------------------------------------------------------------------- replies

  private ObjectNode info(Job job, String version) {
    ObjectNode o = NODES.objectNode();
    o.put("id", job.id);
    o.put("operation", job.operation);
    o.put("object", job.object);
    o.put("createdById", SalesforceOrg.INTEGRATION_USER_ID);
    o.put("createdDate", job.createdDate);
    o.put("systemModstamp", now());
    o.put("state", job.state);
    o.put("concurrencyMode", "Parallel");
    o.put("contentType", "CSV");
    o.put("apiVersion", Double.parseDouble(version));
    o.put("jobType", job.kind.equals("query") ? "V2Query" : "V2Ingest");
    o.put("lineEnding", "LF");
    o.put("columnDelimiter", "COMMA");
    o.put("numberRecordsProcessed", job.processed);
    if (job.kind.equals("ingest")) {
      o.put("numberRecordsFailed", job.failures);
    }
    o.put("retries", 0);
    // "The number of milliseconds taken to process the job" (Bulk API 2.0 guide, "Get Information
    // About an Ingest Job", "... a Query Job"); the sandbox gives it once the job has run.
    o.put("totalProcessingTime", job.processingMillis);
    if (job.errorMessage != null) {
      o.put("errorMessage", job.errorMessage);
    }
    return o;
  }

  private String now() {
    return STAMP.format(clock.instant());
  }

  private static List<String> quoted(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(Csv.quote(v)));
    return out;
  }

  private Reply csv(String body, int records, String locator) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/csv");
    headers.put("Sforce-Limit-Info", org.limitInfo());
    if (locator != null) {
      headers.put("Sforce-Locator", locator);
      headers.put("Sforce-NumberOfRecords", String.valueOf(records));
    }
    return new Reply(200, headers, body, false);
  }

  private Reply json(int status, JsonNode body) {
    return Reply.json(status, body.toString(), Map.of("Sforce-Limit-Info", org.limitInfo()));
  }

  private Reply error(int status, String code, String message) {
    return json(
        status,
        NODES.arrayNode().add(NODES.objectNode().put("errorCode", code).put("message", message)));
  }

  private Reply notFound() {
    return error(404, "NOT_FOUND", "The requested resource does not exist");
  }
}
