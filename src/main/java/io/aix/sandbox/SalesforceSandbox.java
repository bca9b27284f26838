package io.aix.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serves a {@link SalesforceOrg} over real HTTP with WireMock, so the real Camel Salesforce
 * component talks to it unmodified. One catch-all stub hands every request to the org through a
 * response transformer; the org holds all state.
 */
public final class SalesforceSandbox implements AutoCloseable {
  private static final String TRANSFORMER = "aix-salesforce-org";

  private final SalesforceOrg org;
  private final WireMockServer server;

  public SalesforceSandbox(SalesforceOrg org, int port) {
    this.org = org;
    this.server =
        new WireMockServer(
            WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(port)
                .containerThreads(24)
                .disableRequestJournal()
                .extensions(new OrgTransformer()));
  }

  public SalesforceSandbox start() {
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(TRANSFORMER)));
    return this;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public SalesforceOrg org() {
    return org;
  }

  @Override
  public void close() {
    server.stop();
  }

  private final class OrgTransformer implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Request request = event.getRequest();
      Map<String, String> headers = new HashMap<>();
      for (HttpHeader h : request.getHeaders().all()) {
        headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
      }
      SalesforceOrg.Reply reply =
          org.handle(
              request.getMethod().getName(),
              request.getUrl(),
              headers,
              request.getBodyAsString(),
              baseUrl());
      if (reply.reset()) {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
      }
      List<HttpHeader> out =
          reply.headers().entrySet().stream()
              .map(e -> new HttpHeader(e.getKey(), e.getValue()))
              .toList();
      return aResponse()
          .withStatus(reply.status())
          .withHeaders(new HttpHeaders(out))
          .withBody(reply.body())
          .build();
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public String getName() {
      return TRANSFORMER;
    }
  }
}
