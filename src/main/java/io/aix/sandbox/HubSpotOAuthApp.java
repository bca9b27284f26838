package io.aix.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The OAuth side of the simulated portal: one public app installed in it, with HubSpot's
 * authorization-code flow, refresh tokens and token introspection.
 *
 * <p>Contract, read (not copied) from HubSpot's developer docs "Working with OAuth" and "OAuth
 * quickstart guide" (legacy public apps) and the spec collection's Auth/Oauth v1 and v3 files
 * (HubSpot-public-api-spec-collection @ 99893791383): the authorize URL takes {@code client_id},
 * {@code redirect_uri}, {@code scope} (space-separated, every scope the app's settings mark
 * required), optional {@code optional_scope} and {@code state}; a scope the app's settings do not
 * list, or a redirect URL other than a registered one, stops on HubSpot's error page instead of
 * redirecting; a redirect URL is https, or http on {@code localhost}, never an IP address. After
 * "Connect app" HubSpot redirects to {@code redirect_uri?code=...} (with {@code state} when given).
 * {@code POST /oauth/v1/token} takes the form fields {@code grant_type}, {@code client_id}, {@code
 * client_secret}, {@code redirect_uri}, {@code code} (or {@code refresh_token}) and answers {@code
 * access_token}, {@code refresh_token}, {@code expires_in}, {@code token_type}; its errors carry a
 * {@code status} such as {@code BAD_AUTH_CODE}, {@code EXPIRED_AUTH_CODE} or {@code
 * BAD_REFRESH_TOKEN} with a {@code message}. {@code POST /oauth/v3/token/introspect} answers {@code
 * active}, {@code hub_id}, {@code app_id}, {@code client_id}, {@code scopes}, {@code token_use}.
 *
 * <p>Where the docs are silent the sandbox is stricter than HubSpot: a code lives 60 seconds and is
 * spent by the first exchange that names it, whatever its outcome; presenting it again also revokes
 * the tokens it gave (RFC 6749, 4.1.2); {@code BAD_CLIENT_ID}, {@code BAD_CLIENT_SECRET}, {@code
 * BAD_REDIRECT_URI} and {@code BAD_GRANT_TYPE} follow the documented statuses' style; an unknown
 * token introspects as {@code {"active": false}} (RFC 7662). Thread-safe.
 */
public final class HubSpotOAuthApp {
  /** HubSpot's codes are short-lived; the docs give no figure, so the sandbox allows a minute. */
  static final Duration CODE_LIFETIME = Duration.ofSeconds(60);

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long USER_ID = 31415926;

  /** An authorization code HubSpot issued, and what it was issued for. */
  private record AuthCode(String redirectUri, Set<String> scopes, Instant expiresAt) {}

  /** Tokens one code gave, revoked if the code is presented again. */
  private record Issued(String accessToken, String refreshToken) {}

  private final String clientId;
  private final String clientSecret;
  private final String configuredRefreshToken;
  private final long portalId;
  private final long appId;
  private final Clock clock;
  private final Set<String> redirectUrls = new ConcurrentSkipListSet<>();
  private final Map<String, AuthCode> codes = new ConcurrentHashMap<>();
  private final Map<String, Issued> spentCodes = new ConcurrentHashMap<>();
  private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
  private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
  private volatile boolean rotateRefreshTokens;
  private volatile Duration codeLifetime = CODE_LIFETIME;

  /** The scopes in the app's settings, all required; a token of this app carries them. */
  private static final List<String> SETTINGS_SCOPES =
      List.of(
          "crm.objects.contacts.read",
          "crm.objects.contacts.write",
          "crm.schemas.contacts.read",
          "crm.schemas.contacts.write",
          "oauth");

  private final Set<String> scopes = new ConcurrentSkipListSet<>(SETTINGS_SCOPES);

  HubSpotOAuthApp(
      String clientId,
      String clientSecret,
      String refreshToken,
      long portalId,
      long appId,
      Clock clock) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.configuredRefreshToken = refreshToken;
    this.portalId = portalId;
    this.appId = appId;
    this.clock = clock;
    reset();
  }

  /** Back to the configured refresh token; codes and installs are forgotten. */
  synchronized void reset() {
    refreshTokens.clear();
    refreshTokens.add(configuredRefreshToken);
    rotateRefreshTokens = false;
    codes.clear();
    spentCodes.clear();
    codeLifetime = CODE_LIFETIME;
    scopes.addAll(SETTINGS_SCOPES);
  }

  /**
   * Registers a redirect URL, as in the app's Auth settings: https, or http on localhost, with a
   * host name (HubSpot takes no IP address).
   */
  public void registerRedirectUrl(String url) {
    URI uri = URI.create(url);
    boolean local = "localhost".equals(uri.getHost());
    if (uri.getHost() == null
        || uri.getHost().matches("[0-9.]+|\\[.*\\]|.*:.*")
        || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && local))) {
      throw new IllegalArgumentException(
          "a HubSpot redirect URL is https (http only on localhost) with a host name: " + url);
    }
    redirectUrls.add(url);
  }

  void revokeScope(String scope) {
    scopes.remove(scope);
  }

  void rotateRefreshTokens(boolean rotate) {
    this.rotateRefreshTokens = rotate;
  }

  void expireAccessTokens() {
    accessTokens.clear();
  }

  /** How long a new code may be exchanged (60 s; tests of expiry shorten it). */
  public void codeLifetime(Duration lifetime) {
    this.codeLifetime = lifetime;
  }

  boolean isAccessToken(String token) {
    return accessTokens.contains(token);
  }

  Set<String> scopes() {
    return Set.copyOf(scopes);
  }

  // ------------------------------------------------------------------- GET /oauth/authorize

  /**
   * The authorize page, as if the user picked this portal and clicked "Connect app": a 302 to the
   * redirect URL with a new code. Anything wrong stops on an error page, never redirecting.
   */
  Reply authorize(String pathPortal, String query) {
    Map<String, String> q = FormData.parse(query);
    if (pathPortal != null && !pathPortal.equals(String.valueOf(portalId))) {
      return page(403, "You do not have access to HubSpot account " + pathPortal + ".");
    }
    if (!clientId.equals(q.get("client_id"))) {
      return page(400, "Authorization failed: unknown client_id '" + q.get("client_id") + "'.");
    }
    String redirect = q.get("redirect_uri");
    if (redirect == null || !redirectUrls.contains(redirect)) {
      return page(
          400,
          "Authorization failed: the redirect URL '"
              + redirect
              + "' is not one of the app's registered redirect URLs.");
    }
    Set<String> required = words(q.get("scope"));
    Set<String> optional = words(q.get("optional_scope"));
    Set<String> unknown = new LinkedHashSet<>(required);
    unknown.addAll(optional);
    unknown.removeAll(scopes);
    if (!unknown.isEmpty()) {
      return page(
          400,
          "Authorization failed: the install URL asks for scopes the app's settings do not list: "
              + String.join(" ", unknown));
    }
    Set<String> missing = new LinkedHashSet<>(scopes);
    missing.removeAll(required);
    if (!missing.isEmpty()) {
      return page(
          400,
          "Authorization failed: the scope parameter lacks scopes the app's settings require: "
              + String.join(" ", missing));
    }
    String code = randomToken();
    Set<String> granted = new LinkedHashSet<>(required);
    granted.addAll(optional);
    codes.put(code, new AuthCode(redirect, granted, clock.instant().plus(codeLifetime)));
    StringBuilder location = new StringBuilder(redirect);
    location.append(redirect.contains("?") ? '&' : '?').append("code=").append(encode(code));
    if (q.containsKey("state")) {
      location.append("&state=").append(encode(q.get("state")));
    }
    return new Reply(302, Map.of("Location", location.toString()), "", false);
  }

  // ------------------------------------------------------------------- POST /oauth/v1/token

  Reply token(String body) {
    Map<String, String> f = FormData.parse(body);
    if (!clientId.equals(f.get("client_id"))) {
      return error("BAD_CLIENT_ID", "missing or unknown client id");
    }
    if (!clientSecret.equals(f.get("client_secret"))) {
      return error("BAD_CLIENT_SECRET", "missing or invalid client secret");
    }
    String grant = String.valueOf(f.get("grant_type"));
    return switch (grant) {
      case "authorization_code" -> exchangeCode(f);
      case "refresh_token" -> refresh(f);
      default -> error("BAD_GRANT_TYPE", "unsupported grant_type " + grant);
    };
  }

  private synchronized Reply exchangeCode(Map<String, String> f) {
    String presented = f.get("code");
    AuthCode code = presented == null ? null : codes.remove(presented);
    if (code == null) {
      Issued earlier = presented == null ? null : spentCodes.get(presented);
      if (earlier != null) {
        accessTokens.remove(earlier.accessToken());
        refreshTokens.remove(earlier.refreshToken());
      }
      return error("BAD_AUTH_CODE", "missing or unknown auth code");
    }
    spentCodes.put(presented, new Issued("", ""));
    if (!clock.instant().isBefore(code.expiresAt())) {
      return error("EXPIRED_AUTH_CODE", "auth code is expired");
    }
    if (!code.redirectUri().equals(f.get("redirect_uri"))) {
      return error(
          "BAD_REDIRECT_URI", "redirect_uri does not match the one the auth code was issued for");
    }
    String access = "CJ" + randomToken();
    String refresh = "na1-" + UUID.randomUUID();
    accessTokens.add(access);
    refreshTokens.add(refresh);
    spentCodes.put(presented, new Issued(access, refresh));
    return tokens(access, refresh);
  }

  private synchronized Reply refresh(Map<String, String> f) {
    String presented = f.get("refresh_token");
    if (presented == null || !refreshTokens.contains(presented)) {
      return error("BAD_REFRESH_TOKEN", "missing or unknown refresh token");
    }
    String refresh = presented;
    if (rotateRefreshTokens) {
      refreshTokens.remove(presented);
      refresh = "rt-" + UUID.randomUUID();
      refreshTokens.add(refresh);
    }
    String access = "CJ" + UUID.randomUUID().toString().replace("-", "");
    accessTokens.add(access);
    return tokens(access, refresh);
  }

  private static Reply tokens(String access, String refresh) {
    ObjectNode reply = NODES.objectNode();
    reply.put("token_type", "bearer");
    reply.put("refresh_token", refresh);
    reply.put("access_token", access);
    reply.put("expires_in", 1800);
    return Reply.json(200, reply.toString(), Map.of());
  }

  // ------------------------------------------------------ POST /oauth/v3/token/introspect

  Reply introspect(String body) {
    Map<String, String> f = FormData.parse(body);
    if (!clientId.equals(f.get("client_id"))) {
      return error("BAD_CLIENT_ID", "missing or unknown client id");
    }
    if (!clientSecret.equals(f.get("client_secret"))) {
      return error("BAD_CLIENT_SECRET", "missing or invalid client secret");
    }
    String token = f.getOrDefault("token", "");
    boolean access = accessTokens.contains(token);
    boolean refresh = refreshTokens.contains(token);
    ObjectNode reply = NODES.objectNode();
    if (!access && !refresh) {
      reply.put("active", false);
      return Reply.json(200, reply.toString(), Map.of());
    }
    reply.put("active", true);
    reply.put("token", token);
    reply.put("token_use", access ? "access_token" : "refresh_token");
    reply.put("token_type", "bearer");
    reply.put("client_id", clientId);
    reply.put("hub_id", portalId);
    reply.put("app_id", appId);
    reply.put("user_id", USER_ID);
    ArrayNode granted = reply.putArray("scopes");
    scopes.forEach(granted::add);
    if (access) {
      reply.put("expires_in", 1800);
      reply.put("is_private_distribution", false);
      ObjectNode signed = reply.putObject("signed_access_token");
      signed.put("appId", appId);
      signed.put("hubId", portalId);
      signed.put("userId", USER_ID);
      signed.put("installingUserId", USER_ID);
      signed.put("expiresAt", clock.millis() + 1_800_000);
      signed.put("scopes", String.join(",", scopes));
      signed.put("hublet", "na1");
      signed.put("isPrivateDistribution", false);
      signed.put("isServiceAccount", false);
      signed.put("isUserLevel", false);
    }
    return Reply.json(200, reply.toString(), Map.of());
  }

  // ----------------------------------------------------------------------------- helpers

  private static Reply error(String status, String message) {
    ObjectNode e = NODES.objectNode();
    e.put("status", status);
    e.put("message", message);
    e.put("correlationId", UUID.randomUUID().toString());
    e.put("category", "VALIDATION_ERROR");
    return Reply.json(400, e.toString(), Map.of());
  }

  /** HubSpot's authorize errors are a page for the user, not JSON for the app. */
  private static Reply page(int status, String message) {
    String escaped =
        message
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#39;");
    return new Reply(
        status,
        Map.of("Content-Type", "text/html;charset=UTF-8"),
        "<!DOCTYPE html><title>HubSpot</title><h1>Something went wrong</h1><p>" + escaped + "</p>",
        false);
  }

  private static Set<String> words(String text) {
    return text == null || text.isBlank()
        ? Set.of()
        : new LinkedHashSet<>(Arrays.asList(text.trim().split("\\s+")));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
