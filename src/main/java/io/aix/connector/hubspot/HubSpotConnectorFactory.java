package io.aix.connector.hubspot;

import io.aix.connector.ConnectorFactory;
import io.aix.connector.CrmConnector;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.Sandbox;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.client.ClientRequestFilter;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Builds one REST client per HubSpot profile, with its own token and rate governor. */
@ApplicationScoped
public class HubSpotConnectorFactory implements ConnectorFactory {
  @Inject Sandbox sandbox;
  @Inject io.aix.connector.ApiBudgets budgets;
  @Inject io.aix.security.CredentialVault vault;

  @Override
  public String type() {
    return "hubspot";
  }

  @Override
  public CrmConnector create(CrmProfile profile) {
    String base =
        profile.connection().usesSandbox() ? sandbox.hubspotUrl() : profile.connection().loginUrl();
    HubSpotAuth auth = new HubSpotAuth(profile, vault, Clock.systemUTC());
    ClientRequestFilter bearer =
        request -> {
          // The token endpoint takes the client's credentials, the webhooks API the developer
          // key: neither is a portal's API, so neither gets the portal's bearer token.
          String path = request.getUri().getPath();
          if (!path.endsWith("/oauth/v1/token") && !path.startsWith("/webhooks/")) {
            request.getHeaders().putSingle("Authorization", "Bearer " + auth.bearer());
          }
        };
    HubSpotApi api =
        QuarkusRestClientBuilder.newBuilder()
            .baseUri(URI.create(base))
            .connectTimeout(10, TimeUnit.SECONDS)
            .readTimeout(60, TimeUnit.SECONDS)
            .property("microprofile.rest.client.disable.default.mapper", true)
            .register(bearer)
            .build(HubSpotApi.class);
    auth.tokenApi(api);
    return new HubSpotConnector(profile, api, auth, Clock.systemUTC(), budgets.budget(profile));
  }
}
