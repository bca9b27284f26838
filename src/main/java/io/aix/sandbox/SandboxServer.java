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
 * Serves a simulated CRM over real HTTP with WireMock. One catch-all stub hands every request to
 * the {@link Handler} through a response transformer; the handler holds all state, so clients (the
 * real Camel Salesforce component, AIX's HubSpot REST client) talk to it unmodified.
 */
public final class SandboxServer implements AutoCloseable {
  /** A simulated CRM: answers one request; thread-safe. */
  public interface Handler {
    /**
     * @param headers request headers, names in lower case
     * @param baseUrl this server's own base URL, for links in answers
     */
    Reply handle(
        String method, String url, Map<String, String> headers, String body, String baseUrl);
  }

  private final String transformer;
  private final Handler handler;
  private final WireMockServer server;

  public SandboxServer(String name, Handler handler, int port) {
    this.transformer = "aix-sandbox-" + name;
    this.handler = handler;
    this.server =
        new WireMockServer(
            WireMockConfiguration.options()
                .bindAddress("127.0.0.1")
                .port(port)
                .containerThreads(24)
                .disableRequestJournal()
                .extensions(new HandlerTransformer()));
  }

  public SandboxServer start() {
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(transformer)));
    return this;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.stop();
  }

  private final class HandlerTransformer implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Request request = event.getRequest();
      Map<String, String> headers = new HashMap<>();
      for (HttpHeader h : request.getHeaders().all()) {
        headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
      }
      Reply reply =
          handler.handle(
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
      return transformer;
    }
  }
}
