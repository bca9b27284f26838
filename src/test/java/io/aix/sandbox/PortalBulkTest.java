package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox portal's Imports API (update by record id), Exports API and v4 associations batch
 * read, over real HTTP, as strict as PortalBulk documents.
 */
class PortalBulkTest {
  private static final String TOKEN = "pat-test";
  private static final String BOUNDARY = "aixTestBoundary7Qx";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private HubSpotSandbox sandbox;
  private HubSpotPortal portal;

  @BeforeEach
  void start() throws Exception {
    portal = new HubSpotPortal(TOKEN, "c", "s", "r", Clock.systemUTC());
    sandbox = new HubSpotSandbox(portal, 0, Clock.systemUTC()).start();
    portal.bulkSpeed(300, 50_000);
    assertThat(
            post("/crm/v3/properties/contacts/groups", "{\"name\":\"aix\",\"label\":\"AIX\"}")
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> created =
        post(
            "/crm/v3/properties/contacts/batch/create",
            "{\"inputs\":[{\"name\":\"aix_score\",\"label\":\"AIX score\",\"type\":\"number\","
                + "\"fieldType\":\"number\",\"groupName\":\"aix\"},{\"name\":\"aix_grade\","
                + "\"label\":\"AIX grade\",\"type\":\"string\",\"fieldType\":\"text\","
                + "\"groupName\":\"aix\"}]}");
    assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private static String importRequest(String fileName, String idColumn, boolean idMapped) {
    String idMapping =
        idMapped
            ? "{\"columnName\":\""
                + idColumn
                + "\",\"columnObjectTypeId\":\"0-1\","
                + "\"idColumnType\":\"HUBSPOT_OBJECT_ID\"}"
            : "{\"columnName\":\""
                + idColumn
                + "\",\"columnObjectTypeId\":\"0-1\","
                + "\"propertyName\":\"hs_object_id\"}";
    return "{\"name\":\"aix scores\",\"importOperations\":{\"0-1\":\"UPDATE\"},\"files\":[{"
        + "\"fileName\":\""
        + fileName
        + "\",\"fileFormat\":\"CSV\",\"fileImportPage\":{\"hasHeader\":true,\"columnMappings\":["
        + idMapping
        + ",{\"columnName\":\"aix_score\",\"columnObjectTypeId\":\"0-1\",\"propertyName\":\"aix_score\"}"
        + ",{\"columnName\":\"aix_grade\",\"columnObjectTypeId\":\"0-1\",\"propertyName\":\"aix_grade\"}"
        + "]}}]}";
  }

  private HttpResponse<String> startImport(String request, String fileName, String csv)
      throws Exception {
    String body =
        "--"
            + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\"importRequest\"\r\n\r\n"
            + request
            + "\r\n--"
            + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: text/csv\r\n\r\n"
            + csv
            + "\r\n--"
            + BOUNDARY
            + "--\r\n";
    return http.send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/imports"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void importUpdatesByRecordIdAndListsFailedRowsOnceDone() throws Exception {
    String a = portal.createContact(Map.of("email", "a@example.com"));
    String b = portal.createContact(Map.of("email", "b@example.com"));
    portal.drainChanges();
    String csv =
        "Record ID,aix_score,aix_grade\n"
            + a
            + ",87,A\n"
            + b
            + ",not-a-number,B\n"
            + "999999,10,D\n";
    HttpResponse<String> started =
        startImport(importRequest("scores.csv", "Record ID", true), "scores.csv", csv);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    JsonNode imp = json.readTree(started.body());
    String id = imp.path("id").asText();
    assertThat(imp.path("state").asText()).isEqualTo("STARTED");
    assertThat(portal.contact(a)).doesNotContainKey("aix_score");
    assertThat(get("/crm/v3/imports/" + id + "/errors").statusCode())
        .as("errors only once DONE")
        .isEqualTo(409);

    JsonNode done = awaitState(id, "DONE");
    assertThat(done.path("metadata").path("counters").path("TOTAL_ROWS").asInt()).isEqualTo(3);
    assertThat(done.path("metadata").path("counters").path("UPDATED_OBJECTS").asInt()).isEqualTo(1);
    assertThat(portal.contact(a)).containsEntry("aix_score", "87").containsEntry("aix_grade", "A");
    assertThat(portal.contact(b)).doesNotContainKey("aix_score");

    JsonNode errors = json.readTree(get("/crm/v3/imports/" + id + "/errors?limit=1").body());
    List<String> types = new ArrayList<>();
    errors.path("results").forEach(e -> types.add(e.path("errorType").asText()));
    String after = errors.path("paging").path("next").path("after").asText();
    assertThat(after).as("a second page").isNotEmpty();
    JsonNode second =
        json.readTree(get("/crm/v3/imports/" + id + "/errors?limit=1&after=" + after).body());
    second.path("results").forEach(e -> types.add(e.path("errorType").asText()));
    assertThat(types).containsExactly("COULD_NOT_PARSE_NUMBER", "INVALID_OBJECT_ID");
    assertThat(second.path("results").get(0).path("sourceData").path("rowData").get(0).asText())
        .isEqualTo("999999");

    // The import's changes reach apps like any other, marked as the import's.
    assertThat(portal.drainChanges())
        .anySatisfy(
            c -> {
              assertThat(c.objectId()).isEqualTo(a);
              assertThat(c.propertyName()).isEqualTo("aix_score");
              assertThat(c.changeSource()).isEqualTo("IMPORT");
            });
    assertThat(portal.importCalls()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void importsThatWouldGuessAreRefused() throws Exception {
    String a = portal.createContact(Map.of("email", "a@example.com"));
    // An id column not mapped as the record id.
    HttpResponse<String> idNotMapped =
        startImport(
            importRequest("s.csv", "hs_object_id", false),
            "s.csv",
            "hs_object_id,aix_score,aix_grade\n" + a + ",1,D\n");
    assertThat(idNotMapped.statusCode()).isEqualTo(400);
    assertThat(idNotMapped.body()).contains("HUBSPOT_OBJECT_ID");
    // An unknown column.
    HttpResponse<String> unknown =
        startImport(
            importRequest("s.csv", "Record ID", true),
            "s.csv",
            "Record ID,aix_score,aix_grade,nickname\n" + a + ",1,D,x\n");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("nickname");
    // A file name the request does not name.
    assertThat(
            startImport(importRequest("s.csv", "Record ID", true), "other.csv", "Record ID\n")
                .statusCode())
        .isEqualTo(400);
    // Create-or-update is not what AIX may do.
    String upsert = importRequest("s.csv", "Record ID", true).replace("\"UPDATE\"", "\"UPSERT\"");
    assertThat(
            startImport(upsert, "s.csv", "Record ID,aix_score,aix_grade\n" + a + ",1,D\n")
                .statusCode())
        .isEqualTo(400);
    // Without the scope.
    portal.revokeScope("crm.import");
    assertThat(
            startImport(
                    importRequest("s.csv", "Record ID", true),
                    "s.csv",
                    "Record ID,aix_score,aix_grade\n" + a + ",1,D\n")
                .statusCode())
        .isEqualTo(403);
    assertThat(portal.importsStarted()).isZero();
  }

  @Test
  void exportWritesTheWindowToAPresignedFileOneAtATime() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(
          portal.createContact(Map.of("email", "c" + i + "@example.com", "firstname", "N" + i)));
    }
    long until = System.currentTimeMillis() + 1;
    Thread.sleep(5);
    portal.createContact(Map.of("email", "late@example.com"));
    String request =
        "{\"exportType\":\"VIEW\",\"format\":\"CSV\",\"exportName\":\"aix\",\"language\":\"EN\","
            + "\"objectType\":\"CONTACT\",\"exportInternalValuesOptions\":[\"NAMES\",\"VALUES\"],"
            + "\"objectProperties\":[\"email\",\"firstname\",\"lastmodifieddate\"],"
            + "\"associatedObjectType\":[],\"includeLabeledAssociations\":false,"
            + "\"includePrimaryDisplayPropertyForAssociatedObjects\":false,"
            + "\"overrideAssociatedObjectsPerDefinitionPerRowLimit\":false,"
            + "\"publicCrmSearchRequest\":{\"filters\":[],\"sorts\":[],\"filterGroups\":[{\"filters\":["
            + "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"0\"},"
            + "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"LT\",\"value\":\""
            + until
            + "\"}]}]}}";
    HttpResponse<String> started = post("/crm/v3/exports/export/async", request);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String task = json.readTree(started.body()).path("id").asText();
    assertThat(post("/crm/v3/exports/export/async", request).statusCode())
        .as("one export at a time")
        .isEqualTo(429);
    assertThat(
            post("/crm/v3/exports/export/async", request.replace("\"GTE\"", "\"EQ\"")).statusCode())
        .isIn(400, 429);

    JsonNode status = null;
    for (int i = 0; i < 600; i++) {
      status = json.readTree(get("/crm/v3/exports/export/async/tasks/" + task + "/status").body());
      if (status.path("status").asText().equals("COMPLETE")) {
        break;
      }
      assertThat(status.path("status").asText()).isIn("PENDING", "PROCESSING");
      assertThat(status.has("result")).isFalse();
      Thread.sleep(50);
    }
    assertThat(status.path("status").asText()).isEqualTo("COMPLETE");
    String url = status.path("result").asText();
    HttpResponse<String> file =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(file.statusCode()).isEqualTo(200);
    List<List<String>> rows = Csv.parse(file.body());
    assertThat(rows.get(0))
        .containsExactly("hs_object_id", "email", "firstname", "lastmodifieddate");
    assertThat(rows.subList(1, rows.size()).stream().map(r -> r.get(0)).toList())
        .containsExactlyInAnyOrderElementsOf(ids);
    HttpResponse<String> forged =
        http.send(
            HttpRequest.newBuilder(URI.create(url.replaceAll("signature=[^&]+", "signature=00")))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(portal.exportDownloads()).isEqualTo(1);
  }

  @Test
  void associationsBatchReadTakesAThousandIdsAndPagesEachOne() throws Exception {
    String busy = portal.createContact(Map.of("email", "busy@example.com"));
    String idle = portal.createContact(Map.of("email", "idle@example.com"));
    portal.addTasks(busy, 501);
    StringBuilder tooMany = new StringBuilder("{\"inputs\":[");
    for (int i = 0; i < 1001; i++) {
      tooMany.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\"}");
    }
    assertThat(post("/crm/v4/associations/contacts/tasks/batch/read", tooMany + "]}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> first =
        post(
            "/crm/v4/associations/contacts/tasks/batch/read",
            "{\"inputs\":[{\"id\":\"" + busy + "\"},{\"id\":\"" + idle + "\"}]}");
    assertThat(first.statusCode()).as("the idle contact is an error").isEqualTo(207);
    JsonNode page = json.readTree(first.body());
    assertThat(page.path("results").get(0).path("to").size()).isEqualTo(500);
    String after = page.path("results").get(0).path("paging").path("next").path("after").asText();
    JsonNode rest =
        json.readTree(
            post(
                    "/crm/v4/associations/contacts/tasks/batch/read",
                    "{\"inputs\":[{\"id\":\"" + busy + "\",\"after\":\"" + after + "\"}]}")
                .body());
    assertThat(rest.path("results").get(0).path("to").size()).isEqualTo(1);
    assertThat(rest.path("results").get(0).has("paging")).isFalse();

    PortalReadback readback = new PortalReadback(sandbox.baseUrl(), TOKEN);
    long before = portal.apiCalls();
    Map<String, List<String>> tasks = readback.tasksOf(List.of(busy, idle));
    assertThat(tasks.get(busy)).hasSize(501);
    assertThat(tasks).doesNotContainKey(idle);
    assertThat(portal.apiCalls() - before).isEqualTo(2);
  }

  private JsonNode awaitState(String id, String state) throws Exception {
    JsonNode imp = null;
    for (int i = 0; i < 600; i++) {
      imp = json.readTree(get("/crm/v3/imports/" + id).body());
      if (imp.path("state").asText().equals(state)) {
        return imp;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("import " + id + " never reached " + state + ": " + imp);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + path))
            .header("Authorization", "Bearer " + TOKEN)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
