package io.aix.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.connector.BulkScoreWrites;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmFailure;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.connector.WriteOutcome;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ColumnDelimiterEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;

/**
 * Salesforce Bulk API 2.0 through the Camel Salesforce component's {@code bulk2*} operations: query
 * jobs for backfills and large catch-ups, ingest jobs ({@code update}, CSV) for mass writebacks. As
 * Salesforce documents it (Bulk API 2.0 Developer Guide; facts in
 * /work/shared/reference/salesforce/FACTS.md): query results page with {@code Sforce-Locator}
 * ({@code "null"} on the last page); a query with ORDER BY turns PK chunking off, so AIX's has none
 * and its results come unordered; an empty CSV field is "no value", {@code #N/A} sets a field to
 * null on ingest; failed rows carry {@code sf__Error} as {@code CODE:message:fields}.
 */
final class SalesforceBulk {
  /** The connector's one call path (budget, limit headers, error classification). */
  interface Calls {
    Exchange call(String operation, Object body, Map<String, String> headers);
  }

  /**
   * Records per query results page ({@code maxRecords}; Salesforce's own default is unpublished,
   * "based on the service"): 17 calls per million records. Each page is held parsed while it is
   * queued (a JSON tree a record), so this bounds what a bulk read holds in heap.
   */
  static final int RESULTS_PAGE = 60_000;

  private static final String TOKEN = "bulk:";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String profileId;
  private final Calls calls;

  /** Results per call of a job whose pages were too large to read (else {@link #RESULTS_PAGE}). */
  private final Map<String, Integer> pageSizes = new ConcurrentHashMap<>();

  /** The newest (stamp, id) each running query job returned so far: its offset at the end. */
  private final Map<String, Offset.Watermark> newest = new ConcurrentHashMap<>();

  SalesforceBulk(String profileId, Calls calls) {
    this.profileId = profileId;
    this.calls = calls;
  }

  static boolean isBulkToken(String pageToken) {
    return pageToken != null && pageToken.startsWith(TOKEN);
  }

  // ---------------------------------------------------------------------------------- query

  /**
   * Starts a query job ({@code queryAll}: deleted records too, as the REST poll reads them).
   *
   * @param expectedRows how many records the query matched when REST counted them ({@code
   *     totalSize}): with the pace of an earlier job, when to look first
   */
  PollPage startQuery(String soqlWithoutOrder, long expectedRows) {
    QueryJob job = new QueryJob();
    job.setOperation(OperationEnum.QUERY_ALL);
    job.setQuery(soqlWithoutOrder);
    job.setContentType(ContentTypeEnum.CSV);
    job.setColumnDelimiter(ColumnDelimiterEnum.COMMA);
    job.setLineEnding(LineEndingEnum.LF);
    QueryJob created =
        calls.call("bulk2CreateQueryJob", job, Map.of()).getMessage().getBody(QueryJob.class);
    if (created == null || created.getId() == null) {
      throw malformed("the query job's creation returned no job id");
    }
    Instant now = Instant.now();
    started.put(created.getId(), now);
    // The first look: when earlier jobs' pace says this one ends, else in 2 s.
    long first = pace.firstLook(expectedRows, MAX_FIRST_LOOK_MILLIS);
    long wait = first < 0 ? FIRST_LOOK_MILLIS : first;
    nextLookAt.put(
        created.getId(),
        now.plusMillis(Math.max(FIRST_LOOK_MILLIS, Math.min(wait, MAX_FIRST_LOOK_MILLIS))));
    return new PollPage(List.of(), TOKEN + created.getId() + ":", false, null);
  }

  /**
   * The next page of a query job: waits for the job to complete (each look is one call, spaced out
   * from 2 s to 30 s), then reads {@link #RESULTS_PAGE} records per call.
   *
   * @param types the object's field types from describe, to read CSV text as JSON values
   */
  PollPage next(String object, String token, Map<String, String> types, Duration maxWait) {
    String rest = token.substring(TOKEN.length());
    String jobId = rest.substring(0, rest.indexOf(':'));
    String locator = rest.substring(rest.indexOf(':') + 1);
    if (locator.isEmpty() && !awaitQuery(jobId, maxWait)) {
      // Still running: an empty page, and the poll cycle asks again. One call of the connector
      // stays well inside the guard's timeout however long the job takes.
      return new PollPage(List.of(), token, false, null);
    }
    Map<String, String> headers = new java.util.HashMap<>();
    headers.put("jobId", jobId);
    int pageSize = pageSizes.getOrDefault(jobId, RESULTS_PAGE);
    headers.put("maxRecords", String.valueOf(pageSize));
    if (!locator.isEmpty()) {
      headers.put("locator", locator);
    }
    Exchange reply;
    try {
      reply = calls.call("bulk2GetQueryJobResults", null, headers);
    } catch (CrmCallException e) {
      if (!SalesforceConnector.tooLarge(e) || pageSize <= 1_000) {
        throw e;
      }
      // Wide records: a page over the response limit. Half as many per call from here on; the
      // locator is unchanged, so the cycle's next try reads the same place.
      pageSizes.put(jobId, pageSize / 2);
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE,
              "RESPONSE_TOO_LARGE",
              pageSize
                  + " records of job "
                  + jobId
                  + " were too large to read; "
                  + pageSize / 2
                  + " a call from now on"),
          e);
    }
    List<CrmRecord> records = new ArrayList<>();
    Offset.Watermark seen = newest.get(jobId);
    try (Reader in = reader(reply.getMessage().getBody())) {
      BulkCsv.Reader csv = new BulkCsv.Reader(in);
      List<String> header = csv.next();
      if (header == null) {
        throw malformed("a query results page without a header row");
      }
      for (List<String> row = csv.next(); row != null; row = csv.next()) {
        ObjectNode fields = NODES.objectNode();
        for (int c = 0; c < header.size() && c < row.size(); c++) {
          fields.set(header.get(c), value(types.get(header.get(c)), row.get(c)));
        }
        String id = fields.path("Id").asText();
        Instant stamp = SalesforceConnector.parseStamp(fields.path("SystemModstamp").asText());
        records.add(
            new CrmRecord(
                new LeadKey(profileId, object, id),
                stamp,
                fields.path("IsDeleted").asBoolean(false),
                fields));
        Offset.Watermark w = new Offset.Watermark(stamp, id);
        if (seen == null || after(w, seen)) {
          seen = w;
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw malformed("query results of job " + jobId + ": " + e.getMessage());
    }
    Object next = reply.getMessage().getHeader("Sforce-Locator");
    boolean last = next == null || "null".equals(next.toString()) || next.toString().isEmpty();
    if (last) {
      newest.remove(jobId);
      pageSizes.remove(jobId);
      return new PollPage(List.copyOf(records), null, false, seen);
    }
    if (seen != null) {
      newest.put(jobId, seen);
    }
    return new PollPage(List.copyOf(records), TOKEN + jobId + ":" + next, false, null);
  }

  /**
   * How long one poll call waits for a query job before it returns an empty page: half the guard's
   * timeout of a call ({@code aix.crm.timeout}), at most 30 s.
   */
  private volatile Duration waitPerCall = Duration.ofSeconds(30);

  void waitPerCall(Duration callTimeout) {
    Duration half = callTimeout.dividedBy(2);
    this.waitPerCall = half.compareTo(Duration.ofSeconds(30)) < 0 ? half : Duration.ofSeconds(30);
  }

  /** The next pause between two looks at a running job: 2 s, doubling up to 30 s, across calls. */
  private final Map<String, Long> nextPause = new ConcurrentHashMap<>();

  /** When to look next at each running query job (a look is an API call). */
  private final Map<String, Instant> nextLookAt = new ConcurrentHashMap<>();

  /** When each running query job was created. */
  private final Map<String, Instant> started = new ConcurrentHashMap<>();

  /** When each running query job was first waited for: the bound of {@code maxWait}. */
  private final Map<String, Instant> waitingSince = new ConcurrentHashMap<>();

  /** The last query jobs' pace: when to look first at the next. */
  private final io.aix.connector.JobPace pace = new io.aix.connector.JobPace();

  static final long FIRST_LOOK_MILLIS = 2_000;

  /**
   * The longest pause between looks at a query job no pace foresees (the first one): at 15 s, a
   * million-record job was looked at ten times.
   */
  static final long MAX_PAUSE = 30_000;

  static final long MAX_FIRST_LOOK_MILLIS = 600_000;

  /**
   * Waits up to {@link #waitPerCall} for the job; true once it is complete, false while it runs. A
   * job still running {@code maxWait} after it was first waited for, or one that failed, is a
   * retriable failure of the poll cycle (the next cycle starts a new job). Each look is one API
   * call: the first when an earlier job's pace says the job ends (else after 2 s), then after 2 s
   * doubling up to {@link #MAX_PAUSE}.
   */
  private boolean awaitQuery(String jobId, Duration maxWait) {
    Instant first = waitingSince.computeIfAbsent(jobId, id -> Instant.now());
    Instant deadline = first.plus(maxWait);
    Instant callEnds = Instant.now().plus(waitPerCall);
    while (true) {
      Instant lookAt = nextLookAt.get(jobId);
      if (lookAt != null && Instant.now().isBefore(lookAt)) {
        if (lookAt.isAfter(callEnds)) {
          // Sleep out this call's share; a later call of the cycle looks when it is time.
          sleep(Math.max(0, Duration.between(Instant.now(), callEnds).toMillis()));
          return false;
        }
        sleep(Math.max(0, Duration.between(Instant.now(), lookAt).toMillis()));
      }
      QueryJob job =
          calls
              .call("bulk2GetQueryJob", null, Map.of("jobId", jobId))
              .getMessage()
              .getBody(QueryJob.class);
      JobStateEnum state = job == null ? null : job.getState();
      Instant now = Instant.now();
      if (state == JobStateEnum.JOB_COMPLETE) {
        Instant created = started.get(jobId);
        Long rows = job.getNumberRecordsProcessed();
        long processing = processingMillis(job.getTotalProcessingTime());
        if (rows != null && processing > 0) {
          pace.observed(rows, processing);
        } else if (rows != null && created != null) {
          pace.lookedDone(rows, Duration.between(created, now).toMillis());
        }
        forget(jobId);
        return true;
      }
      if (state == JobStateEnum.FAILED || state == JobStateEnum.ABORTED) {
        forget(jobId);
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.RETRIABLE,
                "BULK_QUERY_" + state.name(),
                "Bulk API 2.0 query job " + jobId + " ended " + state.name()),
            null);
      }
      if (now.isAfter(deadline)) {
        forget(jobId);
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.RETRIABLE,
                "BULK_QUERY_TIMEOUT",
                "Bulk API 2.0 query job " + jobId + " still " + state + " after " + maxWait),
            null);
      }
      long pause = nextPause.getOrDefault(jobId, FIRST_LOOK_MILLIS);
      nextPause.put(jobId, Math.min(MAX_PAUSE, pause * 2));
      nextLookAt.put(jobId, now.plusMillis(pause));
    }
  }

  /**
   * A job's {@code totalProcessingTime} ("The number of milliseconds taken to process the job",
   * Bulk API 2.0 guide, "Get Information About an Ingest Job" and "... a Query Job"), or -1 where
   * the org gives none (or 0, as before a job has run).
   */
  static long processingMillis(Long totalProcessingTime) {
    return totalProcessingTime == null || totalProcessingTime <= 0 ? -1 : totalProcessingTime;
  }

  private void forget(String jobId) {
    waitingSince.remove(jobId);
    nextPause.remove(jobId);
    nextLookAt.remove(jobId);
    started.remove(jobId);
  }

  private static boolean after(Offset.Watermark a, Offset.Watermark b) {
    int byTime = a.modifiedAt().compareTo(b.modifiedAt());
    return byTime > 0 || (byTime == 0 && a.lastId().compareTo(b.lastId()) > 0);
  }

  /**
   * A CSV field as the JSON value REST would have given: empty is null; numbers, booleans typed.
   */
  static JsonNode value(String type, String text) {
    if (text.isEmpty()) {
      return NODES.nullNode();
    }
    if (type == null) {
      return NODES.textNode(text);
    }
    try {
      return switch (type) {
        case "double", "percent", "currency" -> NODES.numberNode(new BigDecimal(text));
        case "int" -> NODES.numberNode(Long.parseLong(text));
        case "boolean" -> NODES.booleanNode(Boolean.parseBoolean(text));
        default -> NODES.textNode(text);
      };
    } catch (NumberFormatException e) {
      return NODES.textNode(text);
    }
  }

  // ---------------------------------------------------------------------------------- ingest

  String startJob(String object, List<String> columns, List<BulkScoreWrites.BulkRow> rows) {
    Job job = new Job();
    job.setObject(object);
    job.setOperation(OperationEnum.UPDATE);
    job.setContentType(ContentTypeEnum.CSV);
    job.setColumnDelimiter(ColumnDelimiterEnum.COMMA);
    job.setLineEnding(LineEndingEnum.LF);
    Job created = calls.call("bulk2CreateJob", job, Map.of()).getMessage().getBody(Job.class);
    if (created == null || created.getId() == null) {
      throw malformed("the ingest job's creation returned no job id");
    }
    String jobId = created.getId();
    byte[] csv = BulkCsv.ingest(columns, rows).getBytes(StandardCharsets.UTF_8);
    calls.call("bulk2CreateBatch", new ByteArrayInputStream(csv), Map.of("jobId", jobId));
    calls.call("bulk2CloseJob", null, Map.of("jobId", jobId));
    return jobId;
  }

  BulkScoreWrites.JobState job(String jobId) {
    Job job =
        calls.call("bulk2GetJob", null, Map.of("jobId", jobId)).getMessage().getBody(Job.class);
    if (job == null || job.getState() == null) {
      throw malformed("job " + jobId + " has no state");
    }
    JobStateEnum s = job.getState();
    boolean done =
        s == JobStateEnum.JOB_COMPLETE || s == JobStateEnum.FAILED || s == JobStateEnum.ABORTED;
    return new BulkScoreWrites.JobState(
        s.name(),
        done,
        s == JobStateEnum.FAILED || s == JobStateEnum.ABORTED,
        job.getErrorMessage(),
        job.getNumberRecordsProcessed() == null ? -1 : job.getNumberRecordsProcessed(),
        job.getNumberRecordsFailed() == null ? -1 : job.getNumberRecordsFailed(),
        processingMillis(job.getTotalProcessingTime()));
  }

  /**
   * A finished job's outcome per row. The three result sets part the job's rows: successful, failed
   * (processed, with an error) and unprocessed (never tried, only in a failed or aborted job) (Bulk
   * API 2.0 and Bulk API Developer Guide, "Get Job Successful/Failed/Unprocessed Record Results";
   * "Get Information About an Ingest Job": numberRecordsProcessed, numberRecordsFailed). So a
   * complete job that counts its failures needs no call for its successful rows, which echo every
   * row sent (a million-lead re-score's largest responses): only the failed ones are read, none
   * when it counts none, and every other row was written. The writer checks that the job processed
   * as many rows as it sent. Otherwise, all three are read.
   */
  BulkScoreWrites.Results results(String jobId, BulkScoreWrites.JobState state) {
    Map<String, String> byJob = Map.of("jobId", jobId);
    if (state.counted() && state.state().equals(JobStateEnum.JOB_COMPLETE.name())) {
      List<WriteOutcome.Failed> failed = state.failedRows() == 0 ? List.of() : failedRows(jobId);
      if (failed.size() == state.failedRows()) {
        return new BulkScoreWrites.Results(List.of(), failed, List.of(), true);
      }
      // The failures read are not the failures counted: read every row's outcome.
    }
    List<String> written = new ArrayList<>();
    for (List<String> row : rows(calls.call("bulk2GetSuccessfulResults", null, byJob), "sf__Id")) {
      written.add(row.get(0));
    }
    List<WriteOutcome.Failed> failed = failedRows(jobId);
    List<String> unprocessed = new ArrayList<>();
    List<List<String>> left = rowsWithHeader(calls.call("bulk2GetUnprocessedRecords", null, byJob));
    if (!left.isEmpty()) {
      int idColumn = left.get(0).indexOf("Id");
      for (List<String> row : left.subList(1, left.size())) {
        if (idColumn >= 0 && idColumn < row.size()) {
          unprocessed.add(row.get(idColumn));
        }
      }
    }
    return new BulkScoreWrites.Results(written, failed, unprocessed);
  }

  /**
   * A job's failed rows: {@code sf__Id} (may be empty), {@code sf__Error}, then the columns sent,
   * Id among them. Read row by row; only each row's id and error are kept.
   */
  private List<WriteOutcome.Failed> failedRows(String jobId) {
    Exchange reply = calls.call("bulk2GetFailedResults", null, Map.of("jobId", jobId));
    List<WriteOutcome.Failed> failed = new ArrayList<>();
    try (Reader in = reader(reply.getMessage().getBody())) {
      BulkCsv.Reader csv = new BulkCsv.Reader(in);
      List<String> header = csv.next();
      int idColumn = header == null ? -1 : header.indexOf("Id");
      for (List<String> row = csv.next(); row != null; row = csv.next()) {
        String id = idColumn >= 0 && idColumn < row.size() ? row.get(idColumn) : row.get(0);
        failed.add(new WriteOutcome.Failed(id, error(row.size() > 1 ? row.get(1) : "")));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw malformed("job results: " + e.getMessage());
    }
    return failed;
  }

  /**
   * {@code sf__Error} is {@code STATUS_CODE:message:fields --}: the code classifies as a REST save
   * error's would.
   */
  static CrmFailure error(String sfError) {
    int colon = sfError.indexOf(':');
    String code =
        colon > 0 ? sfError.substring(0, colon) : (sfError.isEmpty() ? "UNKNOWN_ERROR" : sfError);
    String message =
        colon > 0 ? sfError.substring(colon + 1).replaceFirst("\\s*--\\s*$", "") : sfError;
    return SalesforceErrors.recordError(code, message);
  }

  private List<List<String>> rows(Exchange reply, String firstColumn) {
    List<List<String>> all = rowsWithHeader(reply);
    if (all.isEmpty()) {
      return List.of();
    }
    if (!all.get(0).isEmpty() && !all.get(0).get(0).equals(firstColumn)) {
      throw malformed("results begin with " + all.get(0) + ", not " + firstColumn);
    }
    return all.subList(1, all.size());
  }

  private List<List<String>> rowsWithHeader(Exchange reply) {
    List<List<String>> out = new ArrayList<>();
    try (Reader in = reader(reply.getMessage().getBody())) {
      BulkCsv.Reader csv = new BulkCsv.Reader(in);
      for (List<String> row = csv.next(); row != null; row = csv.next()) {
        out.add(row);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw malformed("job results: " + e.getMessage());
    }
    return out;
  }

  private static Reader reader(Object body) {
    if (body instanceof InputStream in) {
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }
    if (body instanceof byte[] bytes) {
      return new BufferedReader(
          new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8));
    }
    // Buffered: the CSV reader looks one character ahead after a quote (mark/reset).
    return new BufferedReader(new java.io.StringReader(body == null ? "" : body.toString()));
  }

  private static CrmCallException malformed(String message) {
    return new CrmCallException(
        new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", message), null);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CrmCallException(
          new CrmFailure(
              CrmFailure.Kind.RETRIABLE, "INTERRUPTED", "stopped while waiting for a job"),
          e);
    }
  }
}
