package io.aix.connector.hubspot;

import io.aix.connector.CrmCallException;
import io.aix.connector.CrmFailure;
import io.aix.connector.TokenVault;
import io.aix.profile.ConfigException;
import io.aix.profile.CrmProfile;
import io.aix.profile.SecretRef;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bearer token for HubSpot calls. A private app's token is static. An OAuth app's access token
 * lasts 30 minutes: it is renewed from the refresh token a minute before {@code expires_in} runs
 * out, never by waiting for a 401. HubSpot may rotate the refresh token; the newest one is kept.
 * Obtained tokens go to the {@link TokenVault} (sealed in PostgreSQL), so replicas use one access
 * token and a restart resumes with the newest refresh token rather than the one it started with.
 * The vault's refresh token wins over the profile's; after {@code ./aix install hubspot} the
 * profile needs none.
 */
final class HubSpotAuth {
  static final Duration RENEW_AHEAD = Duration.ofSeconds(60);

  private final CrmProfile.Auth auth;
  private final String profileId;
  private final String profileFile;
  private final int authLine;
  private final TokenVault vault;
  private final Clock clock;
  private final AtomicLong calls = new AtomicLong();
  private HubSpotApi tokenApi;
  private String accessToken;
  private String refreshToken;
  private Instant expiresAt = Instant.EPOCH;

  HubSpotAuth(CrmProfile profile, TokenVault vault, Clock clock) {
    this.profileId = profile.id();
    this.profileFile = profile.file();
    this.authLine = profile.connection().line();
    this.vault = vault;
    this.auth = profile.connection().auth();
    this.clock = clock;
    if (auth instanceof CrmProfile.Auth.PrivateApp app) {
      accessToken = app.token().resolve();
      expiresAt = Instant.MAX;
    } else if (auth instanceof CrmProfile.Auth.OAuthRefresh oauth) {
      // Null when the profile names none: the vault must then hold the one the install obtained.
      refreshToken = oauth.refreshToken().map(SecretRef::resolve).orElse(null);
    } else {
      throw new IllegalArgumentException("HubSpot takes private-app or oauth auth, not " + auth);
    }
  }

  /** The client used for the token endpoint; set once the REST client exists. */
  void tokenApi(HubSpotApi api) {
    this.tokenApi = api;
  }

  boolean isPrivateApp() {
    return auth instanceof CrmProfile.Auth.PrivateApp;
  }

  synchronized String bearer() {
    if (clock.instant().isBefore(expiresAt.minus(RENEW_AHEAD))) {
      return accessToken;
    }
    CrmProfile.Auth.OAuthRefresh oauth = (CrmProfile.Auth.OAuthRefresh) auth;
    Optional<TokenVault.Tokens> stored = vault.load(profileId);
    if (stored.isPresent()) {
      if (stored.get().refreshToken() != null) {
        refreshToken = stored.get().refreshToken();
      }
      if (stored.get().accessToken() != null
          && clock.instant().isBefore(stored.get().expiresAt().minus(RENEW_AHEAD))) {
        accessToken = stored.get().accessToken();
        expiresAt = stored.get().expiresAt();
        return accessToken;
      }
    }
    if (refreshToken == null) {
      throw new ConfigException(
          profileFile,
          authLine,
          "profile "
              + profileId
              + " has no HubSpot refresh token: the token vault holds none (run ./aix install"
              + " hubspot --profile "
              + profileId
              + ", which needs AIX_SECRET_KEYS) and connection.auth names no refreshToken");
    }
    calls.incrementAndGet();
    Response response;
    try {
      response =
          tokenApi.refreshToken(
              "refresh_token",
              oauth.clientId().resolve(),
              oauth.clientSecret().resolve(),
              refreshToken);
    } catch (ProcessingException e) {
      throw new CrmCallException(
          new CrmFailure(CrmFailure.Kind.RETRIABLE, "CONNECTION", String.valueOf(e.getMessage())),
          e);
    }
    if (response.getStatus() != 200) {
      HubSpotApi.ErrorBody body = null;
      try {
        body = response.readEntity(HubSpotApi.ErrorBody.class);
      } catch (RuntimeException ignored) {
        // the status says enough
      }
      throw new CrmCallException(HubSpotErrors.callError(response.getStatus(), body), null);
    }
    HubSpotApi.TokenResponse token = response.readEntity(HubSpotApi.TokenResponse.class);
    accessToken = token.access_token();
    if (token.refresh_token() != null) {
      refreshToken = token.refresh_token();
    }
    long seconds = token.expires_in() == null ? 1800 : token.expires_in();
    expiresAt = clock.instant().plusSeconds(seconds);
    vault.save(profileId, new TokenVault.Tokens(accessToken, refreshToken, expiresAt));
    return accessToken;
  }

  long calls() {
    return calls.get();
  }
}
