package io.aix.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.connector.BulkScoreWrites;
import io.aix.connector.CrmCallException;
import io.aix.connector.CrmFailure;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.connector.WriteOutcome;
import io.aix.connector.salesforce.BulkCsv;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import jakarta.ws.rs.core.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * HubSpot's asynchronous mass APIs, where they beat the batch endpoints on calls:
 *
 * <ul>
 *   <li><b>Imports</b> (CRM/Imports v3, {@code POST /crm/v3/imports}, multipart with {@code
 *       importRequest} and {@code files}) for mass writebacks: one CSV file of up to 1,048,576 rows
 *       updates contacts by record id (the id column mapped with {@code idColumnType}
 *       HUBSPOT_OBJECT_ID, {@code importOperations} {"0-1": "UPDATE"} so that no contact is ever
 *       created); its state is read with {@code GET /crm/v3/imports/{id}} (STARTED, PROCESSING,
 *       DONE, FAILED, CANCELED, DEFERRED, REVERTED), its failed rows with {@code .../errors}. Rows
 *       not named there were written. An empty cell leaves a property as it is (imports do not
 *       clear values), so a score whose field is empty keeps the CRM's previous value there.
 *   <li><b>Exports</b> (CRM/Exports v3, {@code POST /crm/v3/exports/export/async}, then {@code
 *       .../tasks/{id}/status} until COMPLETE with the file's URL) for backfills: the poll window's
 *       contacts in one CSV file, read {@link #EXPORT_PAGE} records per poll page, instead of one
 *       search call per 200 at five searches a second.
 * </ul>
 *
 * Every API call goes through the connector's one call path ({@link Calls}): paced by the rate
 * governor, counted, budgeted. The export file's download is from a pre-signed link, not the API;
 * it is counted among the connector's calls all the same.
 */
final class HubSpotBulk {
  /** The connector's call path: paced, counted, its failures classified. */
  interface Calls {
    Response raw(Supplier<Response> request);

    CrmCallException failure(Response response);

    void count();
  }

  /** Rows in one import file (HubSpot's import limit per file). */
  static final int MAX_IMPORT_ROWS = 1_048_576;

  /** Errors read per call of the import errors endpoint. */
  static final int ERRORS_PAGE = 500;

  /** Records of a downloaded export per poll page. */
  static final int EXPORT_PAGE = 10_000;

  private static final String ID_COLUMN = "Record ID";
  private static final String TOKEN = "x|";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String profileId;
  private final HubSpotApi api;
  private final Calls calls;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * Per import this process started: the record id of each file row, in order. Kept after the
   * results were read, since the writer may fail to store them (a deadlock, a restart of the
   * database) and read them again; the oldest go once more than {@link #KEPT_IMPORTS} are kept (the
   * writer runs one job at a time per object).
   */
  private final Map<String, List<String>> importRows =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
              return size() > KEPT_IMPORTS;
            }
          });

  static final int KEPT_IMPORTS = 4;

  /** Per export being read: the downloaded file and the reader at its next row. */
  private final Map<String, OpenFile> files = new ConcurrentHashMap<>();

  private record OpenFile(
      Path path, BufferedReader reader, BulkCsv.Reader csv, List<String> header) {}

  /** The newest (stamp, id) each export read so far: its offset once its last page is read. */
  private final Map<String, Offset.Watermark> newest = new ConcurrentHashMap<>();

  HubSpotBulk(String profileId, HubSpotApi api, Calls calls) {
    this.profileId = profileId;
    this.api = api;
    this.calls = calls;
  }

  // ------------------------------------------------------------------------------ imports

  String startImport(String object, List<String> columns, List<BulkScoreWrites.BulkRow> rows) {
    if (!object.equals("contacts")) {
      throw new IllegalArgumentException(
          "HubSpot imports here update contacts only, not " + object);
    }
    if (rows.size() > MAX_IMPORT_ROWS) {
      throw new IllegalArgumentException(
          rows.size() + " rows in one import; HubSpot takes " + MAX_IMPORT_ROWS + " a file");
    }
    StringBuilder csv = new StringBuilder(64 + rows.size() * 24 * (columns.size() + 1));
    csv.append(ID_COLUMN);
    columns.forEach(c -> csv.append(',').append(BulkCsv.quote(c)));
    csv.append('\n');
    List<String> ids = new ArrayList<>(rows.size());
    for (BulkScoreWrites.BulkRow row : rows) {
      ids.add(row.crmId());
      csv.append(BulkCsv.quote(row.crmId()));
      for (String c : columns) {
        Object v = row.values().get(c);
        csv.append(',').append(v == null ? "" : BulkCsv.quote(v.toString()));
      }
      csv.append('\n');
    }
    String fileName = "aix-scores-" + profileId + "-" + System.currentTimeMillis() + ".csv";
    ObjectNode request = NODES.objectNode();
    request.put("name", "AIX scores " + profileId);
    request.putObject("importOperations").put("0-1", "UPDATE");
    ObjectNode file = request.putArray("files").addObject();
    file.put("fileName", fileName);
    file.put("fileFormat", "CSV");
    ObjectNode page = file.putObject("fileImportPage");
    page.put("hasHeader", true);
    ArrayNode mappings = page.putArray("columnMappings");
    ObjectNode id = mappings.addObject();
    id.put("columnName", ID_COLUMN);
    id.put("columnObjectTypeId", "0-1");
    id.put("idColumnType", "HUBSPOT_OBJECT_ID");
    for (String c : columns) {
      ObjectNode m = mappings.addObject();
      m.put("columnName", c);
      m.put("columnObjectTypeId", "0-1");
      m.put("propertyName", c);
    }
    String body = multipart(request.toString(), fileName, csv.toString());
    Response response = calls.raw(() -> api.startImport(body));
    if (response.getStatus() != 200 && response.getStatus() != 201) {
      throw calls.failure(response);
    }
    String importId = response.readEntity(JsonNode.class).path("id").asText("");
    if (importId.isEmpty()) {
      throw malformed("the import's creation returned no id");
    }
    importRows.put(importId, List.copyOf(ids));
    return importId;
  }

  static String multipart(String request, String fileName, String csv) {
    String b = HubSpotApi.IMPORT_BOUNDARY;
    if (request.contains(b) || csv.contains(b)) {
      throw new IllegalArgumentException("an import part holds the multipart boundary");
    }
    return "--"
        + b
        + "\r\nContent-Disposition: form-data; name=\"importRequest\"\r\n\r\n"
        + request
        + "\r\n--"
        + b
        + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\""
        + fileName
        + "\"\r\nContent-Type: text/csv\r\n\r\n"
        + csv
        + "\r\n--"
        + b
        + "--\r\n";
  }

  BulkScoreWrites.JobState importState(String importId) {
    Response response = calls.raw(() -> api.importStatus(importId));
    if (response.getStatus() != 200) {
      throw calls.failure(response);
    }
    JsonNode imp = response.readEntity(JsonNode.class);
    String state = imp.path("state").asText("");
    return switch (state) {
      case "DONE" ->
          importRows.containsKey(importId)
              ? new BulkScoreWrites.JobState(state, true, false, null)
              // Started by a process that stopped since: which row was which record is not
              // known here, so the rows are sent again (writes are idempotent).
              : new BulkScoreWrites.JobState(
                  state, true, true, "rows of import " + importId + " unknown after a restart");
      case "FAILED", "CANCELED", "REVERTED" ->
          new BulkScoreWrites.JobState(state, true, true, "import " + importId + " " + state);
      default -> new BulkScoreWrites.JobState(state, false, false, null);
    };
  }

  /** Every row's outcome: failed where the errors endpoint names its line, written otherwise. */
  BulkScoreWrites.Results importResults(String importId) {
    List<String> ids = importRows.get(importId);
    if (ids == null) {
      throw new IllegalStateException("import " + importId + " was not started by this process");
    }
    Map<String, WriteOutcome.Failed> failed = new HashMap<>();
    String after = null;
    do {
      String cursor = after;
      Response response = calls.raw(() -> api.importErrors(importId, cursor, ERRORS_PAGE));
      if (response.getStatus() != 200) {
        throw calls.failure(response);
      }
      JsonNode page = response.readEntity(JsonNode.class);
      for (JsonNode e : page.path("results")) {
        int line = e.path("sourceData").path("lineNumber").asInt(-1);
        // Line 1 is the header; line 0 is a file-wide error, which fails no row in particular.
        if (line < 2 || line - 2 >= ids.size()) {
          continue;
        }
        String crmId = ids.get(line - 2);
        failed.put(crmId, new WriteOutcome.Failed(crmId, rowFailure(e)));
      }
      String next = page.path("paging").path("next").path("after").asText("");
      after = next.isEmpty() || next.equals(cursor) ? null : next;
    } while (after != null);
    List<String> written = new ArrayList<>(ids.size() - failed.size());
    for (String id : ids) {
      if (!failed.containsKey(id)) {
        written.add(id);
      }
    }
    return new BulkScoreWrites.Results(written, List.copyOf(failed.values()), List.of());
  }

  /**
   * A failed row: the record is gone or the value is one the property cannot hold (permanent, to
   * dead_letter with HubSpot's error); anything else (UNKNOWN_ERROR, limits) is tried again.
   */
  static CrmFailure rowFailure(JsonNode error) {
    String type = error.path("errorType").asText("UNKNOWN_ERROR");
    String message = error.path("errorMessage").asText(type);
    boolean permanent =
        switch (type) {
          case "INVALID_OBJECT_ID",
              "INVALID_RECORD_ID",
              "UPDATE_ONLY_IMPORT",
              "INVALID_ENUMERATION_OPTION",
              "COULD_NOT_PARSE_NUMBER",
              "COULD_NOT_PARSE_DATE",
              "INVALID_PROPERTY_VALUE_FORMAT",
              "FAILED_VALIDATION",
              "PROPERTY_DEFINITION_NOT_FOUND",
              "COLUMN_TOO_LARGE",
              "ROW_DATA_TOO_LARGE",
              "INVALID_NUMBER_SIZE" ->
              true;
          default -> false;
        };
    return new CrmFailure(
        permanent ? CrmFailure.Kind.PERMANENT : CrmFailure.Kind.RETRIABLE, type, message);
  }

  // ------------------------------------------------------------------------------ exports

  static boolean isExportToken(String pageToken) {
    return pageToken != null && pageToken.startsWith(TOKEN);
  }

  /** Starts an export of the window {@code [from, until)}; an empty page with its token. */
  PollPage startExport(List<String> properties, long from, long until) {
    ObjectNode request = NODES.objectNode();
    request.put("exportType", "VIEW");
    request.put("format", "CSV");
    request.put("exportName", "AIX backfill " + profileId);
    request.put("language", "EN");
    request.put("objectType", "CONTACT");
    request.putArray("exportInternalValuesOptions").add("NAMES").add("VALUES");
    ArrayNode props = request.putArray("objectProperties");
    properties.forEach(props::add);
    request.putArray("associatedObjectType");
    request.put("includeLabeledAssociations", false);
    request.put("includePrimaryDisplayPropertyForAssociatedObjects", false);
    request.put("overrideAssociatedObjectsPerDefinitionPerRowLimit", false);
    ObjectNode search = request.putObject("publicCrmSearchRequest");
    search.putArray("filters");
    search.putArray("sorts");
    ArrayNode filters = search.putArray("filterGroups").addObject().putArray("filters");
    filters
        .addObject()
        .put("propertyName", "lastmodifieddate")
        .put("operator", "GTE")
        .put("value", String.valueOf(from));
    filters
        .addObject()
        .put("propertyName", "lastmodifieddate")
        .put("operator", "LT")
        .put("value", String.valueOf(until));
    Response response = calls.raw(() -> api.startExport(request));
    if (response.getStatus() != 202 && response.getStatus() != 200) {
      throw calls.failure(response);
    }
    String task = response.readEntity(JsonNode.class).path("id").asText("");
    if (task.isEmpty()) {
      throw malformed("the export's creation returned no task id");
    }
    return new PollPage(List.of(), TOKEN + task, false, null);
  }

  /** When each running export was last looked at (epoch ms), and the pause before the next look. */
  private final Map<String, long[]> looks = new ConcurrentHashMap<>();

  /**
   * The next page of an export: while it runs, an empty page (a look at its status at most every 2
   * s, doubling to 15 s: each look is an API call); once COMPLETE, the file is downloaded once and
   * read {@link #EXPORT_PAGE} records a page.
   */
  PollPage next(String object, String token, Duration maxWait) {
    String task = token.substring(TOKEN.length());
    OpenFile open = files.get(task);
    if (open == null) {
      String url = awaitResult(task, maxWait);
      if (url == null) {
        return new PollPage(List.of(), token, false, null);
      }
      open = download(task, url);
    }
    List<CrmRecord> records = new ArrayList<>();
    Offset.Watermark seen = newest.get(task);
    try {
      for (List<String> row = open.csv().next();
          row != null;
          row = records.size() < EXPORT_PAGE ? open.csv().next() : null) {
        ObjectNode fields = NODES.objectNode();
        for (int c = 0; c < open.header().size() && c < row.size(); c++) {
          String v = row.get(c);
          if (v.isEmpty()) {
            fields.putNull(open.header().get(c)); // as search shows a property without a value
          } else {
            fields.put(open.header().get(c), v);
          }
        }
        String id = fields.path("hs_object_id").asText();
        fields.put("id", id);
        Instant stamp = HubSpotConnector.parseStamp(fields.path("lastmodifieddate").asText(""));
        records.add(new CrmRecord(new LeadKey(profileId, object, id), stamp, false, fields));
        Offset.Watermark w = new Offset.Watermark(stamp, id);
        if (seen == null || after(w, seen)) {
          seen = w;
        }
      }
    } catch (IOException | RuntimeException e) {
      close(task);
      throw malformed("export " + task + " file: " + e.getMessage());
    }
    if (records.size() < EXPORT_PAGE) {
      close(task);
      newest.remove(task);
      return new PollPage(List.copyOf(records), null, false, seen);
    }
    if (seen != null) {
      newest.put(task, seen);
    }
    return new PollPage(List.copyOf(records), token, false, null);
  }

  private static boolean after(Offset.Watermark a, Offset.Watermark b) {
    int t = a.modifiedAt().compareTo(b.modifiedAt());
    return t != 0
        ? t > 0
        : Long.compare(Long.parseLong(a.lastId()), Long.parseLong(b.lastId())) > 0;
  }

  /** The file's URL once the export is COMPLETE; null while it runs (after one look or none). */
  private String awaitResult(String task, Duration maxWait) {
    long deadline = System.currentTimeMillis() + maxWait.toMillis();
    while (true) {
      long[] look = looks.computeIfAbsent(task, t -> new long[] {0, 2_000});
      long now = System.currentTimeMillis();
      if (now < look[0]) {
        if (look[0] > deadline) {
          return null;
        }
        sleep(look[0] - now);
      }
      Response response = calls.raw(() -> api.exportStatus(task));
      if (response.getStatus() != 200) {
        throw calls.failure(response);
      }
      JsonNode status = response.readEntity(JsonNode.class);
      switch (status.path("status").asText("")) {
        case "COMPLETE" -> {
          looks.remove(task);
          return status.path("result").asText();
        }
        case "CANCELED" -> {
          looks.remove(task);
          throw new CrmCallException(
              new CrmFailure(
                  CrmFailure.Kind.RETRIABLE, "EXPORT_CANCELED", "export " + task + " was canceled"),
              null);
        }
        default -> {
          look[0] = System.currentTimeMillis() + look[1];
          look[1] = Math.min(15_000, look[1] * 2);
        }
      }
    }
  }

  private OpenFile download(String task, String url) {
    calls.count();
    try {
      Path path = Files.createTempFile("aix-hubspot-export-" + task + "-", ".csv");
      path.toFile().deleteOnExit();
      HttpResponse<Path> got =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
              HttpResponse.BodyHandlers.ofFile(path));
      if (got.statusCode() != 200) {
        Files.deleteIfExists(path);
        // An expired link: the next look at the status gives a fresh one.
        throw new CrmCallException(
            new CrmFailure(
                CrmFailure.Kind.RETRIABLE,
                "EXPORT_DOWNLOAD",
                "export " + task + " download answered " + got.statusCode()),
            null);
      }
      BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
      BulkCsv.Reader csv = new BulkCsv.Reader(reader);
      List<String> header = csv.next();
      if (header == null || !header.contains("hs_object_id")) {
        reader.close();
        throw malformed("export " + task + " file has no hs_object_id column");
      }
      OpenFile open = new OpenFile(path, reader, csv, header);
      files.put(task, open);
      return open;
    } catch (IOException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "EXPORT_DOWNLOAD", e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "EXPORT_DOWNLOAD", "interrupted"), e);
    }
  }

  private void close(String task) {
    OpenFile open = files.remove(task);
    if (open != null) {
      try {
        open.reader().close();
        Files.deleteIfExists(open.path());
      } catch (IOException ignored) {
        // a temp file left behind is deleted on exit
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(Math.max(0, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "INTERRUPTED", "interrupted"), e);
    }
  }

  private static CrmCallException malformed(String message) {
    return new CrmCallException(
        new CrmFailure(CrmFailure.Kind.RETRIABLE, "MALFORMED_RESPONSE", message), null);
  }

  static Set<String> columns(List<BulkScoreWrites.BulkRow> rows) {
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(r -> columns.addAll(r.values().keySet()));
    return columns;
  }
}
