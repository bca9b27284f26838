package io.aix.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox org's Change Data Capture stream, through the real Camel Salesforce streaming
 * consumer (CometD long polling with the replay extension): creates and edits arrive as change
 * events with replay ids; a subscription resumes after a stored replay id; an id no longer kept is
 * refused with Salesforce's error, after which Camel silently resubscribes at the newest event (the
 * gap AIX will have to cover itself, issue 5).
 */
class OrgStreamTest {
  SalesforceSandbox sandbox;
  DefaultCamelContext camel;
  final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
  final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    SalesforceOrg org = new SalesforceOrg("client", "secret", Clock.systemUTC());
    org.stream().connectTimeout(Duration.ofSeconds(2));
    sandbox = new SalesforceSandbox(org, 0).start();
  }

  @AfterEach
  void stop() throws Exception {
    if (camel != null) {
      camel.stop();
    }
    sandbox.close();
  }

  private void subscribe(long replayId) throws Exception {
    camel = new DefaultCamelContext();
    SalesforceComponent sf = new SalesforceComponent();
    sf.setLoginUrl(sandbox.baseUrl());
    sf.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
    sf.setClientId("client");
    sf.setClientSecret("secret");
    SalesforceEndpointConfig config = new SalesforceEndpointConfig();
    config.setApiVersion("62.0");
    sf.setConfig(config);
    camel.addComponent("salesforce", sf);
    camel.addRoutes(
        new RouteBuilder() {
          @Override
          public void configure() {
            from("salesforce:subscribe:/data/LeadChangeEvent?rawPayload=false&replayId="
                    + replayId
                    + "&bridgeErrorHandler=true")
                .routeId("cdc")
                .onException(Exception.class)
                .handled(true)
                .process(
                    e ->
                        errors.add(
                            e.getProperty(
                                org.apache.camel.Exchange.EXCEPTION_CAUGHT, Throwable.class)))
                .end()
                .process(
                    e -> {
                      @SuppressWarnings("unchecked")
                      Map<String, Object> body = e.getMessage().getBody(Map.class);
                      java.util.HashMap<String, Object> event = new java.util.HashMap<>(body);
                      event.put("replayId", e.getMessage().getHeader("CamelSalesforceReplayId"));
                      event.put("headers", new java.util.TreeMap<>(e.getMessage().getHeaders()));
                      received.add(event);
                    });
          }
        });
    camel.start();
  }

  /** Camel moves the ChangeEventHeader into CamelSalesforce* message headers. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> header(Map<String, Object> event) {
    return (Map<String, Object>) event.get("headers");
  }

  @Test
  void createsAndEditsArriveAsChangeEventsAndAStoredReplayIdResumes() throws Exception {
    SalesforceOrg org = sandbox.org();
    subscribe(-1);
    // Subscribed once a first event arrives: publish until one does.
    String id = null;
    Map<String, Object> first = null;
    for (int i = 0; i < 40 && first == null; i++) {
      id = org.insert("Lead", Map.of("LastName", "Okafor", "Company", "Initech"));
      first = received.poll(500, TimeUnit.MILLISECONDS);
    }
    assertThat(first).as("a change event within 20 s").isNotNull();
    assertThat(header(first))
        .containsEntry("CamelSalesforceChangeType", "CREATE")
        .containsEntry("CamelSalesforceEntityName", "Lead");

    received.clear();
    org.update("Lead", id, Map.of("Title", "CFO"));
    Map<String, Object> edit = received.poll(20, TimeUnit.SECONDS);
    assertThat(edit).isNotNull();
    assertThat(header(edit)).containsEntry("CamelSalesforceChangeType", "UPDATE");
    // Camel maps the header's other fields to CamelSalesforce* headers but drops changedFields:
    // echo suppression will need rawPayload=true.
    assertThat(edit).containsEntry("Title", "CFO");
    assertThat(String.valueOf(header(edit).get("CamelSalesforceRecordIds"))).contains(id);
    long resumeAfter = ((Number) edit.get("replayId")).longValue();

    camel.stop();
    org.update("Lead", id, Map.of("Title", "CEO"));
    org.update("Lead", id, Map.of("Title", "COO"));
    received.clear();

    subscribe(resumeAfter);
    Map<String, Object> a = received.poll(20, TimeUnit.SECONDS);
    Map<String, Object> b = received.poll(20, TimeUnit.SECONDS);
    assertThat(a).as("the first change made while away").containsEntry("Title", "CEO");
    assertThat(b).as("then the second").containsEntry("Title", "COO");
    assertThat(received.poll(3, TimeUnit.SECONDS)).as("nothing twice").isNull();
  }

  @Test
  void aReplayIdNoLongerKeptIsRefusedWithTheErrorCamelRecognises() throws Exception {
    SalesforceOrg org = sandbox.org();
    org.insert("Lead", Map.of("LastName", "Nakamura", "Company", "Umbrella"));
    subscribe(42);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (org.stream().refusedReplayIds().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(org.stream().refusedReplayIds())
        .as("the org refused the stale id Camel asked for")
        .containsExactly(42L);

    // The refusal, as the protocol carries it: the text Camel's SubscriptionHelper matches
    // (400::The replayId \{.*} you provided was invalid.*) before it falls back to -1, skipping
    // the gap silently; AIX must notice that itself.
    OrgStream stream = new OrgStream(Clock.systemUTC());
    stream.publish("Lead", "CREATE", List.of("00Q5e0000000001AAA"), Map.of(), "origin", "005");
    String clientId =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(stream.handle("[{\"channel\":\"/meta/handshake\",\"id\":\"1\"}]").body())
            .get(0)
            .get("clientId")
            .asText();
    var reply =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                stream
                    .handle(
                        "[{\"channel\":\"/meta/subscribe\",\"id\":\"2\",\"clientId\":\""
                            + clientId
                            + "\",\"subscription\":\"/data/LeadChangeEvent\","
                            + "\"ext\":{\"replay\":{\"/data/LeadChangeEvent\":7}}}]")
                    .body())
            .get(0);
    assertThat(reply.get("successful").asBoolean()).isFalse();
    assertThat(reply.get("error").asText())
        .matches("400::The replayId \\{.*} you provided was invalid.*")
        .contains("{7}");
  }
}
