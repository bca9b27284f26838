package io.aix.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.ConnectorRegistry;
import io.aix.persistence.PushEventStore;
import io.aix.persistence.PushEventStore.PushEvent;
import io.aix.profile.CrmProfile;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhooks/hubspot/{profile}}: where a HubSpot app delivers contact events. The
 * request is authenticated by its v3 signature, the events are queued durably and the delivery is
 * acknowledged; the records are read and scored by the profile's push route, not in the request.
 * Changes to AIX's own {@code aix_*} properties are dropped here, so AIX's writes never echo back
 * as work.
 *
 * <p>Answers follow HubSpot's retry rules: 401 (bad or stale signature), 400 (malformed body) and
 * 404 (unknown profile) are final, so HubSpot drops the delivery; a database failure is a 503,
 * which HubSpot retries.
 */
@Path("/webhooks/hubspot/{profile}")
public class HubSpotWebhookResource {
  private static final Logger LOG = Logger.getLogger(HubSpotWebhookResource.class);

  /** Strict: a duplicate key or anything after the array makes a delivery malformed. */
  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** HubSpot object type names in subscription types, and AIX's object names for them. */
  private static final Map<String, String> OBJECTS = Map.of("contact", "contacts");

  /** The one AIX property reps set: a change to it is work, not AIX's own echo. */
  static final String FEEDBACK = "aix_feedback";

  @Inject ConnectorRegistry connectors;
  @Inject PushEventStore store;
  @Context UriInfo uri;

  Clock clock = Clock.systemUTC();

  /** What a delivery turned into. */
  public record Accepted(int queued, int ignored) {}

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receive(
      @PathParam("profile") String profileId,
      @HeaderParam("X-HubSpot-Signature-v3") String signature,
      @HeaderParam("X-HubSpot-Request-Timestamp") String timestamp,
      String body) {
    Optional<CrmProfile> found =
        connectors.activeProfiles().stream()
            .filter(p -> p.id().equals(profileId) && p.type().equals("hubspot"))
            .filter(p -> p.webhooks().isPresent())
            .findFirst();
    if (found.isEmpty()) {
      return Uni.createFrom()
          .item(problem(404, "no HubSpot profile '" + profileId + "' with webhooks"));
    }
    CrmProfile profile = found.get();
    CrmProfile.Webhooks hooks = profile.webhooks().get();
    String signedUri =
        hooks
            .publicUrl()
            .map(base -> base + uri.getRequestUri().getRawPath() + query())
            .orElse(uri.getRequestUri().toString());
    String text = body == null ? "" : body;
    WebhookSignature.Problem problem =
        WebhookSignature.check(
            hooks.clientSecret().resolve(),
            "POST",
            signedUri,
            text,
            signature,
            timestamp,
            clock.instant());
    if (problem != null) {
      LOG.warnf("Refused a HubSpot delivery for %s: %s", profileId, problem);
      return Uni.createFrom().item(problem(401, "signature refused: " + problem));
    }
    List<PushEvent> events = new ArrayList<>();
    int ignored;
    try {
      ignored = parse(profile, text, events);
    } catch (MalformedDelivery e) {
      return Uni.createFrom().item(problem(400, e.getMessage()));
    }
    int kept = events.size();
    return store
        .enqueue(events)
        .map(v -> Response.ok(new Accepted(kept, ignored)).build())
        .onFailure()
        .recoverWithItem(
            e -> {
              LOG.errorf(e, "Could not queue %d HubSpot event(s) for %s", kept, profileId);
              return problem(503, "could not queue the events; retry");
            });
  }

  private String query() {
    String q = uri.getRequestUri().getRawQuery();
    return q == null ? "" : "?" + q;
  }

  private static Response problem(int status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("status", status, "message", message))
        .build();
  }

  static final class MalformedDelivery extends Exception {
    MalformedDelivery(String message) {
      super(message);
    }
  }

  /** Adds the events worth queueing; returns how many were ignored. */
  static int parse(CrmProfile profile, String body, List<PushEvent> out) throws MalformedDelivery {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MalformedDelivery("the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedDelivery("the body could not be read: " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new MalformedDelivery("the body must be a JSON array of events");
    }
    Instant received = Instant.now();
    int ignored = 0;
    for (JsonNode e : root) {
      if (!e.isObject()
          || !e.path("eventId").canConvertToLong()
          || !e.path("objectId").canConvertToLong()
          || !e.path("subscriptionType").isTextual()
          || !e.path("occurredAt").canConvertToLong()) {
        throw new MalformedDelivery(
            "each event needs a numeric eventId, objectId and occurredAt and a subscriptionType");
      }
      String type = e.path("subscriptionType").asText();
      int dot = type.indexOf('.');
      String object = dot > 0 ? OBJECTS.get(type.substring(0, dot)) : null;
      String property = e.path("propertyName").asText("");
      if (object == null
          || profile.object(object).isEmpty()
          || (property.startsWith("aix_") && !property.equals(FEEDBACK))
          || !isHandled(type)) {
        ignored++;
        continue;
      }
      String eventId = e.path("eventId").asText();
      Instant occurred = Instant.ofEpochMilli(e.path("occurredAt").asLong());
      if (type.endsWith(".merge")) {
        // The merged-away records are gone; the surviving one changed.
        for (JsonNode merged : e.path("mergedObjectIds")) {
          String id = merged.asText();
          if (!id.equals(e.path("primaryObjectId").asText())) {
            out.add(
                new PushEvent(
                    profile.id(), eventId + ":" + id, object, id, "merged", occurred, received));
          }
        }
        String primary = e.path("primaryObjectId").asText(e.path("objectId").asText());
        out.add(new PushEvent(profile.id(), eventId, object, primary, type, occurred, received));
        continue;
      }
      out.add(
          new PushEvent(
              profile.id(),
              eventId,
              object,
              e.path("objectId").asText(),
              type,
              occurred,
              received));
    }
    return ignored;
  }

  private static boolean isHandled(String type) {
    return type.endsWith(".creation")
        || type.endsWith(".propertyChange")
        || type.endsWith(".deletion")
        || type.endsWith(".privacyDeletion")
        || type.endsWith(".merge")
        || type.endsWith(".restore");
  }
}
