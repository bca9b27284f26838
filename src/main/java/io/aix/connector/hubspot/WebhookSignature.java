package io.aix.connector.hubspot;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HubSpot's request signature v3: {@code base64(HMAC-SHA256(clientSecret, method + uri + body +
 * timestamp))}, sent as {@code X-HubSpot-Signature-v3} with the millisecond {@code
 * X-HubSpot-Request-Timestamp}. A request older than five minutes is refused whatever its
 * signature, and signatures are compared in constant time.
 */
public final class WebhookSignature {
  public static final Duration MAX_AGE = Duration.ofMinutes(5);

  /** Characters HubSpot decodes in the URI before signing (request validation docs). */
  private static final Map<String, String> DECODED =
      Map.ofEntries(
          Map.entry("%3A", ":"),
          Map.entry("%2F", "/"),
          Map.entry("%3F", "?"),
          Map.entry("%40", "@"),
          Map.entry("%21", "!"),
          Map.entry("%24", "$"),
          Map.entry("%27", "'"),
          Map.entry("%28", "("),
          Map.entry("%29", ")"),
          Map.entry("%2A", "*"),
          Map.entry("%2C", ","),
          Map.entry("%3B", ";"));

  /** Why a request was refused; {@code null} from {@link #check} means it is genuine. */
  public enum Problem {
    MISSING_HEADERS,
    BAD_TIMESTAMP,
    TOO_OLD,
    BAD_SIGNATURE
  }

  private WebhookSignature() {}

  public static String v3(String secret, String method, String uri, String body, String timestamp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest =
          mac.doFinal(
              (method + decodeUri(uri) + body + timestamp).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static String decodeUri(String uri) {
    String out = uri;
    for (Map.Entry<String, String> e : DECODED.entrySet()) {
      out = out.replace(e.getKey(), e.getValue()).replace(e.getKey().toLowerCase(), e.getValue());
    }
    return out;
  }

  /** Checks one request; returns null when it is genuine and fresh, else what is wrong. */
  public static Problem check(
      String secret,
      String method,
      String uri,
      String body,
      String signature,
      String timestamp,
      Instant now) {
    if (signature == null || signature.isBlank() || timestamp == null || timestamp.isBlank()) {
      return Problem.MISSING_HEADERS;
    }
    long millis;
    try {
      millis = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return Problem.BAD_TIMESTAMP;
    }
    Duration age = Duration.between(Instant.ofEpochMilli(millis), now);
    if (age.compareTo(MAX_AGE) > 0 || age.compareTo(MAX_AGE.negated()) < 0) {
      return Problem.TOO_OLD;
    }
    byte[] expected =
        v3(secret, method, uri, body, timestamp.trim()).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.trim().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) ? null : Problem.BAD_SIGNATURE;
  }
}
