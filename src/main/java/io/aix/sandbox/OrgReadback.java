package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads records back through a Salesforce org's own REST API (OAuth token, then SOQL with paging),
 * independently of AIX's connector: what the demo and the tests use to prove that the AIX fields
 * really landed in the CRM.
 */
public final class OrgReadback {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final String baseUrl;
  private final String apiVersion;
  private final String token;

  public OrgReadback(String baseUrl, String apiVersion, String clientId, String clientSecret) {
    this.baseUrl = baseUrl;
    this.apiVersion = apiVersion;
    String form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
    JsonNode reply =
        send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    this.token = reply.path("access_token").asText();
  }

  /** All records a SOQL query returns, following {@code nextRecordsUrl}. */
  public List<JsonNode> query(String soql) {
    List<JsonNode> out = new ArrayList<>();
    String url =
        baseUrl
            + "/services/data/v"
            + apiVersion
            + "/query/?q="
            + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20");
    while (url != null) {
      JsonNode page =
          send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .GET()
                  .build());
      page.path("records").forEach(out::add);
      url =
          page.path("done").asBoolean(true) ? null : baseUrl + page.path("nextRecordsUrl").asText();
    }
    return out;
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "the org answered " + response.statusCode() + ": " + response.body());
      }
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read from the org: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
