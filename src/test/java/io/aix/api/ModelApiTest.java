package io.aix.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.agroal.api.AgroalDataSource;
import io.aix.model.ChampionCache;
import io.aix.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model registry over the API: what scores and why, versions with their figures and reports,
 * promotion by hand and rollback for admins only. The registry rows are written directly (their
 * training is ModelTrainingTest's subject), without model bytes: nothing here scores a lead.
 */
@QuarkusTest
@QuarkusTestResource(OidcWiremockTestResource.class)
class ModelApiTest {
  static final String BASE = "/api/v1/models/demo-salesforce/Lead";

  @Inject AgroalDataSource db;
  @Inject ChampionCache champions;

  static String token(String user, String... roles) {
    return Tokens.of(user, roles);
  }

  @BeforeEach
  void fourVersions() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate model_version, model_training_attempt");
      s.execute(
          "insert into model_version (profile_id, crm_object, version, algorithm, status, reason,"
              + " feature_groups, calibration_a, calibration_b, metrics, validation, provenance,"
              + " trained_at, promoted_at) values"
              + " ('demo-salesforce', 'Lead', 1, 'logistic_regression', 'retired', 'first model',"
              + " '[]', 1, 0, '{\"auc\":0.88}', '{\"rows\":1200}', '{}', now() - interval '20 days',"
              + " now() - interval '20 days'),"
              + " ('demo-salesforce', 'Lead', 2, 'xgboost', 'champion', 'AUC 0.93 >= 0.88',"
              + " '[]', 1, 0, '{\"auc\":0.93}', '{\"rows\":2400}', '{}', now() - interval '10 days',"
              + " now() - interval '10 days'),"
              + " ('demo-salesforce', 'Lead', 3, 'xgboost', 'rejected', 'AUC 0.61 < 0.925',"
              + " '[]', 1, 0, '{\"auc\":0.61}', '{\"rows\":2500}', '{}', now() - interval '3 days',"
              + " null),"
              + " ('demo-salesforce', 'Lead', 4, 'logistic_regression', 'challenger', 'kept',"
              + " '[]', 1, 0, '{\"auc\":0.92}', '{\"rows\":2600}', '{}', now() - interval '1 day',"
              + " null)");
      s.execute(
          "insert into model_training_attempt values ('demo-salesforce', 'Lead', now(),"
              + " 'refused', 'too little history: 412 leads and 37 conversions; 1000 and 120 needed')");
    }
    champions.invalidate("demo-salesforce", "Lead");
  }

  /** Later tests in this application expect the rules scorer. */
  @AfterEach
  void noChampionLeftBehind() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      s.execute("truncate model_version, model_training_attempt");
    }
    champions.invalidate("demo-salesforce", "Lead");
  }

  @Test
  void aViewerSeesWhatScoresAndWhyButPromotesNothing() {
    String viewer = token("vera", "aix-viewer");
    given()
        .auth()
        .oauth2(viewer)
        .get(BASE)
        .then()
        .statusCode(200)
        .body("scoring", equalTo("model v2"))
        .body("versions", hasSize(4))
        .body("versions[2].status", equalTo("rejected"))
        .body("versions[1].metrics.auc", equalTo(0.93f))
        .body("lastTraining.outcome", equalTo("refused"))
        .body(
            "lastTraining.reason",
            equalTo("too little history: 412 leads and 37 conversions; 1000 and 120 needed"));
    given()
        .auth()
        .oauth2(viewer)
        .get(BASE + "/2/validation")
        .then()
        .statusCode(200)
        .body("rows", equalTo(2400));
    given().auth().oauth2(viewer).post(BASE + "/4/promote").then().statusCode(403);
    given()
        .auth()
        .oauth2(token("ines", "aix-integrator"))
        .post(BASE + "/rollback")
        .then()
        .statusCode(403);
    given().get(BASE).then().statusCode(401);
  }

  @Test
  void anAdminPromotesByHandAndRollsBack() {
    String admin = token("ada", "aix-admin");
    given()
        .auth()
        .oauth2(admin)
        .post(BASE + "/4/promote")
        .then()
        .statusCode(200)
        .body("scoring", equalTo("model v4"))
        .body("versions[1].status", equalTo("retired"));
    given()
        .auth()
        .oauth2(admin)
        .post(BASE + "/rollback")
        .then()
        .statusCode(200)
        .body("scoring", equalTo("model v2"))
        .body("versions[3].status", equalTo("retired"));
    given()
        .auth()
        .oauth2(admin)
        .post(BASE + "/3/promote")
        .then()
        .statusCode(409)
        .body(
            "error",
            equalTo(
                "version 3 was rejected when it was trained (AUC 0.61 < 0.925); train a better one instead"));
    given().auth().oauth2(admin).post(BASE + "/2/promote").then().statusCode(409);
    given().auth().oauth2(admin).post(BASE + "/9/promote").then().statusCode(404);
    given().auth().oauth2(admin).get("/api/v1/models/nope/Lead").then().statusCode(404);
  }
}
