package io.aix.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Delivers a {@link HubSpotPortal}'s changes to a subscribed app the way HubSpot does: batches of
 * up to 100 events, POSTed with {@code X-HubSpot-Signature-v3} and {@code
 * X-HubSpot-Request-Timestamp} (and no {@code X-HubSpot-Signature-Version}, which HubSpot sends
 * only with the older v1/v2 signatures: request-validation docs); a 2xx ends a delivery, 4xx (400,
 * 401, 403, 404, 405) drops it for good, 429 and 5xx and connection failures are retried, up to 10
 * times, with growing pauses. Only changes made after {@link #subscribe} are delivered, as with a
 * newly installed app.
 */
public final class HubSpotWebhooks implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HubSpotWebhooks.class);
  static final int BATCH = 100;
  static final int MAX_ATTEMPTS = 10;

  private final HubSpotPortal portal;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "aix-sandbox-hubspot-webhooks");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private volatile String targetUrl;
  private volatile String clientSecret;
  private volatile long retryBaseMillis = 200;
  private volatile long portalId = HubSpotPortal.PORTAL_ID;

  HubSpotWebhooks(HubSpotPortal portal, Clock clock) {
    this.portal = portal;
    this.clock = clock;
    scheduler.scheduleWithFixedDelay(this::deliverPending, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** Starts delivering later changes to {@code url}, signed with the app's client secret. */
  public synchronized void subscribe(String url, String secret) {
    portal.drainChanges();
    this.clientSecret = secret;
    this.targetUrl = url;
  }

  /** Deliveries from now on say they come from this portal (a second install of the app). */
  public void portalId(long portalId) {
    this.portalId = portalId;
  }

  public void unsubscribe() {
    this.targetUrl = null;
  }

  public void retryBaseMillis(long millis) {
    this.retryBaseMillis = millis;
  }

  public long delivered() {
    return delivered.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public long attempts() {
    return attempts.get();
  }

  /** Signs as HubSpot does: base64(HMAC-SHA256(secret, method + uri + body + timestamp)). */
  public static String signV3(
      String secret, String method, String uri, String body, String timestamp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest =
          mac.doFinal((method + uri + body + timestamp).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JSON body HubSpot posts for these changes, each under the subscription that asked. */
  String payload(List<HubSpotPortal.Change> changes, int attempt) {
    ArrayNode events = JsonNodeFactory.instance.arrayNode();
    for (HubSpotPortal.Change c : changes) {
      ObjectNode e = events.addObject();
      e.put("eventId", c.eventId());
      e.put(
          "subscriptionId",
          Long.parseLong(
              portal.subscriptionFor(c).map(HubSpotPortal.Subscription::id).orElse("0")));
      e.put("portalId", portalId);
      e.put("appId", HubSpotPortal.APP_ID);
      e.put("occurredAt", c.occurredAt().toEpochMilli());
      e.put("subscriptionType", c.subscriptionType());
      e.put("attemptNumber", attempt);
      e.put("objectId", Long.parseLong(c.objectId()));
      if (c.propertyName() != null) {
        e.put("propertyName", c.propertyName());
        e.put("propertyValue", c.propertyValue());
      }
      e.put("changeSource", c.changeSource());
      if (c.subscriptionType().equals("contact.creation")) {
        e.put("changeFlag", "NEW");
      }
    }
    return events.toString();
  }

  /** Posts one signed batch; returns the HTTP status, or 0 when the connection failed. */
  public int post(String url, String secret, String body) {
    String timestamp = String.valueOf(clock.millis());
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/)")
            .header("X-HubSpot-Signature-v3", signV3(secret, "POST", url, body, timestamp))
            .header("X-HubSpot-Request-Timestamp", timestamp)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    attempts.incrementAndGet();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private void deliverPending() {
    String url = targetUrl;
    if (url == null) {
      return;
    }
    // Only what the app subscribed to is delivered (Webhooks v3: subscriptions per event type,
    // property changes per property); the rest is never sent, as with HubSpot.
    List<HubSpotPortal.Change> pending =
        portal.drainChanges().stream().filter(c -> portal.subscriptionFor(c).isPresent()).toList();
    for (int from = 0; from < pending.size(); from += BATCH) {
      List<HubSpotPortal.Change> batch =
          new ArrayList<>(pending.subList(from, Math.min(pending.size(), from + BATCH)));
      deliver(url, batch);
    }
  }

  private void deliver(String url, List<HubSpotPortal.Change> batch) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      int status = post(url, clientSecret, payload(batch, attempt));
      if (status >= 200 && status < 300) {
        delivered.addAndGet(batch.size());
        return;
      }
      if (status == 400 || status == 401 || status == 403 || status == 404 || status == 405) {
        LOG.warnf(
            "sandbox HubSpot: delivery of %d event(s) refused with %d, dropped",
            batch.size(), status);
        dropped.addAndGet(batch.size());
        return;
      }
      try {
        Thread.sleep(retryBaseMillis * (1L << Math.min(attempt, 6)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    dropped.addAndGet(batch.size());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
