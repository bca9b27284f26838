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

  private SalesforceSandbox salesforce;

  public boolean enabled() {
    return enabled;
  }

  public synchronized SalesforceSandbox salesforce() {
    if (!enabled) {
      throw new IllegalStateException(
          "the embedded sandbox is off (aix.sandbox.enabled=false); profiles with loginUrl: sandbox"
              + " only run in the demo and the tests");
    }
    if (salesforce == null) {
      SalesforceSandbox started =
          new SalesforceSandbox(new SalesforceOrg(clientId, clientSecret, Clock.systemUTC()), port)
              .start();
      // Camel stops its services after the CRM components that log out against the sandbox.
      try {
        camel.addService(
            new org.apache.camel.support.service.ServiceSupport() {
              @Override
              protected void doStop() {
                started.close();
              }
            },
            true,
            true);
      } catch (Exception e) {
        started.close();
        throw new IllegalStateException("cannot register the sandbox with Camel", e);
      }
      salesforce = started;
    }
    return salesforce;
  }
}
