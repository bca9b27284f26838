package io.aix.connector.salesforce;

import io.aix.connector.ConnectorFactory;
import io.aix.connector.CrmConnector;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.support.jsse.KeyStoreParameters;

/**
 * Creates one Camel Salesforce component per profile, named {@code sf-<profile id>}, so orgs never
 * share a session, and wraps it in a {@link SalesforceConnector}.
 */
@ApplicationScoped
public class SalesforceConnectorFactory implements ConnectorFactory {
  @Inject CamelContext camel;
  @Inject Sandbox sandbox;
  @Inject io.aix.connector.ApiBudgets budgets;

  /** One call's longest wait; the profile's guard times out at the same bound. */
  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.crm.timeout",
      defaultValue = "60s")
  java.time.Duration timeout;

  /**
   * Largest response read; Camel's default of 4 MB is less than one page of long text fields. A
   * response is buffered as it comes: only an answer this large takes this much heap (a bulk ingest
   * job's failed rows, should every row fail); pages of query results stay far below.
   */
  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.salesforce.max-response-mb",
      defaultValue = "128")
  int maxResponseMegabytes;

  /**
   * Largest {@code /meta/connect} answer (a batch of change events) the streaming client reads; a
   * larger one makes AIX subscribe again at the newest event and poll the gap.
   */
  @org.eclipse.microprofile.config.inject.ConfigProperty(
      name = "aix.salesforce.streaming-buffer-mb",
      defaultValue = "64")
  int streamingBufferMegabytes;

  @Override
  public String type() {
    return "salesforce";
  }

  @Override
  public CrmConnector create(CrmProfile profile) {
    String name = "sf-" + profile.id();
    camel.addComponent(name, component(profile, true));
    SalesforceConnector connector =
        new SalesforceConnector(
            profile, name, camel.createProducerTemplate(), budgets.budget(profile));
    connector.callTimeout(timeout);
    connector.maxResponseBytes(maxResponseMegabytes * 1024L * 1024);
    return connector;
  }

  /**
   * A new component for a subscription to a profile's change events. Camel's streaming consumer
   * refuses lazy login, so it has its own session, made when the subscription starts; and intake
   * makes a new one at each start, because a component keeps the replay position of its last
   * subscription in memory and would resume there instead of after the event AIX stored last.
   */
  public SalesforceComponent eventsComponent(CrmProfile profile) {
    return component(profile, false);
  }

  private SalesforceComponent component(CrmProfile profile, boolean lazyLogin) {
    SalesforceComponent component = new SalesforceComponent();
    CrmProfile.Connection connection = profile.connection();
    component.setLoginUrl(
        connection.usesSandbox() ? sandbox.salesforceUrl() : connection.loginUrl());
    org.apache.camel.component.salesforce.SalesforceEndpointConfig config =
        new org.apache.camel.component.salesforce.SalesforceEndpointConfig();
    config.setApiVersion(connection.apiVersion());
    component.setConfig(config);
    component.setLazyLogin(lazyLogin);
    component.setPackages(AixScoreFields.class.getPackageName());
    component.setHttpRequestTimeout(timeout.toMillis());
    // Camel's HTTP client gives up on a connection silent for 10 s by default; a query over a large
    // org may think longer than that before its first byte (Salesforce times a query out at 120 s,
    // QUERY_TIMEOUT). At a million leads every poll failed so, and the re-score stopped short.
    component.setHttpClientIdleTimeout(timeout.toMillis());
    // Long text fields make big pages; the connector also halves its page size when one is over.
    component.setHttpMaxContentLength(maxResponseMegabytes * 1024 * 1024);
    // The streaming client reads a /meta/connect answer into a buffer of CometD's default 1 MB; a
    // mass writeback's change events (AIX's own echoes, up to thousands per answer) overflowed it
    // at 20,000 leads and broke the subscription ("Buffering capacity 1048576 exceeded").
    component.setLongPollingTransportProperties(
        new java.util.HashMap<>(Map.of("maxMessageSize", streamingBufferMegabytes * 1024 * 1024)));
    if (connection.auth() instanceof CrmProfile.Auth.ClientCredentials cc) {
      component.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
      component.setClientId(cc.clientId().resolve());
      component.setClientSecret(cc.clientSecret().resolve());
    } else if (connection.auth() instanceof CrmProfile.Auth.Jwt jwt) {
      component.setAuthenticationType(AuthenticationType.JWT);
      component.setClientId(jwt.clientId().resolve());
      component.setUserName(jwt.username().resolve());
      KeyStoreParameters keystore = new KeyStoreParameters();
      keystore.setType("PKCS12");
      keystore.setResource("base64:" + jwt.keystore().resolve().strip());
      keystore.setPassword(jwt.keystorePassword().resolve());
      component.setKeystore(keystore);
      if (jwt.audience() != null) {
        component.setJwtAudience(jwt.audience());
      }
    }
    return component;
  }
}
