package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.aix.connector.hubspot.WebhookSignature;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox delivers like HubSpot: signed, retried on 429/5xx, dropped on 4xx. */
class HubSpotWebhooksTest {
  private static final String SECRET = "app-secret";
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failStatus = 503;
  private HttpServer server;
  private final List<com.sun.net.httpserver.Headers> headers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private HubSpotPortal portal;
  private HubSpotWebhooks webhooks;
  private String url;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String ts = exchange.getRequestHeaders().getFirst("X-HubSpot-Request-Timestamp");
          String sig = exchange.getRequestHeaders().getFirst("X-HubSpot-Signature-v3");
          boolean genuine =
              WebhookSignature.check(SECRET, "POST", url, body, sig, ts, Instant.now()) == null;
          int status = !genuine ? 401 : failuresLeft.getAndDecrement() > 0 ? failStatus : 200;
          if (status == 200) {
            received.add(new ObjectMapper().readTree(body));
            headers.add(exchange.getRequestHeaders());
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    portal = new HubSpotPortal("t", "c", "s", "r", Clock.systemUTC());
    webhooks = new HubSpotWebhooks(portal, Clock.systemUTC());
    webhooks.retryBaseMillis(10);
  }

  @AfterEach
  void stop() {
    webhooks.close();
    server.stop(0);
  }

  private void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void onlyChangesAfterSubscribingAreDeliveredSignedAndInHubSpotsShape() throws Exception {
    portal.createContact(Map.of("email", "before@example.com"));
    webhooks.subscribe(url, SECRET);
    String id = portal.createContact(Map.of("email", "after@example.com"));

    await(() -> webhooks.delivered() == 1);

    assertThat(received).hasSize(1);
    JsonNode event = received.get(0).get(0);
    assertThat(event.path("subscriptionType").asText()).isEqualTo("contact.creation");
    assertThat(event.path("objectId").asText()).isEqualTo(id);
    assertThat(event.path("portalId").asLong()).isEqualTo(HubSpotPortal.PORTAL_ID);
    assertThat(event.path("attemptNumber").asInt()).isZero();
    assertThat(event.fieldNames())
        .toIterable()
        .contains("eventId", "subscriptionId", "occurredAt", "changeSource");
    assertThat(headers.get(0).containsKey("X-HubSpot-Signature-Version"))
        .as("HubSpot sends a signature version header with v1/v2 signatures only, not with v3")
        .isFalse();
  }

  @Test
  void onlySubscribedEventsAreDeliveredEachUnderItsSubscription() throws Exception {
    portal.subscriptions(List.of("contact.creation", "contact.propertyChange:jobtitle"));
    webhooks.subscribe(url, SECRET);
    String id = portal.createContact(Map.of("email", "a@example.com"));
    portal.updateContact(id, Map.of("jobtitle", "CFO", "city", "Lisbon"), "CRM_UI");
    portal.privacyDeleteContact(id);

    await(() -> webhooks.delivered() >= 2);
    Thread.sleep(500);

    List<JsonNode> events = new java.util.ArrayList<>();
    received.forEach(batch -> batch.forEach(events::add));
    assertThat(events)
        .extracting(
            e -> e.path("subscriptionType").asText() + ":" + e.path("propertyName").asText())
        .as("no city change, no privacy deletion: the app did not subscribe to them")
        .containsExactly("contact.creation:", "contact.propertyChange:jobtitle");
    assertThat(events)
        .extracting(e -> e.path("subscriptionId").asLong())
        .containsExactly(1200L, 1201L);
  }

  @Test
  void serverErrorsAreRetriedWithTheAttemptNumber() throws Exception {
    webhooks.subscribe(url, SECRET);
    failuresLeft.set(2);
    portal.createContact(Map.of("email", "x@example.com"));

    await(() -> webhooks.delivered() == 1);

    assertThat(webhooks.attempts()).isEqualTo(3);
    assertThat(received.get(0).get(0).path("attemptNumber").asInt()).isEqualTo(2);
  }

  @Test
  void aRefusalIsFinal() throws Exception {
    webhooks.subscribe(url, "another-secret");
    portal.createContact(Map.of("email", "x@example.com"));

    await(() -> webhooks.dropped() == 1);

    assertThat(webhooks.attempts()).as("401 is not retried").isEqualTo(1);
    assertThat(received).isEmpty();
  }
}
