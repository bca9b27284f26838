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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhooks/hubspot}: where a HubSpot app delivers its events. An app has ONE target
 * URL for every portal it is installed in (HubSpot Webhooks API v3, {@code
 * Webhooks/Webhooks/Rollouts/147891/v3/webhooks.json}: "There can only be one target URL for
 * receiving event notifications per app"), and each event names its {@code portalId}. So a delivery
 * is authenticated by its v3 signature against the client secrets of the profiles that take
 * webhooks, and each event is routed to the one profile that declares its portal ({@code
 * connection.portalId}) and whose app signed it. An event of a portal no profile declares is
 * refused and touches nothing: one portal's event never reaches another portal's records. The
 * events are queued durably and the delivery acknowledged; the records are read and scored by the
 * profile's push route, not in the request. Changes to AIX's own {@code aix_*} properties are
 * dropped here, so AIX's writes never echo back as work.
 *
 * <p>{@code POST /webhooks/hubspot/{profile}}, the URL of installs made before routing by portal,
 * works the same way for that profile's portal alone.
 *
 * <p>Answers follow HubSpot's retry rules: 401 (bad or stale signature), 400 (malformed body) and
 * 404 (unknown profile, or no event for a declared portal) are final, so HubSpot drops the
 * delivery; a database failure is a 503, which HubSpot retries.
 */
@Path("/webhooks/hubspot")
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

  /**
   * What a delivery turned into.
   *
   * @param refused events of a portal that no profile (of the app that signed them) declares
   */
  public record Accepted(int queued, int ignored, int refused) {}

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receive(
      @HeaderParam("X-HubSpot-Signature-v3") String signature,
      @HeaderParam("X-HubSpot-Request-Timestamp") String timestamp,
      String body) {
    return deliver(webhookProfiles(), "this instance", signature, timestamp, body);
  }

  @POST
  @Path("{profile}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receiveForProfile(
      @PathParam("profile") String profileId,
      @HeaderParam("X-HubSpot-Signature-v3") String signature,
      @HeaderParam("X-HubSpot-Request-Timestamp") String timestamp,
      String body) {
    List<CrmProfile> named =
        webhookProfiles().stream().filter(p -> p.id().equals(profileId)).toList();
    return deliver(named, "profile '" + profileId + "'", signature, timestamp, body);
  }

  private List<CrmProfile> webhookProfiles() {
    return connectors.activeProfiles().stream()
        .filter(p -> p.type().equals("hubspot") && p.webhooks().isPresent())
        .toList();
  }

  private Uni<Response> deliver(
      List<CrmProfile> candidates,
      String addressee,
      String signature,
      String timestamp,
      String body) {
    if (candidates.isEmpty()) {
      return Uni.createFrom()
          .item(problem(404, "no HubSpot profile with webhooks for " + addressee));
    }
    String text = body == null ? "" : body;
    // Each distinct (secret, signed URL) is checked once; the profiles it verifies may take events.
    Map<List<String>, List<CrmProfile>> bySigner = new LinkedHashMap<>();
    for (CrmProfile p : candidates) {
      CrmProfile.Webhooks hooks = p.webhooks().get();
      java.util.Optional<String> secret = hooks.clientSecret().lookup();
      if (secret.isEmpty()) {
        // One profile's missing secret must not stop every other portal's deliveries.
        LOG.warnf(
            "Profile %s takes webhooks but %s is not set; its portal's events are refused",
            p.id(), hooks.clientSecret());
        continue;
      }
      String signedUri =
          hooks
              .publicUrl()
              .map(base -> base + uri.getRequestUri().getRawPath() + query())
              .orElse(uri.getRequestUri().toString());
      bySigner.computeIfAbsent(List.of(secret.get(), signedUri), k -> new ArrayList<>()).add(p);
    }
    Map<Long, CrmProfile> byPortal = new HashMap<>();
    WebhookSignature.Problem problem = null;
    for (Map.Entry<List<String>, List<CrmProfile>> signer : bySigner.entrySet()) {
      WebhookSignature.Problem p =
          WebhookSignature.check(
              signer.getKey().get(0),
              "POST",
              signer.getKey().get(1),
              text,
              signature,
              timestamp,
              clock.instant());
      if (p == null) {
        signer
            .getValue()
            .forEach(profile -> byPortal.put(profile.connection().portalId(), profile));
      } else {
        problem = p;
      }
    }
    if (byPortal.isEmpty()) {
      LOG.warnf("Refused a HubSpot delivery for %s: %s", addressee, problem);
      return Uni.createFrom().item(problem(401, "signature refused: " + problem));
    }
    List<PushEvent> events = new ArrayList<>();
    Routed routed;
    try {
      routed = parse(byPortal, text, events);
    } catch (MalformedDelivery e) {
      return Uni.createFrom().item(problem(400, e.getMessage()));
    }
    if (!routed.unknownPortals().isEmpty()) {
      LOG.warnf(
          "Refused %d HubSpot event(s) of portal(s) %s: no profile of this app declares them"
              + " (connection.portalId)",
          routed.refused(), routed.unknownPortals());
      if (events.isEmpty() && routed.ignored() == 0) {
        return Uni.createFrom()
            .item(
                problem(
                    404,
                    "no profile declares portal(s) "
                        + routed.unknownPortals()
                        + " (connection.portalId)"));
      }
    }
    int kept = events.size();
    Accepted accepted = new Accepted(kept, routed.ignored(), routed.refused());
    return store
        .enqueue(events)
        .map(v -> Response.ok(accepted).build())
        .onFailure()
        .recoverWithItem(
            e -> {
              LOG.errorf(e, "Could not queue %d HubSpot event(s) for %s", kept, addressee);
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

  /** What {@link #parse} made of a delivery besides the queued events. */
  record Routed(int ignored, int refused, java.util.Set<Long> unknownPortals) {}

  /**
   * Adds the events worth queueing, each for the profile that declares its portal. Events of other
   * portals are refused, events AIX does not act on (its own property changes, objects the profile
   * does not sync, event types it does not handle) ignored.
   */
  static Routed parse(Map<Long, CrmProfile> byPortal, String body, List<PushEvent> out)
      throws MalformedDelivery {
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
    for (JsonNode e : root) {
      if (!e.isObject()
          || !e.path("eventId").canConvertToLong()
          || !e.path("objectId").canConvertToLong()
          || !e.path("portalId").canConvertToLong()
          || !e.path("subscriptionType").isTextual()
          || !e.path("occurredAt").canConvertToLong()) {
        throw new MalformedDelivery(
            "each event needs a numeric eventId, objectId, portalId and occurredAt and a"
                + " subscriptionType");
      }
    }
    Instant received = Instant.now();
    int ignored = 0;
    int refused = 0;
    java.util.Set<Long> unknown = new java.util.TreeSet<>();
    for (JsonNode e : root) {
      long portal = e.path("portalId").asLong();
      CrmProfile profile = byPortal.get(portal);
      if (profile == null) {
        refused++;
        unknown.add(portal);
        continue;
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
    return new Routed(ignored, refused, unknown);
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
