package io.aix.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.agroal.api.AgroalDataSource;
import io.aix.testing.Sql;
import io.aix.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter API under OIDC bearer tokens signed by the WireMock OIDC server: who may read,
 * who may replay, and what bad requests get.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
class DeadLetterApiTest {
  @Inject AgroalDataSource db;

  long first;

  static String token(String user, String... roles) {
    return Tokens.of(user, roles);
  }

  @BeforeEach
  void twoDeadLetters() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate dead_letter, work_item");
      s.execute(
          "insert into dead_letter (profile_id, crm_object, crm_id, stage, error_code, reason,"
              + " payload, crm_modified_at, created_at) values"
              + " ('demo-salesforce', 'Lead', '00Q000000000001AAA', 'normalize', 'INVALID_RECORD',"
              + " 'Email: ''dana@@globex'' is not an e-mail address',"
              + " '{\"Id\":\"00Q000000000001AAA\",\"LastName\":\"Ng\",\"Email\":\"dana@@globex\"}',"
              + " now() - interval '1 hour', now()),"
              + " ('demo-salesforce', 'Lead', '00Q000000000002AAA', 'writeback',"
              + " 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Score fields are read-only', '{}',"
              + " now() - interval '1 hour', now())");
      try (ResultSet r = s.executeQuery("select min(id) from dead_letter")) {
        r.next();
        first = r.getLong(1);
      }
    }
  }

  @Test
  void withoutATokenNothingIsAnswered() {
    given().get("/api/v1/dead-letters").then().statusCode(401);
    given().post("/api/v1/dead-letters/" + first + "/replay").then().statusCode(401);
    given().auth().oauth2("not-a-token").get("/api/v1/dead-letters").then().statusCode(401);
  }

  @Test
  void aViewerReadsButCannotReplay() {
    String viewer = token("vera", "aix-viewer");
    given()
        .auth()
        .oauth2(viewer)
        .get("/api/v1/dead-letters?profile=demo-salesforce")
        .then()
        .statusCode(200)
        .body("", hasSize(2))
        .body("[1].reason", equalTo("Email: 'dana@@globex' is not an e-mail address"))
        .body("[1].payload", nullValue());
    given()
        .auth()
        .oauth2(viewer)
        .get("/api/v1/dead-letters/" + first)
        .then()
        .statusCode(200)
        .body("code", equalTo("INVALID_RECORD"))
        .body(
            "payload",
            equalTo(
                "{\"Id\":\"00Q000000000001AAA\",\"LastName\":\"Ng\",\"Email\":\"dana@@globex\"}"));
    given()
        .auth()
        .oauth2(viewer)
        .post("/api/v1/dead-letters/" + first + "/replay")
        .then()
        .statusCode(403);
    given().auth().oauth2(token("nobody")).get("/api/v1/dead-letters").then().statusCode(403);
  }

  @Test
  void anIntegratorReplaysOneThenTheRest() throws SQLException {
    String integrator = token("ines", "aix-integrator");
    given()
        .auth()
        .oauth2(integrator)
        .post("/api/v1/dead-letters/" + first + "/replay")
        .then()
        .statusCode(200)
        .body("queued", equalTo(1));
    given()
        .auth()
        .oauth2(integrator)
        .post("/api/v1/dead-letters/" + first + "/replay")
        .then()
        .statusCode(200)
        .body("queued", equalTo(0));
    given()
        .auth()
        .oauth2(token("ada", "aix-admin"))
        .post("/api/v1/dead-letters/replay?profile=demo-salesforce")
        .then()
        .statusCode(200)
        .body("queued", equalTo(1));
    assertThat(Sql.count(db, "select count(*) from work_item where stream = 'Lead:replay'"))
        .isEqualTo(2);
    assertThat(Sql.count(db, "select count(*) from dead_letter where replayed_at is null"))
        .isZero();
  }

  @Test
  void badRequestsGetClearAnswers() {
    String integrator = token("ines", "aix-integrator");
    given().auth().oauth2(integrator).get("/api/v1/dead-letters/999999999").then().statusCode(404);
    given().auth().oauth2(integrator).get("/api/v1/dead-letters/abc").then().statusCode(404);
    given().auth().oauth2(integrator).get("/api/v1/dead-letters?limit=0").then().statusCode(400);
    given().auth().oauth2(integrator).post("/api/v1/dead-letters/replay").then().statusCode(400);
    given()
        .auth()
        .oauth2(integrator)
        .get("/api/v1/dead-letters?profile=x' or '1'='1")
        .then()
        .statusCode(200)
        .body("", hasSize(0));
  }
}
