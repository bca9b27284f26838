package io.aix.connector;

import io.aix.profile.CrmProfile;

/**
 * Creates connectors of one CRM type. Each implementation is a CDI bean; {@link ConnectorRegistry}
 * picks the one whose {@link #type()} matches a profile's {@code type}.
 */
public interface ConnectorFactory {
  String type();

  /** Called once per profile at start-up, on the main thread; fails fast on bad configuration. */
  CrmConnector create(CrmProfile profile);
}
