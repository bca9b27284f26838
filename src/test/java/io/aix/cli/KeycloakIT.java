package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Keycloak (the distribution from Maven Central, in dev mode): {@code ./aix keycloak setup}
 * provisions the realm export, is idempotent, repairs what was removed and grants roles; then AIX
 * runs with OIDC on against that realm, and the tokens Keycloak issues are honoured by role.
 */
class KeycloakIT {
  private static final String ADMIN_PASSWORD = "it-admin-password";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  static Process keycloak;
  static String url;

  @BeforeAll
  static void startKeycloak() throws Exception {
    Path home = Path.of(System.getProperty("aix.keycloak.home", "target/keycloak/missing"));
    assertThat(home.resolve("bin/kc.sh"))
        .as("Keycloak unpacked by the build (maven-dependency-plugin, pre-integration-test)")
        .exists();
    deleteTree(home.resolve("data"));
    int port = freePort();
    url = "http://127.0.0.1:" + port;
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash",
                home.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--http-port=" + port,
                "--http-management-port=" + freePort(),
                "--http-host=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target/keycloak-it.log").toFile());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    keycloak = pb.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (status(url + "/realms/master/.well-known/openid-configuration") != 200) {
      assertThat(keycloak.isAlive()).as("Keycloak runs; see target/keycloak-it.log").isTrue();
      assertThat(System.nanoTime()).as("Keycloak started within 4 minutes").isLessThan(deadline);
      Thread.sleep(1000);
    }
  }

  @AfterAll
  static void stopKeycloak() throws InterruptedException {
    if (keycloak != null) {
      keycloak.descendants().forEach(ProcessHandle::destroy);
      keycloak.destroy();
      keycloak.waitFor(30, TimeUnit.SECONDS);
      keycloak.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void setupProvisionsIdempotentlyAndTheApiHonoursKeycloaksTokensByRole() throws Exception {
    Result first = aix(ADMIN_PASSWORD, "keycloak", "setup", "--url", url);
    assertThat(first.status()).as(first.output()).isZero();
    assertThat(first.output())
        .contains("realm aix: created", "role aix-admin: present", "mapper aix-audience")
        .contains("AIX_OIDC_URL=" + url + "/realms/aix");

    String secret = "it-client-secret";
    // Users and a test client through the admin REST API, as an admin's script would.
    String admin = token("master", "admin", ADMIN_PASSWORD, null);
    String users = url + "/admin/realms/aix/users";
    for (String user : List.of("alice", "vera", "nora")) {
      assertThat(
              send(
                  "POST",
                  users,
                  admin,
                  Map.of(
                      "username",
                      user,
                      "enabled",
                      true,
                      "email",
                      user + "@example.org",
                      "emailVerified",
                      true,
                      "firstName",
                      user,
                      "lastName",
                      "Tester",
                      "credentials",
                      List.of(
                          Map.of(
                              "type",
                              "password",
                              "value",
                              user + "-password",
                              "temporary",
                              false)))))
          .isEqualTo(201);
    }
    Map<String, Object> audience =
        Map.of(
            "name", "aix-audience",
            "protocol", "openid-connect",
            "protocolMapper", "oidc-audience-mapper",
            "config", Map.of("included.client.audience", "aix", "access.token.claim", "true"));
    assertThat(
            send(
                "POST",
                url + "/admin/realms/aix/clients",
                admin,
                Map.of(
                    "clientId",
                    "aix-it",
                    "secret",
                    secret,
                    "publicClient",
                    false,
                    "directAccessGrantsEnabled",
                    true,
                    "standardFlowEnabled",
                    false,
                    "protocolMappers",
                    List.of(audience))))
        .isEqualTo(201);
    // An operator removed the audience mapper of aix-ops by mistake: setup puts it back.
    String opsId =
        read(url + "/admin/realms/aix/clients?clientId=aix-ops", admin).get(0).path("id").asText();
    for (var m :
        read(url + "/admin/realms/aix/clients/" + opsId + "/protocol-mappers/models", admin)) {
      if (m.path("name").asText().equals("aix-audience")) {
        assertThat(
                send(
                    "DELETE",
                    url
                        + "/admin/realms/aix/clients/"
                        + opsId
                        + "/protocol-mappers/models/"
                        + m.path("id").asText(),
                    admin,
                    null))
            .isEqualTo(204);
      }
    }

    Result second =
        aix(
            ADMIN_PASSWORD,
            "keycloak",
            "setup",
            "--url",
            url,
            "--grant",
            "alice=aix-admin",
            "--grant",
            "vera=aix-viewer");
    assertThat(second.status()).as(second.output()).isZero();
    assertThat(second.output())
        .contains("realm aix: present", "client aix-ops: present")
        .contains("mapper aix-audience: created", "user alice: granted aix-admin")
        .contains("user vera: granted aix-viewer");
    Result third =
        aix(ADMIN_PASSWORD, "keycloak", "setup", "--url", url, "--grant", "alice=aix-admin");
    assertThat(third.output())
        .contains("mapper aix-audience: present", "user alice: has aix-admin")
        .doesNotContain("created");
    Result refused = aix("wrong-password", "keycloak", "setup", "--url", url);
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.output()).contains("check the password").doesNotContain("wrong-password");

    int port = freePort();
    DemoIT.demoDatabaseExists();
    Process aix =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=" + port,
                "-Daix.cluster.file-root=target/keycloak-it-cluster",
                "-Dquarkus.oidc.tenant-enabled=true",
                "-Dquarkus.oidc.auth-server-url=" + url + "/realms/aix",
                "-Dquarkus.oidc.token.audience=aix",
                "-jar",
                "target/quarkus-app/quarkus-run.jar",
                "demo",
                "--leads",
                "20")
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target/keycloak-it-aix.log").toFile())
            .start();
    try {
      String api = "http://127.0.0.1:" + port;
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (status(api + "/q/health/live") != 200) {
        assertThat(aix.isAlive()).as("AIX runs; see target/keycloak-it-aix.log").isTrue();
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(500);
      }
      String alice = token("aix", "alice", "alice-password", secret);
      String vera = token("aix", "vera", "vera-password", secret);
      String nora = token("aix", "nora", "nora-password", secret);
      assertThat(get(api + "/api/v1/audit", alice)).isEqualTo(200);
      assertThat(get(api + "/api/v1/dead-letters", vera)).isEqualTo(200);
      assertThat(get(api + "/api/v1/audit", vera)).isEqualTo(403);
      assertThat(get(api + "/api/v1/dead-letters", nora)).as("no AIX role").isEqualTo(403);
      assertThat(get(api + "/api/v1/audit", null)).isEqualTo(401);
      assertThat(get(api + "/api/v1/audit", token("master", "admin", ADMIN_PASSWORD, null)))
          .as("another realm's token: wrong issuer and audience")
          .isEqualTo(401);
    } finally {
      aix.destroy();
      aix.waitFor(30, TimeUnit.SECONDS);
      aix.destroyForcibly();
    }
  }

  record Result(int status, String output) {}

  private static Result aix(String adminPassword, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", "aix"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("KEYCLOAK_ADMIN", "admin");
    pb.environment().put("KEYCLOAK_ADMIN_PASSWORD", adminPassword);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static String token(String realm, String user, String password, String secret)
      throws IOException, InterruptedException {
    String form =
        "grant_type=password&username="
            + user
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8)
            + (secret == null
                ? "&client_id=admin-cli"
                : "&client_id=aix-it&client_secret=" + secret);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(url + "/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("access_token").asText();
  }

  private static int send(String method, String uri, String token, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(uri))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static com.fasterxml.jackson.databind.JsonNode read(String uri, String token)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(uri))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static int get(String uri, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int status(String uri) {
    try {
      return get(uri, null);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
