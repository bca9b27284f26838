package io.aix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aix.connector.ConnectorRegistry;
import io.aix.lead.EngagementSignal;
import io.aix.persistence.LeadStore;
import io.aix.persistence.ReactiveBridge;
import io.aix.pipeline.IntakeController;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.HubSpotPortal;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.OrgReadback;
import io.aix.sandbox.PortalReadback;
import io.aix.sandbox.SalesforceOrg;
import io.aix.sandbox.Sandbox;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs the full loop on the embedded sandbox CRMs (a Salesforce org and a HubSpot portal):"
            + " seeds realistic leads in each, polls them (the real Camel Salesforce component, the"
            + " HubSpot REST client), normalizes, enriches, scores, writes back, creates tasks for"
            + " hot leads, reads the AIX fields back through each CRM's own API, prints 10 samples"
            + " and a one-line JSON summary. Without --exit it keeps serving on the HTTP port until"
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
  @Inject io.aix.profile.ConfigAudit configAudit;
  @Inject io.aix.profile.ConfigWatcher watcher;
  @Inject io.aix.ui.UiServer ui;
  @Inject ConnectorRegistry connectors;
  @Inject LeadStore store;
  @Inject io.aix.persistence.SignalStore signalStore;

  @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
  int httpPort;

  @ConfigProperty(name = "aix.sandbox.salesforce.client-id", defaultValue = "aix-sandbox-client")
  String clientId;

  @ConfigProperty(
      name = "aix.sandbox.salesforce.client-secret",
      defaultValue = "aix-sandbox-secret")
  String clientSecret;

  @ConfigProperty(name = "aix.sandbox.hubspot.token", defaultValue = "pat-na1-aix-sandbox")
  String hubspotToken;

  /** One lead as read back from a sandbox CRM's own API. */
  record Sample(
      String crm,
      String id,
      String name,
      String title,
      int score,
      String grade,
      String probability,
      String factors) {}

  @Override
  public Integer call() throws InterruptedException {
    if (leads < 1) {
      System.err.println("--leads must be at least 1");
      return 2;
    }
    CrmProfile salesforce = sandboxProfile("salesforce");
    CrmProfile hubspot = sandboxProfile("hubspot");
    List<CrmProfile> profiles =
        java.util.stream.Stream.of(salesforce, hubspot).filter(p -> p != null).toList();
    if (profiles.isEmpty()) {
      System.err.println(
          "no profile on the embedded sandbox (loginUrl/baseUrl: sandbox) in crm-profiles/");
      return 2;
    }
    if (salesforce != null) {
      SalesforceOrg org = sandbox.salesforce().org();
      LeadGenerator generator = new LeadGenerator(42, Clock.systemUTC());
      for (int i = 0; i < leads; i++) {
        org.insert("Lead", generator.lead());
      }
      System.out.printf(
          "Seeded %d leads in the sandbox Salesforce org at %s%n",
          leads, sandbox.salesforce().baseUrl());
    }
    if (hubspot != null) {
      HubSpotPortal portal = sandbox.hubspot().portal();
      LeadGenerator generator = new LeadGenerator(43, Clock.systemUTC());
      for (int i = 0; i < leads; i++) {
        portal.createContact(generator.contact());
      }
      System.out.printf(
          "Seeded %d contacts in the sandbox HubSpot portal at %s%n",
          leads, sandbox.hubspot().baseUrl());
    }

    configAudit.record(io.aix.persistence.AuditLog.SYSTEM);
    watcher.start();
    long started = System.nanoTime();
    intake.start();
    long deadline = started + Duration.ofSeconds(timeoutSeconds).toNanos();
    long expected = (long) leads * profiles.size();
    long scoredCount;
    long writtenCount;
    long deadLetters;
    // Done/total, rate and time left on standard error every few seconds (standard output's last
    // line stays the summary).
    io.aix.bench.Progress progress =
        new io.aix.bench.Progress(System.err, "demo: scores written to the CRMs", expected);
    do {
      Thread.sleep(250);
      scoredCount = 0;
      writtenCount = 0;
      for (CrmProfile p : profiles) {
        long[] counts = ReactiveBridge.await(() -> store.counts(p.id()));
        scoredCount += counts[0];
        writtenCount += counts[1];
      }
      deadLetters = ReactiveBridge.await(() -> store.deadLetterCount());
      progress.at(writtenCount + deadLetters);
    } while (writtenCount + deadLetters < expected && System.nanoTime() < deadline);
    double seconds = (System.nanoTime() - started) / 1e9;
    if (salesforce != null && writtenCount + deadLetters >= expected) {
      webTracker(salesforce, deadline);
    }
    if (exit) {
      // Lets the pages in flight finish (their tasks and checkpoints) before counting calls.
      intake.stop();
    }
    long salesforceCalls = salesforce == null ? 0 : sandbox.salesforce().org().apiCalls();
    long hubspotCalls = hubspot == null ? 0 : sandbox.hubspot().portal().apiCalls();
    if (hubspot != null && Boolean.getBoolean("aix.demo.trace-calls")) {
      sandbox.hubspot().portal().requests().forEach(r -> System.err.println("hubspot call: " + r));
    }

    List<Sample> samples = new ArrayList<>();
    int writtenBack = 0;
    int tasks = 0;
    if (salesforce != null) {
      List<JsonNode> scored = salesforceReadback(salesforce);
      writtenBack += scored.size();
      for (JsonNode r : scored) {
        samples.add(
            new Sample(
                "salesforce",
                r.path("Id").asText(),
                r.path("FirstName").asText("") + " " + r.path("LastName").asText(""),
                r.path("Title").asText(""),
                r.path("AIX_Score__c").asInt(),
                r.path("AIX_Grade__c").asText(),
                r.path("AIX_Conversion_Probability__c").asText(),
                r.path("AIX_Top_Factors__c").asText("")));
      }
    }
    if (hubspot != null) {
      PortalReadback readback = new PortalReadback(sandbox.hubspot().baseUrl(), hubspotToken);
      List<JsonNode> scored =
          readback.scoredContacts(
              List.of(
                  "firstname",
                  "lastname",
                  "jobtitle",
                  "aix_score",
                  "aix_grade",
                  "aix_conversion_probability",
                  "aix_top_factors",
                  "aix_signals"));
      writtenBack += scored.size();
      List<String> withTasks = new ArrayList<>();
      for (JsonNode r : scored) {
        JsonNode p = r.path("properties");
        samples.add(
            new Sample(
                "hubspot",
                r.path("id").asText(),
                p.path("firstname").asText("") + " " + p.path("lastname").asText(""),
                p.path("jobtitle").asText(""),
                p.path("aix_score").asInt(),
                p.path("aix_grade").asText(),
                p.path("aix_conversion_probability").asText(),
                p.path("aix_top_factors").asText("")));
        if (p.path("aix_grade").asText().equals("A")
            || !p.path("aix_signals").asText("").isEmpty()) {
          withTasks.add(r.path("id").asText());
        }
      }
      // One v4 associations batch read per 1,000 contacts, not one call per contact.
      tasks += readback.tasksOf(withTasks).values().stream().mapToInt(List::size).sum();
    }
    if (salesforce != null) {
      tasks += salesforceTasks(salesforce);
    }
    long signals = ReactiveBridge.await(() -> signalStore.count(null));
    samples.sort(java.util.Comparator.comparingInt(Sample::score).reversed());
    printSamples(samples);

    ObjectMapper json = new ObjectMapper();
    ObjectNode summary = json.createObjectNode();
    summary.put("leads", leads);
    summary.put("scored", scoredCount);
    summary.put("written_back", writtenBack);
    summary.put("tasks", tasks);
    summary.put("signals", signals);
    ObjectNode calls = summary.putObject("api_calls");
    calls.put("salesforce", salesforceCalls);
    calls.put("hubspot", hubspotCalls);
    summary.put("dead_letters", deadLetters);
    summary.put("seconds", Math.round(seconds * 100) / 100.0);
    boolean complete = writtenBack + deadLetters >= expected;
    if (!complete) {
      System.err.printf("The loop did not finish within %d s%n", timeoutSeconds);
    }
    if (!exit) {
      System.err.printf("AIX keeps serving on http://localhost:%d (Ctrl+C to stop)%n", httpPort);
      int uiPort = ui.start();
      if (uiPort > 0) {
        System.err.printf("Sync health: http://localhost:%d/sync-health%n", uiPort);
      }
    }
    System.out.println(summary);
    System.out.flush();
    if (!exit) {
      Quarkus.waitForExit();
    }
    return complete ? 0 : 1;
  }

  /**
   * The demo's website: one lead in ten views the pricing page and submits the demo-request form,
   * sent as engagement signals the way a web tracker sends them to {@code POST /api/v1/signals}.
   * AIX scores those leads again within seconds; the profile's engagement rule gives their owners a
   * task. Waits (until the demo's deadline) for the new scores.
   */
  private void webTracker(CrmProfile profile, long deadline) throws InterruptedException {
    SalesforceOrg org = sandbox.salesforce().org();
    List<com.fasterxml.jackson.databind.node.ObjectNode> all = org.records("Lead");
    java.time.Instant now = java.time.Instant.now();
    List<io.aix.persistence.SignalStore.Incoming> web = new ArrayList<>();
    java.util.Map<String, String> before = new java.util.HashMap<>();
    for (int i = 0; i < all.size(); i += 10) {
      String id = all.get(i).path("Id").asText();
      before.put(id, all.get(i).path("AIX_Scored_At__c").asText(""));
      web.add(visit(profile, id, "pricing", EngagementSignal.Type.PAGE_VIEW, now.minusSeconds(90)));
      web.add(
          visit(
              profile,
              id,
              "demo-request",
              EngagementSignal.Type.FORM_SUBMIT,
              now.minusSeconds(30)));
    }
    io.aix.persistence.SignalStore.Outcome outcome =
        ReactiveBridge.await(() -> signalStore.accept(web, "demo:web-tracker", now));
    System.out.printf(
        "The demo's website sent %d engagement signals for %d leads (%d taken)%n",
        web.size(), before.size(), outcome.accepted().size());
    while (System.nanoTime() < deadline
        && before.entrySet().stream()
            .anyMatch(
                e ->
                    org.record("Lead", e.getKey())
                        .path("AIX_Scored_At__c")
                        .asText("")
                        .equals(e.getValue()))) {
      Thread.sleep(100);
    }
    if (profile.tasks().enabled()) {
      Thread.sleep(500); // the tasks follow the scores' batch
    }
  }

  private static io.aix.persistence.SignalStore.Incoming visit(
      CrmProfile profile,
      String leadId,
      String page,
      EngagementSignal.Type type,
      java.time.Instant at) {
    return new io.aix.persistence.SignalStore.Incoming(
        "demo-web-" + leadId + "-" + page, profile.id(), "Lead", leadId, type, at, "/" + page);
  }

  /** AIX's tasks in the sandbox org, read through the org's own API. */
  private int salesforceTasks(CrmProfile profile) {
    OrgReadback readback =
        new OrgReadback(
            sandbox.salesforce().baseUrl(),
            profile.connection().apiVersion(),
            clientId,
            clientSecret);
    return (int)
        readback.query("SELECT Id, Description FROM Task").stream()
            .filter(t -> t.path("Description").asText("").contains("[aix-task:"))
            .count();
  }

  private CrmProfile sandboxProfile(String type) {
    return connectors.activeProfiles().stream()
        .filter(p -> p.type().equals(type) && p.connection().usesSandbox())
        .findFirst()
        .orElse(null);
  }

  private List<JsonNode> salesforceReadback(CrmProfile profile) {
    OrgReadback readback =
        new OrgReadback(
            sandbox.salesforce().baseUrl(),
            profile.connection().apiVersion(),
            clientId,
            clientSecret);
    return readback.query(
        "SELECT Id, FirstName, LastName, Title, Company, AIX_Score__c, AIX_Grade__c,"
            + " AIX_Conversion_Probability__c, AIX_Top_Factors__c FROM Lead WHERE AIX_Score__c != null"
            + " ORDER BY AIX_Score__c DESC");
  }

  private static void printSamples(List<Sample> samples) {
    System.out.println();
    System.out.println(
        "Ten leads as the sandbox CRMs' own APIs return them (highest scores first):");
    System.out.printf(
        "%-10s  %-18s  %-22s  %-26s  %5s  %5s  %6s  %s%n",
        "CRM", "Id", "Name", "Title", "Score", "Grade", "Prob%", "Top factors");
    for (Sample r : samples.subList(0, Math.min(10, samples.size()))) {
      System.out.printf(
          "%-10s  %-18s  %-22s  %-26s  %5d  %5s  %6s  %s%n",
          r.crm(),
          r.id(),
          cut(r.name(), 22),
          cut(r.title(), 26),
          r.score(),
          r.grade(),
          r.probability(),
          cut(r.factors(), 90));
    }
    System.out.println();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
