package io.aix.sandbox;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The embedded sandbox orgs: the demo's default CRM and the tests' CRM. Started on first use, only
 * when {@code aix.sandbox.enabled} is true (demo and test profiles); a profile whose {@code
 * loginUrl} is {@code sandbox} is pointed here.
 */
@ApplicationScoped
public class Sandbox {
  @jakarta.inject.Inject org.apache.camel.CamelContext camel;

  @ConfigProperty(name = "aix.sandbox.enabled", defaultValue = "false")
  boolean enabled;

  @ConfigProperty(name = "aix.sandbox.port", defaultValue = "0")
  int port;

  @ConfigProperty(name = "aix.sandbox.salesforce.client-id", defaultValue = "aix-sandbox-client")
  String clientId;

  @ConfigProperty(
      name = "aix.sandbox.salesforce.client-secret",
      defaultValue = "aix-sandbox-secret")
  String clientSecret;

  @ConfigProperty(name = "aix.sandbox.hubspot.token", defaultValue = "pat-na1-aix-sandbox")
  String hubspotToken;

  @ConfigProperty(name = "aix.sandbox.hubspot.client-id", defaultValue = "aix-hubspot-app")
  String hubspotClientId;

  @ConfigProperty(
      name = "aix.sandbox.hubspot.client-secret",
      defaultValue = "aix-hubspot-app-secret")
  String hubspotClientSecret;

  @ConfigProperty(
      name = "aix.sandbox.hubspot.refresh-token",
      defaultValue = "aix-hubspot-refresh-token")
  String hubspotRefreshToken;

  /**
   * A sandbox org served by another process (the cluster benchmark's), instead of an embedded one:
   * several AIX processes then share one simulated org.
   */
  @ConfigProperty(name = "aix.sandbox.salesforce.url")
  java.util.Optional<String> salesforceUrl;

  /**
   * A HubSpot portal served by another process (the scale benchmark's), instead of the embedded
   * one.
   */
  @ConfigProperty(name = "aix.sandbox.hubspot.url")
  java.util.Optional<String> hubspotUrl;

  /** Where profiles on the sandbox reach the HubSpot portal: a shared one, or the embedded one. */
  public String hubspotUrl() {
    requireEnabled();
    return hubspotUrl.orElseGet(() -> hubspot().baseUrl());
  }

  /**
   * Install faults on demand: {@code Object.Field} entries the embedded org hides (as a deleted
   * field or one without field-level security), and scopes the embedded portal's app lacks.
   */
  @ConfigProperty(name = "aix.sandbox.salesforce.hide-fields")
  java.util.Optional<java.util.List<String>> hideFields;

  /**
   * The redirect URLs registered in the portal app's Auth settings: by default the one {@code ./aix
   * install hubspot} uses on its default port.
   */
  @ConfigProperty(
      name = "aix.sandbox.hubspot.redirect-urls",
      defaultValue = "http://localhost:7789/oauth-callback")
  java.util.List<String> hubspotRedirectUrls;

  @ConfigProperty(name = "aix.sandbox.hubspot.revoke-scopes")
  java.util.Optional<java.util.List<String>> revokeScopes;

  private SalesforceSandbox salesforce;
  private HubSpotSandbox hubspot;

  public boolean enabled() {
    return enabled;
  }

  public synchronized SalesforceSandbox salesforce() {
    requireEnabled();
    if (salesforce == null) {
      SalesforceOrg org = new SalesforceOrg(clientId, clientSecret, Clock.systemUTC());
      for (String hidden : hideFields.orElse(java.util.List.of())) {
        String[] parts = hidden.split("\\.", 2);
        if (parts.length != 2) {
          throw new IllegalArgumentException(
              "aix.sandbox.salesforce.hide-fields takes Object.Field entries, not " + hidden);
        }
        org.hideField(parts[0], parts[1]);
      }
      salesforce = closeWithCamel(new SalesforceSandbox(org, port).start());
    }
    return salesforce;
  }

  /** Where profiles on the sandbox reach the Salesforce org: a shared one, or the embedded one. */
  public String salesforceUrl() {
    requireEnabled();
    return salesforceUrl.orElseGet(() -> salesforce().baseUrl());
  }

  public synchronized HubSpotSandbox hubspot() {
    requireEnabled();
    if (hubspot == null) {
      HubSpotPortal portal =
          new HubSpotPortal(
              hubspotToken,
              hubspotClientId,
              hubspotClientSecret,
              hubspotRefreshToken,
              Clock.systemUTC());
      revokeScopes.orElse(java.util.List.of()).forEach(portal::revokeScope);
      hubspotRedirectUrls.forEach(portal.oauthApp()::registerRedirectUrl);
      hubspot = closeWithCamel(new HubSpotSandbox(portal, 0, Clock.systemUTC()).start());
    }
    return hubspot;
  }

  private void requireEnabled() {
    if (!enabled) {
      throw new IllegalStateException(
          "the embedded sandbox is off (aix.sandbox.enabled=false); profiles on the sandbox only"
              + " run in the demo and the tests");
    }
  }

  /** Camel stops its services after the CRM components that log out against the sandbox. */
  private <T extends AutoCloseable> T closeWithCamel(T started) {
    try {
      camel.addService(
          new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
              started.close();
            }
          },
          true,
          true);
    } catch (Exception e) {
      try {
        started.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException("cannot register the sandbox with Camel", e);
    }
    return started;
  }
}
