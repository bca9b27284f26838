package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox org's Bulk API 2.0 as Salesforce documents it (OrgBulkJobs names the sources), and
 * stricter where the documentation is silent: a job runs for a while and its results are refused
 * until it is complete; query results page with Sforce-Locator ("null" on the last page); ingest
 * takes one upload and reports successful, failed and unprocessed rows as CSV.
 */
class OrgBulkJobsTest {
  static final String BASE = "http://127.0.0.1:1";
  static final ObjectMapper JSON = new ObjectMapper();

  SalesforceOrg org;
  String token;

  @BeforeEach
  void login() throws Exception {
    org = new SalesforceOrg("aix-client", "aix-secret", Clock.systemUTC());
    org.bulkTiming(Duration.ofMillis(200), Duration.ofMillis(10));
    Reply reply =
        org.handle(
            "POST",
            "/services/oauth2/token",
            Map.of(),
            "grant_type=client_credentials&client_id=aix-client&client_secret=aix-secret",
            BASE);
    token = JSON.readTree(reply.body()).path("access_token").asText();
  }

  private Reply call(String method, String path, String body) {
    return org.handle(
        method,
        "/services/data/v62.0/" + path,
        Map.of("authorization", "Bearer " + token),
        body,
        BASE);
  }

  private JsonNode awaitState(String kind, String id, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode job;
    do {
      Thread.sleep(50);
      job = JSON.readTree(call("GET", "jobs/" + kind + "/" + id, "").body());
    } while (!job.path("state").asText().equals(state) && System.nanoTime() < deadline);
    return job;
  }

  @Test
  void aQueryJobRunsThenPagesItsCsvResultsWithALocator() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(org.insert("Lead", Map.of("LastName", "Lee, \"Jr\" " + i, "Company", "Acme")));
    }
    Reply refused =
        call(
            "POST",
            "jobs/query",
            "{\"operation\":\"query\",\"query\":\"SELECT Id FROM Lead ORDER BY Id\"}");
    assertThat(refused.status()).as("ORDER BY turns PK chunking off: refused here").isEqualTo(400);

    Reply created =
        call(
            "POST",
            "jobs/query",
            "{\"operation\":\"queryAll\",\"query\":\"SELECT Id, LastName, NumberOfEmployees FROM"
                + " Lead\"}");
    assertThat(created.status()).isEqualTo(200);
    JsonNode job = JSON.readTree(created.body());
    String id = job.path("id").asText();
    assertThat(id).hasSize(18).startsWith("750");
    assertThat(job.path("state").asText()).isEqualTo("UploadComplete");
    assertThat(job.path("jobType").asText()).isEqualTo("V2Query");
    Reply early = call("GET", "jobs/query/" + id + "/results", "");
    assertThat(early.status()).as("results before the job completes").isEqualTo(400);

    assertThat(awaitState("query", id, "JobComplete").path("numberRecordsProcessed").asInt())
        .isEqualTo(25);
    List<String> seen = new ArrayList<>();
    String locator = null;
    int pages = 0;
    do {
      Reply page =
          call(
              "GET",
              "jobs/query/"
                  + id
                  + "/results?maxRecords=10"
                  + (locator == null ? "" : "&locator=" + locator),
              "");
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.headers().get("Content-Type")).isEqualTo("text/csv");
      List<List<String>> rows = Csv.parse(page.body());
      assertThat(rows.get(0)).containsExactly("Id", "LastName", "NumberOfEmployees");
      rows.subList(1, rows.size()).forEach(r -> seen.add(r.get(0)));
      assertThat(rows.subList(1, rows.size()))
          .allSatisfy(r -> assertThat(r.get(1)).startsWith("Lee, \"Jr\" "));
      assertThat(page.headers().get("Sforce-NumberOfRecords"))
          .isEqualTo(String.valueOf(rows.size() - 1));
      locator = page.headers().get("Sforce-Locator");
      pages++;
    } while (!"null".equals(locator));
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void anIngestJobTakesOneUploadAndReportsEveryRow() throws Exception {
    String ok = org.insert("Lead", Map.of("LastName", "Ok", "Company", "Acme"));
    String refused = org.insert("Lead", Map.of("LastName", "Refused", "Company", "Acme"));
    String locked = org.insert("Lead", Map.of("LastName", "Locked", "Company", "Acme"));
    org.faults().rejectWrites(refused).lockOnce(locked);
    Reply created =
        call(
            "POST",
            "jobs/ingest",
            "{\"object\":\"Lead\",\"operation\":\"update\",\"contentType\":\"CSV\"}");
    assertThat(created.status()).isEqualTo(200);
    String id = JSON.readTree(created.body()).path("id").asText();
    String csv =
        "Id,AIX_Score__c,AIX_Grade__c,AIX_Top_Factors__c\n"
            + ok
            + ",88,A,\"Executive buyer, corporate e-mail\"\n"
            + refused
            + ",12,D,#N/A\n"
            + locked
            + ",50,B,\n"
            + "00Q5e0000000000AAA,10,D,\n";
    assertThat(call("PUT", "jobs/ingest/" + id + "/batches", csv).status()).isEqualTo(201);
    assertThat(call("PUT", "jobs/ingest/" + id + "/batches", csv).status())
        .as("one upload per job")
        .isEqualTo(409);
    assertThat(call("GET", "jobs/ingest/" + id + "/successfulResults", "").status())
        .as("results before the job completes")
        .isEqualTo(400);
    assertThat(call("PATCH", "jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}").status())
        .isEqualTo(200);
    JsonNode done = awaitState("ingest", id, "JobComplete");
    assertThat(done.path("numberRecordsProcessed").asInt()).isEqualTo(4);
    assertThat(done.path("numberRecordsFailed").asInt()).isEqualTo(3);

    List<List<String>> success =
        Csv.parse(call("GET", "jobs/ingest/" + id + "/successfulResults", "").body());
    assertThat(success.get(0)).startsWith("sf__Id", "sf__Created", "Id");
    assertThat(success).hasSize(2);
    assertThat(success.get(1).get(0)).isEqualTo(ok);
    assertThat(org.record("Lead", ok).path("AIX_Score__c").asInt()).isEqualTo(88);
    assertThat(org.record("Lead", ok).path("AIX_Top_Factors__c").asText())
        .isEqualTo("Executive buyer, corporate e-mail");

    List<List<String>> failed =
        Csv.parse(call("GET", "jobs/ingest/" + id + "/failedResults", "").body());
    assertThat(failed.get(0)).startsWith("sf__Id", "sf__Error", "Id");
    assertThat(failed.subList(1, failed.size()))
        .extracting(r -> r.get(1).substring(0, r.get(1).indexOf(':')))
        .containsExactlyInAnyOrder(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "UNABLE_TO_LOCK_ROW",
            "INVALID_CROSS_REFERENCE_KEY");
    assertThat(org.record("Lead", refused).hasNonNull("AIX_Score__c")).isFalse();
    List<List<String>> unprocessed =
        Csv.parse(call("GET", "jobs/ingest/" + id + "/unprocessedrecords", "").body());
    assertThat(unprocessed).hasSize(1);
    assertThat(org.bulkJobs("ingest")).isEqualTo(1);
  }

  @Test
  void anUploadNamingAnUnknownFieldFailsTheWholeJob() throws Exception {
    String id =
        JSON.readTree(
                call("POST", "jobs/ingest", "{\"object\":\"Lead\",\"operation\":\"update\"}")
                    .body())
            .path("id")
            .asText();
    call("PUT", "jobs/ingest/" + id + "/batches", "Id,AIX_Nope__c\n00Q5e0000000001AAA,1\n");
    call("PATCH", "jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}");
    JsonNode failed = awaitState("ingest", id, "Failed");
    assertThat(failed.path("state").asText()).isEqualTo("Failed");
    assertThat(failed.path("errorMessage").asText()).contains("AIX_Nope__c");
  }
}
