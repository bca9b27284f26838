package io.aix.sandbox;

/** A {@link HubSpotPortal} served over real HTTP, with its webhook deliverer. */
public final class HubSpotSandbox implements AutoCloseable {
  private final HubSpotPortal portal;
  private final SandboxServer server;
  private final HubSpotWebhooks webhooks;

  public HubSpotSandbox(HubSpotPortal portal, int port, java.time.Clock clock) {
    this.portal = portal;
    this.server = new SandboxServer("hubspot", portal, port);
    this.webhooks = new HubSpotWebhooks(portal, clock);
  }

  public HubSpotSandbox start() {
    server.start();
    return this;
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public HubSpotPortal portal() {
    return portal;
  }

  public HubSpotWebhooks webhooks() {
    return webhooks;
  }

  @Override
  public void close() {
    webhooks.close();
    server.close();
  }
}
