package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.aix.connector.CrmConnector;
import io.aix.connector.Offset;
import io.aix.connector.TokenVault;
import io.aix.connector.hubspot.HubSpotConnectorFactory;
import io.aix.profile.ConfigException;
import io.aix.profile.LiveCatalog;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.Sandbox;
import io.aix.security.CredentialVault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./aix install hubspot} end to end against the sandbox portal, with a simulated browser:
 * the test reads the printed authorize URL, GETs it without following redirects (the sandbox
 * answers as if the admin clicked "Connect app"), then GETs the {@code Location}, which is the
 * command's loopback server. AIX runs on a copy of the shipped configuration plus an OAuth profile
 * that names no refresh token.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
@TestProfile(HubSpotInstallTest.OAuthProfile.class)
class HubSpotInstallTest {
  static final String PROFILE = "hs-install";
  static final Path DIR = configWithOAuthProfile();
  static final String REDIRECT = "http://localhost:7789/oauth-callback";

  public static class OAuthProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("aix.config-dir", DIR.toString());
    }
  }

  /** Line 4 starts the connection block, where a missing refresh token is reported. */
  private static Path configWithOAuthProfile() {
    Path root = io.aix.testing.ConfigCopy.create(null);
    try {
      Files.writeString(
          root.resolve("crm-profiles/" + PROFILE + ".yaml"),
          """
          id: hs-install
          type: hubspot
          connection:
            baseUrl: sandbox
            auth:
              flow: oauth
              clientId: { env: AIX_TEST_HS_CLIENT_ID }
              clientSecret: { env: AIX_TEST_HS_CLIENT_SECRET }
          objects:
            - name: contacts
              mapping: hubspot-contact
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root;
  }

  @Inject CommandLine.IFactory factory;
  @Inject Sandbox sandbox;
  @Inject CredentialVault vault;
  @Inject HubSpotConnectorFactory connectors;
  @Inject LiveCatalog catalog;
  @Inject AgroalDataSource db;

  private final HttpClient browser =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final ObjectMapper json = new ObjectMapper();
  private HubSpotPortal portal;

  @BeforeEach
  void clean() throws Exception {
    portal = sandbox.hubspot().portal();
    portal.reset();
    sql("delete from crm_credential where profile_id = '" + PROFILE + "'");
  }

  /** A command running on its own thread, its output readable while it runs. */
  record Run(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    /** The authorize URL, once the command printed it. */
    URI authorizeUrl() throws InterruptedException {
      for (int i = 0; i < 300; i++) {
        for (String line : out.toString().lines().toList()) {
          if (line.startsWith("  http")) {
            return URI.create(line.strip());
          }
        }
        assertThat(exit.isDone()).as("the command ended early: %s %s", out, err).isFalse();
        Thread.sleep(100);
      }
      throw new AssertionError("no authorize URL printed: " + out);
    }

    int awaitExit() throws Exception {
      return exit.get(60, TimeUnit.SECONDS);
    }
  }

  private Run aix(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(AixCommand.class, factory);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(CompletableFuture.supplyAsync(() -> cli.execute(args)), out, err);
  }

  private Run install(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("install", "hubspot", "--profile", PROFILE, "--no-browser"));
    args.addAll(Arrays.asList(more));
    return aix(args.toArray(String[]::new));
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(90)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      q.put(
          pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  private static String form(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach(
        (k, v) ->
            b.append(b.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }

  private JsonNode postToken(Map<String, String> fields) throws Exception {
    HttpResponse<String> r =
        browser.send(
            HttpRequest.newBuilder(URI.create(sandbox.hubspot().baseUrl() + "/oauth/v1/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = json.readTree(r.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("httpStatus", r.statusCode());
    return body;
  }

  private void sql(String statement) throws Exception {
    try (var c = db.getConnection();
        var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private String[] storedRow() throws Exception {
    try (var c = db.getConnection();
        var s = c.createStatement();
        var r =
            s.executeQuery(
                "select key_id, sealed, account_id from crm_credential where profile_id = '"
                    + PROFILE
                    + "'")) {
      return r.next() ? new String[] {r.getString(1), r.getString(2), r.getString(3)} : null;
    }
  }

  private int poll(CrmConnector connector) {
    return connector
        .poll("contacts", catalog.mapping("hubspot-contact"), Offset.Watermark.START, null)
        .records()
        .size();
  }

  /** The browser follows HubSpot's redirect to the command's loopback server. */
  private HttpResponse<String> follow(Run run, URI back) throws Exception {
    try {
      return get(back);
    } catch (IOException e) {
      throw new AssertionError(
          "the loopback server did not answer (command done: "
              + run.exit().isDone()
              + ")\n"
              + run.out()
              + run.err(),
          e);
    }
  }

  /** Clicks through: authorize page, then the redirect to the loopback server. */
  private URI connectApp(Run run) throws Exception {
    URI authorize = run.authorizeUrl();
    HttpResponse<String> page = get(authorize);
    assertThat(page.statusCode()).as("HubSpot redirects: %s", page.body()).isEqualTo(302);
    return URI.create(page.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void theInstallSealsTheRefreshTokenBindsThePortalAndTheConnectorUsesIt() throws Exception {
    portal.createContact(Map.of("email", "installed@example.com"));
    Run run = install();

    URI authorize = run.authorizeUrl();
    assertThat(authorize.toString()).startsWith(sandbox.hubspot().baseUrl() + "/oauth/authorize?");
    Map<String, String> asked = query(authorize);
    assertThat(asked)
        .containsEntry("client_id", "aix-hubspot-app")
        .containsEntry("redirect_uri", REDIRECT);
    assertThat(asked.get("scope").split(" "))
        .as("the scopes AIX needs, and oauth, which HubSpot requires")
        .containsExactlyInAnyOrder(
            "oauth",
            "crm.objects.contacts.read",
            "crm.objects.contacts.write",
            "crm.schemas.contacts.read",
            "crm.schemas.contacts.write");
    assertThat(asked.get("state")).as("32 random bytes, base64url").hasSize(43);

    HttpResponse<String> page = get(authorize);
    assertThat(page.statusCode()).isEqualTo(302);
    URI back = URI.create(page.headers().firstValue("Location").orElseThrow());
    assertThat(back.toString()).startsWith(REDIRECT + "?code=");
    assertThat(query(back)).containsEntry("state", asked.get("state"));
    HttpResponse<String> closed = follow(run, back);
    assertThat(closed.statusCode()).isEqualTo(200);
    assertThat(closed.body())
        .contains("AIX profile hs-install is now connected to HubSpot portal 62515.")
        .contains("You may close this tab.");

    assertThat(run.awaitExit()).as("%s%s", run.out(), run.err()).isZero();
    assertThat(run.out().toString())
        .contains("Installed: profile hs-install is bound to HubSpot portal 62515")
        .contains("\n  connection:\n    portalId: 62515\n");

    // The README's example ("Install a public app") is what it prints, but for the parts that
    // differ by nature: the profile, the authorize URL's host, client id and state, the file's
    // directory, and the browser (the test opens none).
    String readme = Files.readString(Path.of("README.md"));
    int marker = readme.indexOf("<!-- example: install hubspot");
    assertThat(marker).as("the README shows the output").isPositive();
    int start = readme.indexOf("```\n", marker) + 4;
    List<String> example =
        readme
            .substring(start, readme.indexOf("```", start))
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("$ ") && !l.contains("<"))
            .filter(l -> !l.startsWith("Put this in") && !l.equals("(opened in your browser)"))
            .map(l -> l.replace("acme-hubspot", PROFILE))
            .toList();
    assertThat(example).hasSizeGreaterThan(5);
    assertThat(run.out().toString().lines().map(String::strip).toList()).containsAll(example);

    String[] row = storedRow();
    assertThat(row).as("the install stored the tokens").isNotNull();
    assertThat(row[0]).as("sealed with the current key").isEqualTo("test-1");
    assertThat(row[2]).as("the portal the tokens are for").isEqualTo("62515");
    TokenVault.Tokens tokens = vault.load(PROFILE).orElseThrow();
    assertThat(tokens.refreshToken()).as("a refresh token HubSpot issued now").startsWith("na1-");
    assertThat(tokens.accountId()).isEqualTo("62515");
    assertThat(row[1])
        .as("sealed, not in plain")
        .doesNotContain(tokens.refreshToken())
        .doesNotContain(tokens.accessToken())
        .doesNotContain("refresh_token");

    // The profile names no refresh token: the connector works from the vault's.
    CrmConnector connector = connectors.create(catalog.profile(PROFILE));
    assertThat(poll(connector)).isEqualTo(1);
    assertThat(connector.apiUsage().callsMade())
        .as("the install's access token is still fresh: no exchange")
        .isEqualTo(1);
    portal.expireAccessTokens();
    sql(
        "update crm_credential set expires_at = now() - interval '1 minute' where profile_id = '"
            + PROFILE
            + "'");
    CrmConnector renewed = connectors.create(catalog.profile(PROFILE));
    assertThat(poll(renewed)).as("renewed from the sealed refresh token").isEqualTo(1);
    assertThat(renewed.apiUsage().callsMade()).isEqualTo(2);
    assertThat(vault.load(PROFILE).orElseThrow().accountId())
        .as("a renewal keeps the bound portal")
        .isEqualTo("62515");
  }

  @Test
  void aRedirectWithAWrongOrMissingStateIsRefusedAndNothingIsStored() throws Exception {
    for (String forged : List.of("state=forged-by-another-page", "")) {
      Run run = install("--timeout", "60s");
      URI back = connectApp(run);
      String real = "state=" + URLEncoder.encode(query(back).get("state"), StandardCharsets.UTF_8);
      assertThat(back.getRawQuery()).contains(real);
      String tampered =
          back.toString().replace(forged.isEmpty() ? "&" + real : real, forged).replace("?&", "?");

      HttpResponse<String> page = get(URI.create(tampered));

      assertThat(page.statusCode()).as(tampered).isEqualTo(400);
      assertThat(page.body()).contains("AIX refused this answer");
      assertThat(run.awaitExit()).isEqualTo(1);
      assertThat(run.err().toString())
          .contains("aix: install failed: refused the redirect: ")
          .contains(forged.isEmpty() ? "carried no state" : "state is not this install's");
      assertThat(storedRow()).as("nothing stored").isNull();
      // The genuine redirect, arriving late, finds the install over and nobody listening.
      assertThatThrownBy(() -> get(back)).isInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void aCodeIsSingleUseAndReplayingItRevokesWhatItGave() throws Exception {
    portal.createContact(Map.of("email", "replay@example.com"));
    Run run = install("--timeout", "60s");
    URI back = connectApp(run);
    assertThat(follow(run, back).statusCode()).isEqualTo(200);
    assertThat(run.awaitExit()).isZero();
    TokenVault.Tokens tokens = vault.load(PROFILE).orElseThrow();

    JsonNode replay =
        postToken(
            Map.of(
                "grant_type", "authorization_code",
                "client_id", "aix-hubspot-app",
                "client_secret", "aix-hubspot-app-secret",
                "redirect_uri", REDIRECT,
                "code", query(back).get("code")));

    assertThat(replay.path("httpStatus").asInt()).isEqualTo(400);
    assertThat(replay.path("status").asText()).isEqualTo("BAD_AUTH_CODE");
    JsonNode refresh =
        postToken(
            Map.of(
                "grant_type", "refresh_token",
                "client_id", "aix-hubspot-app",
                "client_secret", "aix-hubspot-app-secret",
                "refresh_token", tokens.refreshToken()));
    assertThat(refresh.path("status").asText())
        .as("a replayed code revokes the refresh token it gave")
        .isEqualTo("BAD_REFRESH_TOKEN");
    CrmConnector connector = connectors.create(catalog.profile(PROFILE));
    assertThatThrownBy(() -> poll(connector))
        .as("and its access token")
        .hasMessageContaining("INVALID_AUTHENTICATION");
  }

  @Test
  void theSandboxRefusesWhatHubSpotRefuses() throws Exception {
    String base = sandbox.hubspot().baseUrl() + "/oauth/authorize";
    String scopes =
        "oauth crm.objects.contacts.read crm.objects.contacts.write crm.schemas.contacts.read"
            + " crm.schemas.contacts.write";
    java.util.function.Function<Map<String, String>, URI> url =
        params -> URI.create(base + "?" + form(params));
    Map<String, String> good =
        Map.of("client_id", "aix-hubspot-app", "redirect_uri", REDIRECT, "scope", scopes);

    HttpResponse<String> ok = get(url.apply(good));
    assertThat(ok.statusCode()).isEqualTo(302);
    assertThat(ok.headers().firstValue("Location").orElseThrow())
        .as("no state asked, none given back")
        .startsWith(REDIRECT + "?code=")
        .doesNotContain("state=");

    Map<String, Map<String, String>> refused = new LinkedHashMap<>();
    refused.put("unknown client_id", Map.of("client_id", "other-app", "redirect_uri", REDIRECT));
    refused.put(
        "unregistered redirect URL",
        Map.of("redirect_uri", "http://localhost:7790/oauth-callback"));
    refused.put(
        "a scope the app's settings do not list",
        Map.of("scope", scopes + " crm.objects.deals.read"));
    refused.put(
        "a required scope left out",
        Map.of("scope", scopes.replace("crm.schemas.contacts.write", "")));
    for (var bad : refused.entrySet()) {
      Map<String, String> params = new LinkedHashMap<>(good);
      params.putAll(bad.getValue());
      HttpResponse<String> page = get(url.apply(params));
      assertThat(page.statusCode()).as(bad.getKey()).isEqualTo(400);
      assertThat(page.headers().firstValue("Location"))
          .as(bad.getKey() + ": an error page, never a redirect")
          .isEmpty();
    }
    assertThat(
            get(URI.create(sandbox.hubspot().baseUrl() + "/oauth/99999/authorize?" + form(good)))
                .statusCode())
        .as("an account the user cannot pick")
        .isEqualTo(403);

    // Token exchange: the redirect URL must be the authorize one; an expired code is refused.
    String code =
        query(URI.create(get(url.apply(good)).headers().firstValue("Location").get())).get("code");
    Map<String, String> exchange = new LinkedHashMap<>();
    exchange.put("grant_type", "authorization_code");
    exchange.put("client_id", "aix-hubspot-app");
    exchange.put("client_secret", "aix-hubspot-app-secret");
    exchange.put("redirect_uri", "http://localhost:7789/other");
    exchange.put("code", code);
    assertThat(postToken(exchange).path("status").asText()).isEqualTo("BAD_REDIRECT_URI");
    exchange.put("redirect_uri", REDIRECT);
    assertThat(postToken(exchange).path("status").asText())
        .as("the failed exchange spent the code")
        .isEqualTo("BAD_AUTH_CODE");
    exchange.put(
        "code",
        query(URI.create(get(url.apply(good)).headers().firstValue("Location").get())).get("code"));
    exchange.put("client_secret", "wrong");
    assertThat(postToken(exchange).path("status").asText()).isEqualTo("BAD_CLIENT_SECRET");
    portal.oauthApp().codeLifetime(Duration.ZERO);
    exchange.put("client_secret", "aix-hubspot-app-secret");
    exchange.put(
        "code",
        query(URI.create(get(url.apply(good)).headers().firstValue("Location").get())).get("code"));
    JsonNode expired = postToken(exchange);
    assertThat(expired.path("httpStatus").asInt()).isEqualTo(400);
    assertThat(expired.path("status").asText()).isEqualTo("EXPIRED_AUTH_CODE");
    assertThat(expired.has("message") && expired.has("correlationId")).isTrue();
  }

  @Test
  void aProfileBoundToAnotherPortalMovesOnlyWithRebind() throws Exception {
    vault.save(
        PROFILE,
        new TokenVault.Tokens("old-access", "old-refresh", java.time.Instant.now(), "99999"));

    Run refused = install("--timeout", "60s");
    assertThat(follow(refused, connectApp(refused)).body()).contains("The install failed");
    assertThat(refused.awaitExit()).isEqualTo(1);
    assertThat(refused.err().toString())
        .contains("profile hs-install is bound to HubSpot portal 99999, and this install connected")
        .contains("run this again with --rebind");
    assertThat(vault.load(PROFILE).orElseThrow().refreshToken())
        .as("the binding stays as it was")
        .isEqualTo("old-refresh");

    Run moved = install("--timeout", "60s", "--rebind");
    assertThat(follow(moved, connectApp(moved)).statusCode()).isEqualTo(200);
    assertThat(moved.awaitExit()).as("%s", moved.err()).isZero();
    assertThat(vault.load(PROFILE).orElseThrow().accountId()).isEqualTo("62515");
  }

  @Test
  void withoutARedirectTheInstallTimesOutAndFreesThePort() throws Exception {
    Run run = install("--timeout", "1s");
    run.authorizeUrl();
    assertThat(run.awaitExit()).isEqualTo(1);
    assertThat(run.err().toString())
        .contains("aix: install failed: no redirect came within 1s; nothing was stored");
    assertThat(storedRow()).isNull();
    try (var socket = new java.net.ServerSocket()) {
      socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 7789));
      assertThat(socket.isBound()).as("the loopback port is free again").isTrue();
    }
  }

  @Test
  void anOAuthProfileWithoutARefreshTokenFailsAtFirstUseWithItsFileAndLine() {
    CrmConnector connector = connectors.create(catalog.profile(PROFILE));
    assertThatThrownBy(() -> poll(connector))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("crm-profiles/hs-install.yaml:4: profile hs-install has no HubSpot")
        .hasMessageContaining("run ./aix install hubspot --profile hs-install");
  }

  @Test
  void helpDocumentsTheFlowAndAPrivateAppProfileIsRefused() throws Exception {
    Run help = aix("install", "hubspot", "--help");
    assertThat(help.awaitExit()).isZero();
    // picocli wraps at 80 columns, also inside URLs: joined again, the URL must be there.
    assertThat(help.out().toString().replaceAll("\\s*\n\\s*", ""))
        .contains("--profile=<profile>")
        .contains("the redirect URL http://localhost:PORT/oauth-callback")
        .contains("--no-browser")
        .contains("default: 7789");

    Run privateApp = aix("install", "hubspot", "--profile", "demo-hubspot", "--no-browser");
    assertThat(privateApp.awaitExit()).isEqualTo(1);
    assertThat(privateApp.err().toString())
        .contains("crm-profiles/demo-hubspot.yaml:")
        .contains("uses a private app (flow: private-app)");
  }
}
