package io.aix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.connector.ConnectorRegistry;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.pipeline.IntakeController;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.OrgReadback;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs the full loop on the embedded sandbox org: seeds realistic leads, polls them"
            + " through the real Camel Salesforce component, normalizes, enriches, scores, writes"
            + " back, reads the AIX fields back through the org's own API, prints 10 samples and a"
            + " one-line JSON summary. Without --exit it keeps serving on the HTTP port until"
            + " stopped.")
public class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--leads",
      defaultValue = "200",
      description = "Leads to seed per sandbox org (default ${DEFAULT-VALUE}).")
  int leads;

  @Option(names = "--exit", description = "Exit after the summary instead of serving.")
  boolean exit;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description = "Seconds to wait for the loop (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Inject Sandbox sandbox;
  @Inject IntakeController intake;
  @Inject ConnectorRegistry connectors;
  @Inject LeadStore store;

  @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
  int httpPort;

  @ConfigProperty(name = "aix.sandbox.salesforce.client-id", defaultValue = "aix-sandbox-client")
  String clientId;

  @ConfigProperty(
      name = "aix.sandbox.salesforce.client-secret",
      defaultValue = "aix-sandbox-secret")
  String clientSecret;

  @Override
  public Integer call() throws InterruptedException {
    if (leads < 1) {
      System.err.println("--leads must be at least 1");
      return 2;
    }
    CrmProfile profile =
        connectors.activeProfiles().stream()
            .filter(p -> p.type().equals("salesforce") && p.connection().usesSandbox())
            .findFirst()
            .orElse(null);
    if (profile == null) {
      System.err.println("no Salesforce profile with loginUrl: sandbox in crm-profiles/");
      return 2;
    }
    SalesforceOrg org = sandbox.salesforce().org();
    LeadGenerator generator = new LeadGenerator(42, Clock.systemUTC());
    for (int i = 0; i < leads; i++) {
      org.insert("Lead", generator.lead());
    }
    System.out.printf(
        "Seeded %d leads in the sandbox Salesforce org at %s%n",
        leads, sandbox.salesforce().baseUrl());

    long started = System.nanoTime();
    intake.start();
    long deadline = started + Duration.ofSeconds(timeoutSeconds).toNanos();
    long[] counts;
    long deadLetters;
    do {
      Thread.sleep(250);
      counts = ReactiveBridge.await(() -> store.counts(profile.id()));
      deadLetters = ReactiveBridge.await(() -> store.deadLetterCount());
    } while (counts[1] + deadLetters < leads && System.nanoTime() < deadline);
    double seconds = (System.nanoTime() - started) / 1e9;
    long salesforceCalls = org.apiCalls();
    if (exit) {
      intake.stop();
    }

    OrgReadback readback =
        new OrgReadback(
            sandbox.salesforce().baseUrl(),
            profile.connection().apiVersion(),
            clientId,
            clientSecret);
    List<JsonNode> scored =
        readback.query(
            "SELECT Id, FirstName, LastName, Title, Company, AIX_Score__c, AIX_Grade__c,"
                + " AIX_Conversion_Probability__c, AIX_Top_Factors__c FROM Lead WHERE AIX_Score__c != null"
                + " ORDER BY AIX_Score__c DESC");
    printSamples(scored);

    ObjectMapper json = new ObjectMapper();
    ObjectNode summary = json.createObjectNode();
    summary.put("leads", leads);
    summary.put("scored", counts[0]);
    summary.put("written_back", scored.size());
    summary.put("tasks", 0);
    summary.put("signals", 0);
    ObjectNode calls = summary.putObject("api_calls");
    calls.put("salesforce", salesforceCalls);
    calls.put("hubspot", 0);
    summary.put("dead_letters", deadLetters);
    summary.put("seconds", Math.round(seconds * 100) / 100.0);
    boolean complete = scored.size() + deadLetters >= leads;
    if (!complete) {
      System.err.printf("The loop did not finish within %d s%n", timeoutSeconds);
    }
    if (!exit) {
      System.err.printf("AIX keeps serving on http://localhost:%d (Ctrl+C to stop)%n", httpPort);
    }
    System.out.println(summary);
    System.out.flush();
    if (!exit) {
      Quarkus.waitForExit();
    }
    return complete ? 0 : 1;
  }

  private static void printSamples(List<JsonNode> records) {
    System.out.println();
    System.out.println(
        "Ten leads as the sandbox org's own API returns them (highest scores first):");
    System.out.printf(
        "%-18s  %-22s  %-26s  %5s  %5s  %6s  %s%n",
        "Id", "Name", "Title", "Score", "Grade", "Prob%", "Top factors");
    for (JsonNode r : records.subList(0, Math.min(10, records.size()))) {
      String factors = r.path("AIX_Top_Factors__c").asText("");
      System.out.printf(
          "%-18s  %-22s  %-26s  %5s  %5s  %6s  %s%n",
          r.path("Id").asText(),
          cut(r.path("FirstName").asText("") + " " + r.path("LastName").asText(""), 22),
          cut(r.path("Title").asText(""), 26),
          r.path("AIX_Score__c").asText(),
          r.path("AIX_Grade__c").asText(),
          r.path("AIX_Conversion_Probability__c").asText(),
          cut(factors, 90));
    }
    System.out.println();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
