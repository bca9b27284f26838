package io.aix.testing;

import io.quarkus.test.oidc.server.OidcWiremockTestResource;
import java.util.Set;

/** Bearer tokens signed by the WireMock OIDC test server, for a user with these roles. */
public final class Tokens {
  private Tokens() {}

  public static String of(String user, String... roles) {
    return OidcWiremockTestResource.getAccessToken(user, Set.of(roles));
  }
}
