package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HubSpot's CRM Imports and Exports APIs in the sandbox portal, as far as AIX uses them: an import
 * that UPDATES contacts by record id from a CSV file, and a CSV export of a view of contacts.
 *
 * <p>Sources, read only and summarised here in our own words (the spec collection is proprietary):
 * {@code HubSpot/HubSpot-public-api-spec-collection} at {@code
 * PublicApiSpecs/CRM/Imports/Rollouts/144903/v3/imports.json} and {@code
 * PublicApiSpecs/CRM/Exports/Rollouts/95922/v3/exports.json}; HubSpot's imports and exports guides
 * (developers.hubspot.com/docs/api/crm/imports, .../exports) and its knowledge-base article on
 * import file limits. Where those are silent the sandbox is stricter than HubSpot, never more
 * lenient; each such choice is marked "stricter" below.
 *
 * <p>Latency: an import or export is processed {@link #startMillis} after it is accepted, then at
 * {@link #rowsPerSecond} rows a second. HubSpot publishes no processing speed; the default, 926
 * rows a second, is the slowest rate at which HubSpot could honour its own documented cap of
 * 80,000,000 imported rows a day through the API (80e6 / 86,400 s). It is a floor, chosen so that a
 * comparison with the batch endpoints does not flatter the asynchronous APIs.
 */
final class PortalBulk {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Rows in one import file (knowledge base, "Set up import files": 1,048,576 a file). */
  static final int MAX_ROWS_PER_FILE = 1_048_576;

  /** Imports a rolling day (same article: 500 for paid tiers). */
  static final int IMPORTS_PER_DAY = 500;

  /** Exports a rolling day (exports guide, Limits: 30 in 24 hours, one at a time). */
  static final int EXPORTS_PER_DAY = 30;

  /** A download link lives five minutes (exports guide); the sandbox refuses it after that. */
  static final long DOWNLOAD_TTL_MILLIS = 5 * 60_000;

  /** Page size of the import errors endpoint: at most this many a call (stricter: 500). */
  static final int ERRORS_PAGE_MAX = 500;

  volatile long startMillis = 2_000;
  volatile double rowsPerSecond = 926;

  private final HubSpotPortal portal;
  private final Clock clock;
  private final AtomicLong ids = new AtomicLong(40_000_001);
  private final Map<String, Import> imports = new ConcurrentHashMap<>();
  private final Map<String, Export> exports = new ConcurrentHashMap<>();
  private final AtomicLong importCalls = new AtomicLong();
  private final AtomicLong exportCalls = new AtomicLong();
  private final AtomicLong downloads = new AtomicLong();

  PortalBulk(HubSpotPortal portal, Clock clock) {
    this.portal = portal;
    this.clock = clock;
  }

  synchronized void reset() {
    imports.clear();
    exports.clear();
    importCalls.set(0);
    exportCalls.set(0);
    downloads.set(0);
    startMillis = 2_000;
    rowsPerSecond = 926;
  }

  long importCalls() {
    return importCalls.get();
  }

  long exportCalls() {
    return exportCalls.get();
  }

  long downloads() {
    return downloads.get();
  }

  int importsStarted() {
    return imports.size();
  }

  int exportsStarted() {
    return exports.size();
  }

  private long dueAt(long accepted, int rows) {
    return accepted + startMillis + (long) Math.ceil(rows * 1000.0 / rowsPerSecond);
  }

  // ------------------------------------------------------------------------------- imports

  /** One row's failure, as the errors endpoint lists it (PublicImportError). */
  record RowError(String id, int lineNumber, String errorType, String message, List<String> row) {}

  private static final class Import {
    final String id;
    final String name;
    final JsonNode request;
    final long accepted;
    final long due;
    final List<String> header;
    final List<List<String>> rows;
    final int idColumn;
    final Map<Integer, String> columnProperty;
    volatile boolean applied;
    volatile String state = "STARTED";
    final List<RowError> errors = new ArrayList<>();
    int updated;

    Import(
        String id,
        String name,
        JsonNode request,
        long accepted,
        long due,
        List<String> header,
        List<List<String>> rows,
        int idColumn,
        Map<Integer, String> columnProperty) {
      this.id = id;
      this.name = name;
      this.request = request;
      this.accepted = accepted;
      this.due = due;
      this.header = header;
      this.rows = rows;
      this.idColumn = idColumn;
      this.columnProperty = columnProperty;
    }
  }

  /**
   * {@code POST /crm/v3/imports}, multipart/form-data with a text part {@code importRequest} (JSON)
   * and a file part {@code files} (imports.json: the request body's two parts; the guide: the
   * request JSON names the import, maps each column by {@code columnName} to a {@code propertyName}
   * and {@code columnObjectTypeId} (0-1 for contacts), says whether the file has a header, and
   * {@code importOperations} {"0-1": "UPDATE"} makes it update only). The record id column is
   * mapped with {@code idColumnType} {@code HUBSPOT_OBJECT_ID}. Answers 200 with the import
   * (PublicImportResponse: id, state, createdAt, updatedAt, metadata...).
   *
   * <p>Stricter than HubSpot where the sources are silent: the file must be CSV with a header row;
   * every header column must be mapped (an unknown column is refused, not ignored); the mapped
   * properties must exist on contacts; the operation must be UPDATE with exactly one column mapped
   * as HUBSPOT_OBJECT_ID; a column named like the record id ({@code hs_object_id}, "Record ID")
   * that is not mapped as the record id is refused (it would silently update nothing by id).
   */
  Reply startImport(String contentType, String body, Map<String, String> limits) {
    importCalls.incrementAndGet();
    Map<String, Part> parts;
    try {
      parts = multipart(contentType, body);
    } catch (IllegalArgumentException e) {
      return bad(e.getMessage(), limits);
    }
    Part requestPart = parts.get("importRequest");
    Part file = parts.get("files");
    if (requestPart == null || file == null) {
      return bad("an import needs the parts importRequest and files", limits);
    }
    JsonNode request;
    try {
      request = JSON.readTree(requestPart.content());
    } catch (Exception e) {
      return bad("importRequest is not JSON: " + e.getMessage(), limits);
    }
    long now = clock.millis();
    long today = imports.values().stream().filter(i -> i.accepted > now - 86_400_000L).count();
    if (today >= IMPORTS_PER_DAY) {
      return HubSpotPortal.errorReply(
          429, "RATE_LIMITS", "You have reached the limit of imports in 24 hours.", limits);
    }
    JsonNode files = request.path("files");
    if (files.size() != 1) {
      return bad("the sandbox takes exactly one file per import", limits);
    }
    JsonNode f = files.get(0);
    if (!f.path("fileName").asText().equals(file.fileName())) {
      return bad(
          "files[0].fileName '"
              + f.path("fileName").asText()
              + "' does not name the uploaded file '"
              + file.fileName()
              + "'",
          limits);
    }
    if (!f.path("fileFormat").asText("CSV").equals("CSV")) {
      return bad("the sandbox imports CSV files only", limits);
    }
    JsonNode page = f.path("fileImportPage");
    if (!page.path("hasHeader").asBoolean(false)) {
      return bad("fileImportPage.hasHeader must be true (stricter than HubSpot)", limits);
    }
    if (!"UPDATE".equals(request.path("importOperations").path("0-1").asText(""))) {
      return bad("importOperations must be {\"0-1\": \"UPDATE\"} (stricter than HubSpot)", limits);
    }
    List<List<String>> table;
    try {
      table = Csv.parse(file.content());
    } catch (RuntimeException e) {
      return bad("the file is not valid CSV: " + e.getMessage(), limits);
    }
    if (table.isEmpty()) {
      return bad("the file has no header row", limits);
    }
    List<String> header = table.get(0);
    List<List<String>> rows = table.subList(1, table.size());
    if (rows.size() > MAX_ROWS_PER_FILE) {
      return bad(
          "a file holds at most " + MAX_ROWS_PER_FILE + " rows; this one " + rows.size(), limits);
    }
    Map<String, JsonNode> mappings = new LinkedHashMap<>();
    for (JsonNode m : page.path("columnMappings")) {
      mappings.put(m.path("columnName").asText(), m);
    }
    int idColumn = -1;
    Map<Integer, String> columnProperty = new LinkedHashMap<>();
    for (int c = 0; c < header.size(); c++) {
      String name = header.get(c);
      JsonNode m = mappings.get(name);
      if (m == null) {
        return bad("column '" + name + "' is not mapped (stricter than HubSpot)", limits);
      }
      if (!"0-1".equals(m.path("columnObjectTypeId").asText())) {
        return bad("column '" + name + "' must map to contacts (columnObjectTypeId 0-1)", limits);
      }
      if ("HUBSPOT_OBJECT_ID".equals(m.path("idColumnType").asText(""))) {
        if (idColumn >= 0) {
          return bad("two columns are mapped as the record id", limits);
        }
        idColumn = c;
        continue;
      }
      String property = m.path("propertyName").asText("");
      if (property.equals("hs_object_id")
          || name.equalsIgnoreCase("Record ID")
          || name.equals("hs_object_id")) {
        return bad(
            "column '"
                + name
                + "' holds record ids but is not mapped with idColumnType"
                + " HUBSPOT_OBJECT_ID",
            limits);
      }
      if (!portal.hasProperty("contacts", property)) {
        return bad("column '" + name + "' maps to unknown property '" + property + "'", limits);
      }
      columnProperty.put(c, property);
    }
    if (idColumn < 0) {
      return bad(
          "an UPDATE import needs a column mapped with idColumnType HUBSPOT_OBJECT_ID", limits);
    }
    String id = String.valueOf(ids.getAndIncrement());
    Import imp =
        new Import(
            id,
            request.path("name").asText("import " + id),
            request,
            now,
            dueAt(now, rows.size()),
            header,
            List.copyOf(rows),
            idColumn,
            columnProperty);
    imports.put(id, imp);
    return Reply.json(200, view(imp).toString(), limits);
  }

  /**
   * Applies every import whose processing time is over. HubSpot applies an import whether anyone
   * looks or not; the sandbox does it at the next request it serves, which nobody can tell apart.
   */
  void settleDue() {
    long now = clock.millis();
    for (Import imp : imports.values()) {
      if (!imp.applied && now >= imp.due) {
        apply(imp);
      }
    }
    for (Export e : exports.values()) {
      if (e.file == null && now >= e.due) {
        synchronized (e) {
          if (e.file == null) {
            e.file = portal.exportCsv(e.properties, e.from, e.until);
          }
        }
      }
    }
  }

  private synchronized void apply(Import imp) {
    if (imp.applied) {
      return;
    }
    // Rows are written in file order; one import stamps its records with one lastmodifieddate
    // per row batch, as HubSpot's bulk imports are seen to (many records in one millisecond).
    for (int r = 0; r < imp.rows.size(); r++) {
      List<String> row = imp.rows.get(r);
      int line = r + 2; // 1-indexed, after the header
      if (row.size() != imp.header.size()) {
        imp.errors.add(
            new RowError(
                UUID.randomUUID().toString(),
                line,
                "INCORRECT_NUMBER_OF_COLUMNS",
                "row has " + row.size() + " columns, the header " + imp.header.size(),
                row));
        continue;
      }
      String recordId = row.get(imp.idColumn);
      Map<String, String> values = new LinkedHashMap<>();
      String failure = null;
      String failureType = null;
      for (Map.Entry<Integer, String> e : imp.columnProperty.entrySet()) {
        String v = row.get(e.getKey());
        if (v.isEmpty()) {
          continue; // an empty cell leaves the property as it is (imports never clear)
        }
        String problem = portal.validateValue("contacts", e.getValue(), v);
        if (problem != null) {
          failure = problem;
          failureType =
              problem.contains("number") ? "COULD_NOT_PARSE_NUMBER" : "INVALID_ENUMERATION_OPTION";
          break;
        }
        values.put(e.getValue(), v);
      }
      if (failure != null) {
        imp.errors.add(new RowError(UUID.randomUUID().toString(), line, failureType, failure, row));
        continue;
      }
      if (!portal.importUpdate(recordId, values)) {
        imp.errors.add(
            new RowError(
                UUID.randomUUID().toString(),
                line,
                "INVALID_OBJECT_ID",
                "no contact with record id " + recordId,
                row));
        continue;
      }
      imp.updated++;
    }
    imp.state = "DONE";
    imp.applied = true;
  }

  /** {@code GET /crm/v3/imports/{importId}}: the import, its state and counters. */
  Reply importStatus(String id, Map<String, String> limits) {
    importCalls.incrementAndGet();
    Import imp = imports.get(id);
    if (imp == null) {
      return HubSpotPortal.errorReply(
          404, "OBJECT_NOT_FOUND", "import " + id + " not found", limits);
    }
    if (!imp.applied && clock.millis() >= imp.accepted + startMillis) {
      imp.state = "PROCESSING";
    }
    return Reply.json(200, view(imp).toString(), limits);
  }

  /**
   * {@code GET /crm/v3/imports/{importId}/errors?after=&limit=}: the failed rows
   * (CollectionResponsePublicImportErrorForwardPaging: results of PublicImportError with errorType,
   * sourceData.lineNumber/rowData, paging.next.after). Stricter than HubSpot: only once the import
   * is DONE (409 before), and at most {@link #ERRORS_PAGE_MAX} a page.
   */
  Reply importErrors(String id, String query, Map<String, String> limits) {
    importCalls.incrementAndGet();
    Import imp = imports.get(id);
    if (imp == null) {
      return HubSpotPortal.errorReply(
          404, "OBJECT_NOT_FOUND", "import " + id + " not found", limits);
    }
    if (!imp.applied) {
      return HubSpotPortal.errorReply(
          409,
          "CONFLICT",
          "import " + id + " is " + imp.state + "; errors once it is DONE",
          limits);
    }
    Map<String, String> params = FormData.parse(query);
    int limit;
    int after;
    try {
      limit = Integer.parseInt(params.getOrDefault("limit", "100"));
      after = Integer.parseInt(params.getOrDefault("after", "0"));
    } catch (NumberFormatException e) {
      return bad("limit and after must be numbers", limits);
    }
    if (limit < 1 || limit > ERRORS_PAGE_MAX || after < 0) {
      return bad("limit must be between 1 and " + ERRORS_PAGE_MAX, limits);
    }
    ObjectNode reply = NODES.objectNode();
    ArrayNode results = reply.putArray("results");
    int end = Math.min(imp.errors.size(), after + limit);
    for (RowError e : imp.errors.subList(Math.min(after, end), end)) {
      ObjectNode o = results.addObject();
      o.put("id", e.id());
      o.put("createdAt", imp.due);
      o.put("errorType", e.errorType());
      o.put("errorMessage", e.message());
      o.put("objectType", "CONTACT");
      ObjectNode source = o.putObject("sourceData");
      source.put("lineNumber", e.lineNumber());
      source.put("fileId", Long.parseLong(imp.id));
      source.put("containsEncryptedProperties", false);
      ArrayNode data = source.putArray("rowData");
      e.row().forEach(data::add);
      source.putArray("additionalRowData");
    }
    if (end < imp.errors.size()) {
      reply.putObject("paging").putObject("next").put("after", String.valueOf(end));
    }
    return Reply.json(200, reply.toString(), limits);
  }

  private static ObjectNode view(Import imp) {
    ObjectNode o = NODES.objectNode();
    o.put("id", imp.id);
    o.put("importName", imp.name);
    o.put("state", imp.state);
    o.put("importSource", "API");
    o.put("optOutImport", false);
    o.put("createdAt", Instant.ofEpochMilli(imp.accepted).toString());
    o.put("updatedAt", Instant.ofEpochMilli(imp.applied ? imp.due : imp.accepted).toString());
    o.putArray("mappedObjectTypeIds").add("0-1");
    ObjectNode meta = o.putObject("metadata");
    meta.putArray("fileIds").add(imp.id);
    meta.putArray("objectLists");
    ObjectNode counters = meta.putObject("counters");
    counters.put("TOTAL_ROWS", imp.rows.size());
    if (imp.applied) {
      counters.put("UPDATED_OBJECTS", imp.updated);
      counters.put("ERRORS", imp.errors.size());
    }
    o.set("importRequestJson", imp.request);
    return o;
  }

  // ------------------------------------------------------------------------------- exports

  private static final class Export {
    final String id;
    final long accepted;
    final long due;
    final List<String> properties;
    final long from;
    final long until;
    volatile String file;
    final String secret = UUID.randomUUID().toString();

    Export(String id, long accepted, long due, List<String> properties, long from, long until) {
      this.id = id;
      this.accepted = accepted;
      this.due = due;
      this.properties = properties;
      this.from = from;
      this.until = until;
    }
  }

  /**
   * {@code POST /crm/v3/exports/export/async} (exports.json: 202 with a TaskLocator {id, links}).
   * The sandbox takes a VIEW export of contacts (objectType CONTACT or 0-1), format CSV, with
   * {@code exportInternalValuesOptions} NAMES and VALUES (so the header holds property names, not
   * labels) and {@code objectProperties}; {@code publicCrmSearchRequest} may bound {@code
   * lastmodifieddate} (GTE and LT only). Stricter than HubSpot: any other filter is refused, one
   * export runs at a time (the guide's limit), and at most {@link #EXPORTS_PER_DAY} a rolling day.
   * The number of rows fixes when the file is ready, as for imports.
   */
  Reply startExport(String body, Map<String, String> limits) {
    exportCalls.incrementAndGet();
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (Exception e) {
      return bad("invalid JSON: " + e.getMessage(), limits);
    }
    long now = clock.millis();
    if (!"VIEW".equals(request.path("exportType").asText())) {
      return bad("the sandbox exports views only (exportType VIEW)", limits);
    }
    if (!"CSV".equals(request.path("format").asText())) {
      return bad("the sandbox exports CSV only", limits);
    }
    String type = request.path("objectType").asText();
    if (!type.equals("CONTACT") && !type.equals("0-1")) {
      return bad("the sandbox exports contacts only", limits);
    }
    List<String> options = new ArrayList<>();
    request.path("exportInternalValuesOptions").forEach(n -> options.add(n.asText()));
    if (!options.contains("NAMES") || !options.contains("VALUES")) {
      return bad(
          "exportInternalValuesOptions must hold NAMES and VALUES (stricter than HubSpot)", limits);
    }
    List<String> properties = new ArrayList<>();
    for (JsonNode p : request.path("objectProperties")) {
      if (!portal.hasProperty("contacts", p.asText()) && !p.asText().equals("hs_object_id")) {
        return bad("unknown property '" + p.asText() + "'", limits);
      }
      properties.add(p.asText());
    }
    if (properties.isEmpty()) {
      return bad("objectProperties must name at least one property", limits);
    }
    long from = Long.MIN_VALUE;
    long until = Long.MAX_VALUE;
    JsonNode search = request.path("publicCrmSearchRequest");
    List<JsonNode> filters = new ArrayList<>();
    search.path("filters").forEach(filters::add);
    for (JsonNode g : search.path("filterGroups")) {
      g.path("filters").forEach(filters::add);
    }
    if (search.path("filterGroups").size() > 1) {
      return bad("the sandbox takes one filter group (stricter than HubSpot)", limits);
    }
    for (JsonNode fl : filters) {
      String op = fl.path("operator").asText();
      if (!fl.path("propertyName").asText().equals("lastmodifieddate")
          || !(op.equals("GTE") || op.equals("LT"))) {
        return bad(
            "the sandbox filters exports by lastmodifieddate GTE/LT only (stricter than HubSpot)",
            limits);
      }
      long v;
      try {
        v = Long.parseLong(fl.path("value").asText());
      } catch (NumberFormatException e) {
        return bad("lastmodifieddate filter values are epoch milliseconds", limits);
      }
      if (op.equals("GTE")) {
        from = Math.max(from, v);
      } else {
        until = Math.min(until, v);
      }
    }
    synchronized (this) {
      for (Export e : exports.values()) {
        if (e.file == null) {
          return HubSpotPortal.errorReply(
              429, "RATE_LIMITS", "Only one export can run at a time.", limits);
        }
      }
      long today = exports.values().stream().filter(e -> e.accepted > now - 86_400_000L).count();
      if (today >= EXPORTS_PER_DAY) {
        return HubSpotPortal.errorReply(
            429, "RATE_LIMITS", "You have reached the limit of exports in 24 hours.", limits);
      }
      int rows = portal.countModified("contacts", from, until);
      String id = String.valueOf(ids.getAndIncrement());
      exports.put(id, new Export(id, now, dueAt(now, rows), List.copyOf(properties), from, until));
      ObjectNode reply = NODES.objectNode();
      reply.put("id", id);
      reply
          .putObject("links")
          .put("status", "/crm/v3/exports/export/async/tasks/" + id + "/status");
      return Reply.json(202, reply.toString(), limits);
    }
  }

  /**
   * {@code GET /crm/v3/exports/export/async/tasks/{taskId}/status} (exports.json:
   * ActionResponseWithSingleResultURI: status PENDING|PROCESSING|COMPLETE|CANCELED, startedAt,
   * completedAt, and {@code result}, the file's URL, once COMPLETE). The URL is a pre-signed link
   * outside the API (no token, not counted as an API call), valid {@link #DOWNLOAD_TTL_MILLIS}.
   */
  Reply exportStatus(String id, String baseUrl, Map<String, String> limits) {
    exportCalls.incrementAndGet();
    Export e = exports.get(id);
    if (e == null) {
      return HubSpotPortal.errorReply(
          404, "OBJECT_NOT_FOUND", "export " + id + " not found", limits);
    }
    long now = clock.millis();
    ObjectNode o = NODES.objectNode();
    o.put("requestedAt", Instant.ofEpochMilli(e.accepted).toString());
    o.put("startedAt", Instant.ofEpochMilli(e.accepted + Math.min(startMillis, 1_000)).toString());
    if (e.file != null) {
      o.put("status", "COMPLETE");
      o.put("completedAt", Instant.ofEpochMilli(e.due).toString());
      o.put(
          "result",
          baseUrl
              + "/sandbox-files/exports/"
              + e.id
              + ".csv?expires="
              + (now + DOWNLOAD_TTL_MILLIS)
              + "&signature="
              + signature(e, now + DOWNLOAD_TTL_MILLIS));
    } else {
      o.put("status", now >= e.accepted + startMillis ? "PROCESSING" : "PENDING");
      o.put("completedAt", Instant.ofEpochMilli(e.due).toString());
    }
    o.putObject("links");
    return Reply.json(200, o.toString(), limits);
  }

  private static String signature(Export e, long expires) {
    return Integer.toHexString((e.secret + expires).hashCode());
  }

  /** The pre-signed download of an export's file: 403 when the link is forged or expired. */
  Reply download(String id, String query) {
    Export e = exports.get(id);
    Map<String, String> params = FormData.parse(query);
    long expires;
    try {
      expires = Long.parseLong(params.getOrDefault("expires", "0"));
    } catch (NumberFormatException x) {
      expires = 0;
    }
    if (e == null
        || e.file == null
        || expires < clock.millis()
        || !signature(e, expires).equals(params.get("signature"))) {
      return new Reply(403, Map.of("Content-Type", "text/plain"), "Request has expired", false);
    }
    downloads.incrementAndGet();
    return new Reply(200, Map.of("Content-Type", "text/csv;charset=UTF-8"), e.file, false);
  }

  // ------------------------------------------------------------------------------- multipart

  record Part(String name, String fileName, String content) {}

  /** A multipart/form-data body (RFC 7578) as text parts; the boundary from the content type. */
  static Map<String, Part> multipart(String contentType, String body) {
    if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) {
      throw new IllegalArgumentException("Content-Type must be multipart/form-data");
    }
    int b = contentType.indexOf("boundary=");
    if (b < 0) {
      throw new IllegalArgumentException("multipart/form-data without a boundary");
    }
    String boundary = contentType.substring(b + "boundary=".length()).replace("\"", "").trim();
    int semi = boundary.indexOf(';');
    if (semi >= 0) {
      boundary = boundary.substring(0, semi);
    }
    String delimiter = "--" + boundary;
    Map<String, Part> parts = new LinkedHashMap<>();
    int at = body.indexOf(delimiter);
    if (at < 0) {
      throw new IllegalArgumentException("the body holds no part");
    }
    while (true) {
      int start = at + delimiter.length();
      if (body.startsWith("--", start)) {
        return parts;
      }
      int headersEnd = body.indexOf("\r\n\r\n", start);
      int next = body.indexOf("\r\n" + delimiter, start);
      if (headersEnd < 0 || next < 0 || headersEnd > next) {
        throw new IllegalArgumentException("a malformed part");
      }
      String headers = body.substring(start, headersEnd);
      String content = body.substring(headersEnd + 4, next);
      String name = param(headers, "name");
      if (name == null) {
        throw new IllegalArgumentException("a part without a name");
      }
      parts.put(name, new Part(name, param(headers, "filename"), content));
      at = next + 2;
    }
  }

  private static String param(String headers, String key) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("[; ]" + key + "=\"([^\"]*)\"").matcher(headers);
    return m.find() ? m.group(1) : null;
  }

  private static Reply bad(String message, Map<String, String> limits) {
    return HubSpotPortal.errorReply(400, "VALIDATION_ERROR", message, limits);
  }
}
