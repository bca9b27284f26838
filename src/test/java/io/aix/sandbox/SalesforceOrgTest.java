package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox org answers as strictly as Salesforce's REST API (each rule's source is named where
 * the org implements it): limit refusals, field clearing and unknown fields, number scale, the
 * Delete permission, and the JWT bearer assertion's claims.
 */
class SalesforceOrgTest {
  static final String BASE = "http://127.0.0.1:1";
  static final ObjectMapper JSON = new ObjectMapper();

  SalesforceOrg org;
  String token;

  @BeforeEach
  void login() throws Exception {
    org = new SalesforceOrg("aix-client", "aix-secret", Clock.systemUTC());
    Reply reply =
        org.handle(
            "POST",
            "/services/oauth2/token",
            Map.of(),
            "grant_type=client_credentials&client_id=aix-client&client_secret=aix-secret",
            BASE);
    token = JSON.readTree(reply.body()).path("access_token").asText();
  }

  private Reply call(String method, String path, String body) {
    return org.handle(
        method,
        "/services/data/v62.0/" + path,
        Map.of("authorization", "Bearer " + token),
        body,
        BASE);
  }

  private static JsonNode json(Reply r) throws Exception {
    return JSON.readTree(r.body());
  }

  private String lead() {
    return org.insert(
        "Lead",
        Map.of("LastName", "Okafor", "Company", "Tyrell", "AIX_Signals__c", "1 form submission"));
  }

  private Reply update(String id, String fields) {
    return call(
        "PATCH",
        "composite/sobjects",
        "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":\"Lead\"},\"Id\":\""
            + id
            + "\","
            + fields
            + "}]}");
  }

  @Test
  void anEleventhOpenQueryCursorReleasesTheOldestAndPagesAreInTheQuerysOrder() throws Exception {
    for (int i = 0; i < 450; i++) {
      lead();
    }
    Map<String, String> small = Map.of("authorization", "Bearer " + token);
    String q = "query/?q=SELECT+Id,+SystemModstamp+FROM+Lead+ORDER+BY+SystemModstamp,+Id";
    java.util.List<String> next = new java.util.ArrayList<>();
    for (int i = 0; i < 11; i++) {
      JsonNode first =
          json(
              org.handle(
                  "GET",
                  "/services/data/v62.0/" + q,
                  Map.of(
                      "authorization", "Bearer " + token, "sforce-query-options", "batchSize=200"),
                  null,
                  BASE));
      assertThat(first.path("totalSize").asInt()).isEqualTo(450);
      assertThat(first.path("records")).hasSize(200);
      next.add(first.path("nextRecordsUrl").asText());
    }
    // Salesforce keeps 10 cursors a user: the first query's locator was released by the 11th.
    Reply released = org.handle("GET", next.get(0), small, null, BASE);
    assertThat(released.status()).isEqualTo(400);
    assertThat(released.body()).contains("INVALID_QUERY_LOCATOR");
    JsonNode second = json(org.handle("GET", next.get(10), small, null, BASE));
    assertThat(second.path("records")).as("the rest").hasSize(250);
    String previous = "";
    for (JsonNode r : second.path("records")) {
      // The sandbox orders text as SOQL does, case-insensitively.
      String key = r.path("SystemModstamp").asText() + r.path("Id").asText().toLowerCase();
      assertThat(key).isGreaterThan(previous);
      assertThat(r.has("Title")).as("projected to the query's fields").isFalse();
      previous = key;
    }
  }

  /**
   * Every record carries who changed it last (Object Reference, "System Fields": LastModifiedById),
   * and SOQL filters on it: what AIX's poll uses to leave out its own writes.
   */
  @Test
  void aQueryCanLeaveOutTheRecordsOneUserChangedLast() throws Exception {
    String written = lead();
    String users = lead();
    assertThat(org.record("Lead", users).path("LastModifiedById").asText())
        .as("the user who made it")
        .isEqualTo(SalesforceOrg.USER_ID);
    assertThat(json(update(written, "\"AIX_Score__c\":40")).get(0).path("success").asBoolean())
        .isTrue();
    String q =
        "query/?q=SELECT+Id+FROM+Lead+WHERE+SystemModstamp+>=+2020-01-01T00:00:00Z+AND"
            + "+LastModifiedById+!=+'"
            + SalesforceOrg.INTEGRATION_USER_ID
            + "'";
    JsonNode others = json(call("GET", q, null));
    assertThat(others.path("totalSize").asInt()).isEqualTo(1);
    assertThat(others.path("records").get(0).path("Id").asText()).isEqualTo(users);
    String otherCase =
        "query/?q=SELECT+Id+FROM+Lead+WHERE+OwnerId+=+'"
            + SalesforceOrg.USER_ID.toLowerCase()
            + "'";
    assertThat(json(call("GET", otherCase, null)).path("totalSize").asInt())
        .as("ids compare exactly, not as text without case")
        .isZero();
  }

  @Test
  void aConcurrencyLimitIsA403RequestLimitExceededNotA429() throws Exception {
    for (int status : new int[] {403, 429}) {
      org.faults().failNext(1, status);
      Reply refused = call("GET", "limits", "");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(json(refused).get(0).path("errorCode").asText())
          .isEqualTo("REQUEST_LIMIT_EXCEEDED");
      assertThat(json(refused).get(0).path("message").asText())
          .isEqualTo("ConcurrentPerOrgLongTxn Limit exceeded.");
      assertThat(refused.headers().get("Sforce-Limit-Info"))
          .as("the day's calls are not spent")
          .matches("api-usage=\\d+/15000");
    }
  }

  @Test
  void anAbsentFieldStaysAnExplicitNullClearsAndAnUnknownOneIsRefused() throws Exception {
    String id = lead();

    JsonNode kept = json(update(id, "\"AIX_Score__c\":40"));
    assertThat(kept.get(0).path("success").asBoolean()).isTrue();
    assertThat(org.record("Lead", id).path("AIX_Signals__c").asText())
        .as("not named: unchanged")
        .isEqualTo("1 form submission");

    assertThat(json(update(id, "\"AIX_Signals__c\":null")).get(0).path("success").asBoolean())
        .isTrue();
    assertThat(org.record("Lead", id).hasNonNull("AIX_Signals__c")).as("null: cleared").isFalse();

    for (String unknown : new String[] {"fieldsToNull", "AIX_Nope__c"}) {
      JsonNode refused = json(update(id, "\"AIX_Score__c\":50,\"" + unknown + "\":[]"));
      assertThat(refused.get(0).path("success").asBoolean()).isFalse();
      assertThat(refused.get(0).path("errors").get(0).path("statusCode").asText())
          .isEqualTo("INVALID_FIELD");
      assertThat(refused.get(0).path("errors").get(0).path("message").asText())
          .contains("No such column '" + unknown + "'");
    }
    assertThat(org.record("Lead", id).path("AIX_Score__c").asInt())
        .as("a refused record is not written at all")
        .isEqualTo(40);

    JsonNode required = json(update(id, "\"LastName\":null"));
    assertThat(required.get(0).path("errors").get(0).path("statusCode").asText())
        .isEqualTo("REQUIRED_FIELD_MISSING");
  }

  @Test
  void numbersAreStoredAtTheirFieldsScale() throws Exception {
    String id = lead();
    update(id, "\"AIX_Conversion_Probability__c\":37.55,\"AIX_Score__c\":64.5");
    assertThat(org.record("Lead", id).path("AIX_Conversion_Probability__c").decimalValue())
        .isEqualByComparingTo("37.6");
    assertThat(org.record("Lead", id).path("AIX_Score__c").decimalValue())
        .isEqualByComparingTo("65");

    JsonNode tooBig = json(update(id, "\"AIX_Score__c\":1000"));
    assertThat(tooBig.get(0).path("errors").get(0).path("statusCode").asText())
        .as("Number(3, 0) holds three digits")
        .isEqualTo("NUMBER_OUTSIDE_VALID_RANGE");

    JsonNode describe = json(call("GET", "sobjects/Lead/describe", ""));
    JsonNode probability = null;
    for (JsonNode f : describe.path("fields")) {
      if (f.path("name").asText().equals("AIX_Conversion_Probability__c")) {
        probability = f;
      }
    }
    assertThat(probability.path("precision").asInt()).isEqualTo(4);
    assertThat(probability.path("scale").asInt()).isEqualTo(1);
  }

  @Test
  void deletingNeedsTheDeletePermissionTheKitWithholds() throws Exception {
    String id = lead();
    assertThat(json(call("GET", "sobjects/Lead/describe", "")).path("deletable").asBoolean())
        .isFalse();

    Reply refused = call("DELETE", "sobjects/Lead/" + id, null);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(json(refused).get(0).path("errorCode").asText())
        .isEqualTo("INSUFFICIENT_ACCESS_OR_READONLY");
    assertThat(org.record("Lead", id).path("IsDeleted").asBoolean()).isFalse();

    org.grantDelete(true);
    assertThat(json(call("GET", "sobjects/Lead/describe", "")).path("deletable").asBoolean())
        .isTrue();
    assertThat(call("DELETE", "sobjects/Lead/" + id, null).status()).isEqualTo(204);
    assertThat(org.record("Lead", id).path("IsDeleted").asBoolean()).isTrue();
  }

  // ------------------------------------------------------------------ JWT bearer assertions

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String assertion(KeyPair key, String iss, String sub, String aud, long exp)
      throws Exception {
    String header = b64("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        b64(
            JSON.writeValueAsBytes(
                Map.of("iss", iss, "sub", sub, "aud", aud, "exp", String.valueOf(exp))));
    Signature sig = Signature.getInstance("SHA256withRSA");
    sig.initSign(key.getPrivate());
    sig.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
    return header + "." + claims + "." + b64(sig.sign());
  }

  private Reply jwtLogin(String assertion) {
    return org.handle(
        "POST",
        "/services/oauth2/token",
        Map.of(),
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion,
        BASE);
  }

  @Test
  void aJwtAssertionsClaimsAreChecked() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair key = generator.generateKeyPair();
    org.trustJwtKey(key.getPublic());
    String user = SalesforceOrg.INTEGRATION_USERNAME;
    long exp = System.currentTimeMillis() / 1000 + 180;

    for (String aud :
        new String[] {"https://login.salesforce.com", "https://test.salesforce.com", BASE}) {
      assertThat(jwtLogin(assertion(key, "aix-client", user, aud, exp)).status())
          .as("aud %s", aud)
          .isEqualTo(200);
    }

    Reply wrongAudience =
        jwtLogin(assertion(key, "aix-client", user, "https://login.example.com", exp));
    assertThat(wrongAudience.status()).isEqualTo(400);
    assertThat(json(wrongAudience).path("error").asText()).isEqualTo("invalid_grant");

    Reply wrongIssuer = jwtLogin(assertion(key, "another-app", user, BASE, exp));
    assertThat(json(wrongIssuer).path("error").asText()).isEqualTo("invalid_client_id");

    Reply unknownUser = jwtLogin(assertion(key, "aix-client", "nobody@example.com", BASE, exp));
    assertThat(json(unknownUser).path("error").asText()).isEqualTo("invalid_grant");

    org.user("rep@aix.example.com", false);
    Reply notApproved = jwtLogin(assertion(key, "aix-client", "rep@aix.example.com", BASE, exp));
    assertThat(json(notApproved).path("error_description").asText())
        .isEqualTo("user hasn't approved this consumer");

    Reply expired =
        jwtLogin(assertion(key, "aix-client", user, BASE, System.currentTimeMillis() / 1000 - 1));
    assertThat(json(expired).path("error").asText()).isEqualTo("invalid_grant");
  }
}
