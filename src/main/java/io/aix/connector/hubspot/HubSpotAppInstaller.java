package io.aix.connector.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.TokenVault;
import io.aix.profile.ConfigException;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.Sandbox;
import io.aix.security.CredentialVault;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Installs a profile's HubSpot public app in a portal with HubSpot's OAuth 2.0 authorization-code
 * flow, as command-line tools do: an authorize URL with a random {@code state} and a loopback
 * redirect URL, the code taken on {@code http://localhost:PORT/oauth-callback}, exchanged at {@code
 * POST /oauth/v1/token}, the portal learnt from the access token's introspection ({@code hub_id}),
 * and the tokens sealed in the {@link CredentialVault} under the profile id with that portal id. A
 * {@link HubSpotAuth} built for the profile afterwards renews from the sealed refresh token.
 *
 * <p>Called by {@code ./aix install hubspot} on the command's thread; blocks until the redirect
 * comes or the timeout passes. Nothing is stored unless every step succeeded.
 */
@ApplicationScoped
public class HubSpotAppInstaller {
  /**
   * The loopback port by default. HubSpot only redirects to URLs registered in the app's Auth
   * settings, so it is fixed: register {@code http://localhost:7789/oauth-callback}.
   */
  public static final int DEFAULT_PORT = 7789;

  public static final String CALLBACK_PATH = "/oauth-callback";

  /** HubSpot's authorize page (the sandbox serves its own). */
  public static final String AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize";

  /**
   * What the authorize URL asks for: the scopes AIX calls with, plus {@code oauth}, which HubSpot
   * requires of every public app (its scope settings cannot drop it).
   */
  static final List<String> AUTHORIZE_SCOPES = authorizeScopes();

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How an install runs.
   *
   * @param rebind the profile may move to another portal than the one it is bound to
   */
  public record Options(int port, Duration timeout, String authorizeUrl, boolean rebind) {}

  /** A finished install: the portal the profile is now bound to and what the token may do. */
  public record Bound(long portalId, List<String> scopes) {}

  /** The install stopped; nothing was stored. The message says why and what to do. */
  public static final class InstallFailed extends RuntimeException {
    public InstallFailed(String message) {
      super(message);
    }
  }

  @Inject Sandbox sandbox;
  @Inject CredentialVault vault;

  /**
   * Runs the flow for {@code profile}, printing to {@code out} what the admin does and sees.
   *
   * @param openBrowser offered the authorize URL; true when it opened a browser on it
   */
  public Bound install(
      CrmProfile profile, Options options, PrintWriter out, Predicate<String> openBrowser) {
    if (!profile.type().equals("hubspot")) {
      throw new InstallFailed(
          "profile " + profile.id() + " is a " + profile.type() + " profile, not a HubSpot one");
    }
    if (!(profile.connection().auth() instanceof CrmProfile.Auth.OAuthRefresh oauth)) {
      throw new InstallFailed(
          profile.file()
              + ":"
              + profile.connection().line()
              + ": profile "
              + profile.id()
              + " uses a private app (flow: private-app), whose token is pasted, not installed;"
              + " an install needs flow: oauth with clientId and clientSecret");
    }
    if (!vault.enabled()) {
      throw new InstallFailed(
          "AIX_SECRET_KEYS is not set: AIX keeps the refresh token only sealed, so it has nowhere"
              + " to put it. Set AIX_SECRET_KEYS (README, \"Secrets\") and run this again.");
    }
    String clientId;
    String clientSecret;
    try {
      clientId = oauth.clientId().resolve();
      clientSecret = oauth.clientSecret().resolve();
    } catch (ConfigException e) {
      throw new InstallFailed(e.getMessage());
    }
    String redirectUri = "http://localhost:" + options.port() + CALLBACK_PATH;
    String state = random();
    String authorize =
        (options.authorizeUrl() != null
                ? options.authorizeUrl()
                : profile.connection().usesSandbox()
                    ? sandbox.hubspot().baseUrl() + "/oauth/authorize"
                    : AUTHORIZE_URL)
            + "?client_id="
            + encode(clientId)
            + "&redirect_uri="
            + encode(redirectUri)
            + "&scope="
            + encode(String.join(" ", AUTHORIZE_SCOPES))
            + "&state="
            + encode(state);

    try (OAuthRedirectReceiver receiver = listen(options.port(), state)) {
      out.println("Installing the HubSpot app of profile " + profile.id() + ".");
      out.println(
          "Open this URL in a browser, sign in to HubSpot, choose the portal and connect the app:");
      out.println();
      out.println("  " + authorize);
      out.println();
      if (openBrowser.test(authorize)) {
        out.println("(opened in your browser)");
      }
      out.println(
          "Waiting up to "
              + describe(options.timeout())
              + " for HubSpot to redirect to "
              + redirectUri
              + " ...");
      out.flush();

      OAuthRedirectReceiver.Answer answer;
      try {
        answer = receiver.await(options.timeout());
      } catch (TimeoutException e) {
        throw new InstallFailed(
            "no redirect came within "
                + describe(options.timeout())
                + "; nothing was stored. Run this again (--timeout for longer).");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InstallFailed("interrupted; nothing was stored");
      }
      if (answer instanceof OAuthRedirectReceiver.Answer.Refused refused) {
        throw new InstallFailed("refused the redirect: " + refused.reason() + "; nothing stored");
      }
      String code = ((OAuthRedirectReceiver.Answer.Code) answer).code();
      try {
        Bound bound = exchangeAndStore(profile, options, clientId, clientSecret, redirectUri, code);
        receiver.finish(
            "AIX profile "
                + profile.id()
                + " is now connected to HubSpot portal "
                + bound.portalId()
                + ".");
        return bound;
      } catch (InstallFailed e) {
        receiver.finish("The install failed: " + e.getMessage() + ".");
        throw e;
      }
    }
  }

  private Bound exchangeAndStore(
      CrmProfile profile,
      Options options,
      String clientId,
      String clientSecret,
      String redirectUri,
      String code) {
    HubSpotApi api = api(profile);
    Response exchanged =
        call(
            () ->
                api.exchangeCode("authorization_code", clientId, clientSecret, redirectUri, code));
    if (exchanged.getStatus() != 200) {
      throw new InstallFailed("HubSpot refused the code: " + problem(exchanged));
    }
    HubSpotApi.TokenResponse tokens = exchanged.readEntity(HubSpotApi.TokenResponse.class);
    if (tokens.access_token() == null || tokens.refresh_token() == null) {
      throw new InstallFailed("HubSpot's token answer lacks access_token or refresh_token");
    }
    Response info =
        call(() -> api.introspect(clientId, clientSecret, tokens.access_token(), "access_token"));
    if (info.getStatus() != 200) {
      throw new InstallFailed("HubSpot did not introspect the new token: " + problem(info));
    }
    JsonNode about = info.readEntity(JsonNode.class);
    if (!about.path("active").asBoolean(false) || !about.path("hub_id").canConvertToLong()) {
      throw new InstallFailed("HubSpot says the new access token is not active, or names no hub");
    }
    long portalId = about.path("hub_id").asLong();
    List<String> granted = new ArrayList<>();
    about.path("scopes").forEach(s -> granted.add(s.asText()));
    Set<String> missing = new LinkedHashSet<>(HubSpotConnector.SCOPES);
    missing.removeAll(granted);
    if (!missing.isEmpty()) {
      throw new InstallFailed(
          "portal "
              + portalId
              + " granted the app no "
              + String.join(", ", missing)
              + "; add the scopes in the app's Auth settings and install again");
    }
    // Webhooks are routed by the portal the profile declares: a token of another portal would
    // write to one portal what AIX hears of another.
    Long declared = profile.connection().portalId();
    if (declared != null && declared != portalId && !options.rebind()) {
      throw new InstallFailed(
          "profile "
              + profile.id()
              + " declares connection.portalId "
              + declared
              + ", and this install connected portal "
              + portalId
              + ". Choose portal "
              + declared
              + " when HubSpot asks, or change connection.portalId and run this again with"
              + " --rebind");
    }
    // AIX's leads, offsets and tasks of a profile are one portal's: moving it is said out loud.
    String bound = vault.load(profile.id()).map(TokenVault.Tokens::accountId).orElse(null);
    if (bound != null && !bound.equals(String.valueOf(portalId)) && !options.rebind()) {
      throw new InstallFailed(
          "profile "
              + profile.id()
              + " is bound to HubSpot portal "
              + bound
              + ", and this install connected portal "
              + portalId
              + ". To move the profile to portal "
              + portalId
              + " (what AIX holds of portal "
              + bound
              + " stays under the profile), run this again with --rebind");
    }
    long seconds = tokens.expires_in() == null ? 1800 : tokens.expires_in();
    vault.save(
        profile.id(),
        new TokenVault.Tokens(
            tokens.access_token(),
            tokens.refresh_token(),
            Clock.systemUTC().instant().plusSeconds(seconds),
            String.valueOf(portalId)));
    return new Bound(portalId, List.copyOf(granted));
  }

  private HubSpotApi api(CrmProfile profile) {
    String base =
        profile.connection().usesSandbox()
            ? sandbox.hubspot().baseUrl()
            : profile.connection().loginUrl();
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(URI.create(base))
        .connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .property("microprofile.rest.client.disable.default.mapper", true)
        .build(HubSpotApi.class);
  }

  private static OAuthRedirectReceiver listen(int port, String state) {
    try {
      return OAuthRedirectReceiver.start(port, CALLBACK_PATH, state);
    } catch (BindException e) {
      throw new InstallFailed(
          "port "
              + port
              + " on localhost is in use; pass --port N and register"
              + " http://localhost:N"
              + CALLBACK_PATH
              + " as a redirect URL in the app's Auth settings");
    } catch (IOException e) {
      throw new InstallFailed("cannot listen on localhost:" + port + ": " + e.getMessage());
    }
  }

  private static Response call(Supplier<Response> request) {
    try {
      return request.get();
    } catch (ProcessingException e) {
      throw new InstallFailed("HubSpot cannot be reached: " + e.getMessage());
    }
  }

  private static String problem(Response response) {
    String body = response.readEntity(String.class);
    try {
      JsonNode error = JSON.readTree(body);
      String status = error.path("status").asText(error.path("category").asText(""));
      return response.getStatus() + " " + status + " " + error.path("message").asText("");
    } catch (IOException | RuntimeException e) {
      return response.getStatus() + " " + body;
    }
  }

  private static List<String> authorizeScopes() {
    List<String> scopes = new ArrayList<>(List.of("oauth"));
    scopes.addAll(HubSpotConnector.SCOPES);
    return List.copyOf(scopes);
  }

  /** 32 random bytes: the state nobody can guess, so no other page can complete this install. */
  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String describe(Duration d) {
    long s = d.toSeconds();
    return s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
  }
}
