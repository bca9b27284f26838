package io.aix.connector.salesforce;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A plain WireMock server standing in for Salesforce with the vendors' published example bodies
 * (src/test/resources/wiremock/salesforce, PROVENANCE.md there), not AIX's sandbox org. The tests
 * add their stubs; this gives AIX the connected app's credentials the way production does.
 */
public class SalesforceWireMockResource implements QuarkusTestResourceLifecycleManager {
  static WireMockServer server;

  @Override
  public Map<String, String> start() {
    server =
        new WireMockServer(
            WireMockConfiguration.options()
                .dynamicPort()
                .bindAddress("127.0.0.1")
                .usingFilesUnderDirectory("src/test/resources/wiremock/salesforce"));
    server.start();
    return Map.of(
        "AIX_WM_SF_CLIENT_ID", "3MVG9-wiremock-client",
        "AIX_WM_SF_CLIENT_SECRET", "wiremock-secret");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }
}
