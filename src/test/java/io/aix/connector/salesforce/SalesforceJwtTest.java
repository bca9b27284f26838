package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aix.connector.CrmCallException;
import io.aix.connector.CrmConnector;
import io.aix.connector.Offset;
import io.aix.connector.PollPage;
import io.aix.profile.CrmProfile;
import io.aix.profile.LiveCatalog;
import io.aix.profile.SecretRef;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The OAuth 2.0 JWT bearer flow, the production way to connect a Salesforce org: the real Camel
 * component signs the assertion with the keystore's key, and the sandbox org verifies it against
 * the connected app's certificate key.
 */
@QuarkusTest
@QuarkusTestResource(value = JwtKeystoreResource.class, restrictToAnnotatedClass = true)
class SalesforceJwtTest {
  @Inject SalesforceConnectorFactory factory;
  @Inject Sandbox sandbox;
  @Inject LiveCatalog catalog;

  // Read when the test runs, not injected: an injection point would be checked by every other
  // @QuarkusTest start-up too, where this resource (restricted to this class) does not exist.
  private static String keystoreBase64() {
    return ConfigProvider.getConfig().getValue("AIX_TEST_SF_KEYSTORE", String.class);
  }

  private CrmProfile jwtProfile(String id) {
    return jwtProfile(id, "AIX_TEST_SF_CLIENT_ID", "AIX_TEST_SF_USERNAME", null);
  }

  private CrmProfile jwtProfile(String id, String clientIdEnv, String usernameEnv, String aud) {
    CrmProfile.Auth.Jwt jwt =
        new CrmProfile.Auth.Jwt(
            new SecretRef(clientIdEnv, "jwt.yaml", 1),
            new SecretRef(usernameEnv, "jwt.yaml", 2),
            new SecretRef("AIX_TEST_SF_KEYSTORE", "jwt.yaml", 3),
            new SecretRef("AIX_TEST_SF_KEYSTORE_PASSWORD", "jwt.yaml", 4),
            aud);
    return new CrmProfile(
        id,
        "salesforce",
        "jwt.yaml",
        new CrmProfile.Connection("sandbox", "62.0", jwt, 1),
        List.of(
            new CrmProfile.ObjectSync(
                "Lead", "salesforce-lead", Duration.ofSeconds(30), Duration.ofMinutes(2), 2000, 1)),
        new CrmProfile.Writeback(true, 200, List.of("AIX_Score__c")),
        "default-rules",
        new CrmProfile.Limits(5000),
        java.util.Optional.empty(),
        CrmProfile.Tasks.OFF,
        CrmProfile.ModelSettings.DEFAULT,
        CrmProfile.Privacy.DEFAULT);
  }

  @Test
  void aSignedAssertionFromTheKeystoreLogsIn() throws Exception {
    SalesforceOrg org = sandbox.salesforce().org();
    org.reset();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(
        new ByteArrayInputStream(Base64.getDecoder().decode(keystoreBase64())),
        JwtKeystoreResource.PASSWORD.toCharArray());
    org.trustJwtKey(ks.getCertificate("aix").getPublicKey());
    String id = org.insert("Lead", Map.of("LastName", "Okafor", "Company", "Tyrell Systems"));

    CrmConnector connector = factory.create(jwtProfile("jwt-ok"));
    PollPage page =
        connector.poll("Lead", catalog.mapping("salesforce-lead"), Offset.Watermark.START, null);

    assertThat(page.records()).extracting(r -> r.key().crmId()).containsExactly(id);
  }

  @Test
  void anAssertionSignedWithAnotherKeyIsRefused() throws Exception {
    SalesforceOrg org = sandbox.salesforce().org();
    org.reset();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    org.trustJwtKey(generator.generateKeyPair().getPublic());

    CrmConnector connector = factory.create(jwtProfile("jwt-bad"));
    assertThatThrownBy(
            () ->
                connector.poll(
                    "Lead", catalog.mapping("salesforce-lead"), Offset.Watermark.START, null))
        .isInstanceOf(CrmCallException.class)
        .hasMessageContaining("invalid_client");
  }

  /** An org trusting the keystore's key; each claim test then changes one claim. */
  private SalesforceOrg trustingOrg() throws Exception {
    SalesforceOrg org = sandbox.salesforce().org();
    org.reset();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(
        new ByteArrayInputStream(Base64.getDecoder().decode(keystoreBase64())),
        JwtKeystoreResource.PASSWORD.toCharArray());
    org.trustJwtKey(ks.getCertificate("aix").getPublicKey());
    return org;
  }

  private void poll(CrmConnector connector) {
    connector.poll("Lead", catalog.mapping("salesforce-lead"), Offset.Watermark.START, null);
  }

  @Test
  void anAssertionForAnotherAudienceIsRefused() throws Exception {
    trustingOrg();
    CrmConnector connector =
        factory.create(
            jwtProfile(
                "jwt-aud",
                "AIX_TEST_SF_CLIENT_ID",
                "AIX_TEST_SF_USERNAME",
                "https://login.example.com"));
    assertThatThrownBy(() -> poll(connector))
        .isInstanceOf(CrmCallException.class)
        .hasMessageContaining("invalid_grant")
        .hasMessageContaining("audience is invalid");
  }

  @Test
  void theProductionLoginUrlIsAValidAudience() throws Exception {
    trustingOrg();
    CrmConnector connector =
        factory.create(
            jwtProfile(
                "jwt-aud-login",
                "AIX_TEST_SF_CLIENT_ID",
                "AIX_TEST_SF_USERNAME",
                "https://login.salesforce.com"));
    poll(connector);
  }

  @Test
  void anAssertionOfAnotherConnectedAppIsRefused() throws Exception {
    trustingOrg();
    CrmConnector connector =
        factory.create(
            jwtProfile("jwt-iss", "AIX_TEST_SF_OTHER_CLIENT_ID", "AIX_TEST_SF_USERNAME", null));
    assertThatThrownBy(() -> poll(connector))
        .isInstanceOf(CrmCallException.class)
        .hasMessageContaining("invalid_client_id");
  }

  @Test
  void aUserTheAppIsNotPreAuthorisedForOrAnUnknownOneIsRefused() throws Exception {
    SalesforceOrg org = trustingOrg();
    org.user("someone.else@aix.example.com", false);
    CrmConnector notApproved =
        factory.create(
            jwtProfile(
                "jwt-sub-unapproved", "AIX_TEST_SF_CLIENT_ID", "AIX_TEST_SF_OTHER_USERNAME", null));
    assertThatThrownBy(() -> poll(notApproved))
        .isInstanceOf(CrmCallException.class)
        .hasMessageContaining("user hasn't approved this consumer");

    trustingOrg(); // reset: the integration user is the org's only user again
    CrmConnector unknown =
        factory.create(
            jwtProfile(
                "jwt-sub-unknown", "AIX_TEST_SF_CLIENT_ID", "AIX_TEST_SF_OTHER_USERNAME", null));
    assertThatThrownBy(() -> poll(unknown))
        .isInstanceOf(CrmCallException.class)
        .hasMessageContaining("invalid_grant");
  }
}
