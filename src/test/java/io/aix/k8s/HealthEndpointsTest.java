package io.aix.k8s;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The paths the Deployment's probes and Prometheus scrape are really served. */
@QuarkusTest
class HealthEndpointsTest {
  @Test
  void probesAnswerUp() {
    for (String path : new String[] {"/q/health/started", "/q/health/live", "/q/health/ready"}) {
      given().get(path).then().statusCode(200).body("status", equalTo("UP"));
    }
  }

  @Test
  void readinessIncludesTheDatabase() {
    given().get("/q/health/ready").then().body(containsString("Database connections health check"));
  }

  @Test
  void metricsAreServedForPrometheus() {
    given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
  }

  @Test
  void wellnessListsEachConnectedCrmWithItsBudget() {
    given()
        .get("/q/health/well")
        .then()
        .body(containsString("aix-crms"))
        .body(containsString("demo-salesforce"))
        .body(containsString("AIX's budget 15000"));
  }
}
