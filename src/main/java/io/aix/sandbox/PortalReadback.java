package io.aix.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads contacts and their tasks back through a HubSpot portal's own API (search, v4 associations),
 * independently of AIX's connector: what the demo and the tests use to prove that the {@code aix_*}
 * properties and the tasks really landed.
 */
public final class PortalReadback {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final String baseUrl;
  private final String token;

  public PortalReadback(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /**
   * Every contact with an {@code aix_score}, with the given properties. Walks by {@code
   * hs_object_id} (keyset), so it is not bound by the search API's 10,000-result cap.
   */
  public List<JsonNode> scoredContacts(List<String> properties) {
    List<JsonNode> out = new ArrayList<>();
    String lastId = "0";
    while (true) {
      ObjectNode request = json.createObjectNode();
      ObjectNode group = request.putArray("filterGroups").addObject();
      ObjectNode hasScore = group.putArray("filters").addObject();
      hasScore.put("propertyName", "aix_score");
      hasScore.put("operator", "HAS_PROPERTY");
      ObjectNode afterId =
          ((com.fasterxml.jackson.databind.node.ArrayNode) group.get("filters")).addObject();
      afterId.put("propertyName", "hs_object_id");
      afterId.put("operator", "GT");
      afterId.put("value", lastId);
      ObjectNode sort = request.putArray("sorts").addObject();
      sort.put("propertyName", "hs_object_id");
      sort.put("direction", "ASCENDING");
      properties.forEach(request.putArray("properties")::add);
      request.put("limit", 200);
      JsonNode page = post("/crm/v3/objects/contacts/search", request.toString());
      page.path("results").forEach(out::add);
      if (page.path("results").size() < 200) {
        return out;
      }
      lastId = out.get(out.size() - 1).path("id").asText();
    }
  }

  /** The ids of the tasks associated with a contact (v4 associations). */
  public List<String> tasksOf(String contactId) {
    JsonNode reply = get("/crm/v4/objects/contacts/" + contactId + "/associations/tasks");
    List<String> ids = new ArrayList<>();
    reply.path("results").forEach(r -> ids.add(r.path("toObjectId").asText()));
    return ids;
  }

  /**
   * The ids of the tasks associated with each of these contacts, through HubSpot's v4 associations
   * batch read (CRM/Associations/Rollouts/130902/v4/associations.json: inputs of {id, after?}, 200
   * or 207, per-input paging only when more remain): 1,000 contacts a call, so reading back 20,000
   * contacts' tasks takes 20 calls, not 20,000. Contacts without tasks come back in {@code
   * errors[]} and are simply absent from the map.
   */
  public java.util.Map<String, List<String>> tasksOf(List<String> contactIds) {
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (int from = 0; from < contactIds.size(); from += 1_000) {
      java.util.Map<String, String> pending = new java.util.LinkedHashMap<>();
      contactIds
          .subList(from, Math.min(contactIds.size(), from + 1_000))
          .forEach(id -> pending.put(id, null));
      while (!pending.isEmpty()) {
        ObjectNode request = json.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode inputs = request.putArray("inputs");
        pending.forEach(
            (id, after) -> {
              ObjectNode in = inputs.addObject().put("id", id);
              if (after != null) {
                in.put("after", after);
              }
            });
        JsonNode reply = postAllowing207("/crm/v4/associations/contacts/tasks/batch/read", request);
        java.util.Map<String, String> more = new java.util.LinkedHashMap<>();
        for (JsonNode r : reply.path("results")) {
          String id = r.path("from").path("id").asText();
          List<String> ids = out.computeIfAbsent(id, k -> new ArrayList<>());
          r.path("to").forEach(t -> ids.add(t.path("toObjectId").asText()));
          String next = r.path("paging").path("next").path("after").asText("");
          if (!next.isEmpty() && !next.equals(pending.get(id))) {
            more.put(id, next);
          }
        }
        pending.clear();
        pending.putAll(more);
      }
    }
    return out;
  }

  private JsonNode postAllowing207(String path, ObjectNode body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      for (int attempt = 0; ; attempt++) {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 429 && attempt < 10) {
          Thread.sleep(1000);
          continue;
        }
        if (response.statusCode() != 200 && response.statusCode() != 207) {
          throw new IllegalStateException(
              "the portal answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read from the portal: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private JsonNode get(String path) {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build());
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 429) {
        Thread.sleep(1000);
        return send(request);
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "the portal answered " + response.statusCode() + ": " + response.body());
      }
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read from the portal: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
