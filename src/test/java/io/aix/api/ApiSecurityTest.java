package io.aix.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.testing.Sql;
import io.aix.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Who may call what: every {@code /api/v1} endpoint against no token, a viewer, an integrator and
 * an admin (and a user with no AIX role), with the status each must get; tokens that are expired,
 * for another audience, signed by someone else or tampered with; injection attempts in every path
 * and query parameter; oversized bodies, security headers and closed CORS.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
class ApiSecurityTest {
  static final String ISSUER = "https://server.example.com";

  @Inject AgroalDataSource db;

  /** One endpoint and the status expected for: none, viewer, integrator, admin, role-less. */
  record Case(String method, String path, int none, int viewer, int integrator, int admin) {}

  static final List<Case> MATRIX =
      List.of(
          new Case("GET", "/api/v1/dead-letters", 401, 200, 200, 200),
          new Case("GET", "/api/v1/dead-letters/987654", 401, 404, 404, 404),
          new Case("POST", "/api/v1/dead-letters/987654/replay", 401, 403, 404, 404),
          new Case(
              "POST", "/api/v1/dead-letters/replay?profile=demo-salesforce", 401, 403, 200, 200),
          new Case("GET", "/api/v1/models/demo-salesforce/Lead", 401, 200, 200, 200),
          new Case("GET", "/api/v1/models/demo-salesforce/Lead/99/validation", 401, 404, 404, 404),
          new Case("POST", "/api/v1/models/demo-salesforce/Lead/99/promote", 401, 403, 403, 404),
          new Case("POST", "/api/v1/models/demo-salesforce/Lead/rollback", 401, 403, 403, 409),
          new Case("GET", "/api/v1/subjects/nobody@example.org", 401, 403, 403, 200),
          new Case("DELETE", "/api/v1/subjects/nobody@example.org", 401, 403, 403, 200),
          new Case("GET", "/api/v1/audit", 401, 403, 403, 200),
          new Case("GET", "/api/v1/dry-run/demo-salesforce", 401, 200, 200, 200),
          // No JSON body: once allowed, the sender is told the media type is wrong.
          new Case("POST", "/api/v1/signals", 401, 403, 415, 415),
          new Case("GET", "/api/v1/dry-run/no-such-profile", 401, 404, 404, 404));

  static String token(String user, String... roles) {
    return Tokens.of(user, roles);
  }

  private static Response call(Case c, String token) {
    RequestSpecification r = given();
    if (token != null) {
      r = r.auth().oauth2(token);
    }
    return r.request(c.method(), c.path());
  }

  @Test
  void everyEndpointAnswersEachRoleAsTheMatrixSays() {
    String viewer = token("vera", "aix-viewer");
    String integrator = token("ivan", "aix-integrator");
    String admin = token("alice", "aix-admin");
    String nobody = token("nora");
    List<String> wrong = new ArrayList<>();
    for (Case c : MATRIX) {
      expect(wrong, c, "no token", null, c.none());
      expect(wrong, c, "viewer", viewer, c.viewer());
      expect(wrong, c, "integrator", integrator, c.integrator());
      expect(wrong, c, "admin", admin, c.admin());
      expect(wrong, c, "no AIX role", nobody, 403);
    }
    assertThat(wrong).as("method path (who): got, expected").isEmpty();
  }

  private static void expect(List<String> wrong, Case c, String who, String token, int status) {
    int got = call(c, token).statusCode();
    if (got != status) {
      wrong.add(c.method() + " " + c.path() + " (" + who + "): " + got + ", expected " + status);
    }
  }

  @Test
  void badTokensAreRefused() throws NoSuchAlgorithmException {
    Case audit = MATRIX.get(MATRIX.size() - 1);
    String expired =
        Jwt.preferredUserName("alice")
            .groups(Set.of("aix-admin"))
            .issuer(ISSUER)
            .audience(ISSUER)
            .issuedAt(Instant.now().minusSeconds(3600))
            .expiresAt(Instant.now().minusSeconds(600))
            .jws()
            .keyId("1")
            .sign("privateKey.jwk");
    String otherAudience =
        Jwt.preferredUserName("alice")
            .groups(Set.of("aix-admin"))
            .issuer(ISSUER)
            .audience("some-other-app")
            .jws()
            .keyId("1")
            .sign("privateKey.jwk");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String strangerSigned =
        Jwt.preferredUserName("alice")
            .groups(Set.of("aix-admin"))
            .issuer(ISSUER)
            .audience(ISSUER)
            .jws()
            .keyId("1")
            .sign(rsa.generateKeyPair().getPrivate());
    String[] viewer = token("vera", "aix-viewer").split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(viewer[1]));
    String tampered =
        viewer[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims.replace("aix-viewer", "aix-admin").getBytes())
            + "."
            + viewer[2];
    for (String bad : List.of(expired, otherAudience, strangerSigned, tampered, "not-a-jwt")) {
      assertThat(call(audit, bad).statusCode()).as(bad).isEqualTo(401);
    }
    assertThat(
            given()
                .header("Authorization", "Basic YWxpY2U6YWxpY2U=")
                .get("/api/v1/audit")
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void injectionInPathsAndQueriesIsHarmless() throws SQLException {
    String admin = token("alice", "aix-admin");
    long tables =
        Sql.count(
            db, "select count(*) from information_schema.tables where table_schema = 'public'");
    List<String> attacks =
        List.of(
            "' or '1'='1",
            "1; drop table lead; --",
            "\" or \"\"=\"",
            "{\"$gt\":\"\"}",
            "../../etc/passwd",
            "%00",
            "x'||pg_sleep(5)||'");
    List<String> wrong = new ArrayList<>();
    for (String a : attacks) {
      String e =
          java.net.URLEncoder.encode(a, java.nio.charset.StandardCharsets.UTF_8)
              .replace("+", "%20");
      List<Response> answers =
          List.of(
              given().auth().oauth2(admin).queryParam("profile", a).get("/api/v1/dead-letters"),
              given().auth().oauth2(admin).queryParam("limit", a).get("/api/v1/dead-letters"),
              raw(admin).get("/api/v1/dead-letters/" + e),
              raw(admin).post("/api/v1/dead-letters/" + e + "/replay"),
              given()
                  .auth()
                  .oauth2(admin)
                  .queryParam("profile", a)
                  .post("/api/v1/dead-letters/replay"),
              raw(admin).get("/api/v1/models/" + e + "/Lead"),
              raw(admin).get("/api/v1/models/demo-salesforce/" + e),
              raw(admin).post("/api/v1/models/demo-salesforce/Lead/" + e + "/promote"),
              raw(admin).get("/api/v1/subjects/" + e),
              raw(admin).get("/api/v1/subjects/" + e + "@example.org"),
              raw(admin).delete("/api/v1/subjects/" + e + "@example.org"),
              given().auth().oauth2(admin).queryParam("action", a).get("/api/v1/audit"),
              given().auth().oauth2(admin).queryParam("since", a).get("/api/v1/audit"),
              given()
                  .auth()
                  .oauth2(admin)
                  .contentType("application/json")
                  .body(
                      java.util.Map.of(
                          "signals",
                          List.of(
                              java.util.Map.of(
                                  "id", a,
                                  "profile", "demo-salesforce",
                                  "object", "Lead",
                                  "recordId", a,
                                  "type", a,
                                  "occurredAt", a),
                              java.util.Map.of(
                                  "id", "x",
                                  "profile", "demo-salesforce",
                                  "object", "Lead",
                                  "recordId", a,
                                  "type", "page_view",
                                  "occurredAt", Instant.now().toString()))))
                  .post("/api/v1/signals"));
      for (Response r : answers) {
        int status = r.statusCode();
        if (status >= 500 || r.time() > 4000) {
          wrong.add(a + ": " + status + " in " + r.time() + " ms: " + r.asString());
        }
      }
    }
    assertThat(wrong).as("a server error or a delay means the input reached SQL").isEmpty();
    assertThat(
            Sql.count(
                db, "select count(*) from information_schema.tables where table_schema = 'public'"))
        .isEqualTo(tables);
  }

  /** A request whose path is sent exactly as given, already encoded. */
  private static RequestSpecification raw(String token) {
    return given().urlEncodingEnabled(false).auth().oauth2(token);
  }

  @Test
  void oversizedBodiesHeadersAndCors() {
    String big = "[" + "{\"eventId\":1},".repeat(80_000) + "{}]";
    assertThat(big.length()).isGreaterThan(1024 * 1024);
    given()
        .contentType("application/json")
        .body(big)
        .post("/webhooks/hubspot/demo-hubspot")
        .then()
        .statusCode(413);
    Response r = given().auth().oauth2(token("alice", "aix-admin")).get("/api/v1/audit");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Content-Security-Policy")).contains("default-src 'none'");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    Response preflight =
        given()
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "DELETE")
            .options("/api/v1/subjects/nobody@example.org");
    assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    Response cross =
        given()
            .header("Origin", "https://evil.example")
            .auth()
            .oauth2(token("alice", "aix-admin"))
            .get("/api/v1/audit");
    assertThat(cross.header("Access-Control-Allow-Origin")).isNull();
  }
}
