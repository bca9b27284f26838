package io.aix.sandbox;

/** A {@link SalesforceOrg} served over real HTTP, for the real Camel Salesforce component. */
public final class SalesforceSandbox implements AutoCloseable {
  private final SalesforceOrg org;
  private final SandboxServer server;

  public SalesforceSandbox(SalesforceOrg org, int port) {
    this.org = org;
    this.server = new SandboxServer("salesforce", org, port);
  }

  public SalesforceSandbox start() {
    server.start();
    return this;
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public SalesforceOrg org() {
    return org;
  }

  @Override
  public void close() {
    server.close();
  }
}
