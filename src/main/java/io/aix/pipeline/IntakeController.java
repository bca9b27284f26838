package io.aix.pipeline;

import io.aix.connector.ConnectorRegistry;
import io.aix.profile.CrmProfile;
import io.aix.sandbox.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts and stops intake and the workers: per profile and object, a source route from the {@code
 * crm-poll} template in {@code routes/sources.yaml} (leader only), a push route (webhooks, change
 * events and engagement signals leave notices for it), and {@code aix.queue.workers} worker routes
 * from {@code crm-work} in {@code routes/pipeline.yaml} (every replica). Commands ({@code serve},
 * {@code demo}) start intake explicitly, so {@code validate} and {@code --help} never touch a CRM.
 */
@ApplicationScoped
public class IntakeController {
  private static final Logger LOG = Logger.getLogger(IntakeController.class);
  static final String TEMPLATE = "crm-poll";
  static final String PUSH_TEMPLATE = "crm-push";
  static final String WORK_TEMPLATE = "crm-work";
  static final String CDC_TEMPLATE = "crm-cdc";
  static final String ACTIVITY_TEMPLATE = "crm-activity";

  /** How long a catch-up poll waits for the change event subscription to be made first. */
  static final Duration SUBSCRIBE_FIRST = Duration.ofSeconds(3);

  /**
   * When the first poll runs after the leader's poll consumer starts. Not 0: Camel's timer skips,
   * silently, a tick that fires before its consumer counts as started, and with {@code every: 1h}
   * the first poll would then wait an hour (seen under load on 2 cores).
   */
  static final Duration FIRST_POLL = Duration.ofSeconds(1);

  /** How often an idle worker looks for queued records. */
  @ConfigProperty(name = "aix.queue.poll-every", defaultValue = "250ms")
  Duration workPeriod;

  /** Workers per profile and object on this replica. */
  @ConfigProperty(name = "aix.queue.workers", defaultValue = "2")
  int workers;

  @Inject BulkWriteStage bulkWriter;
  @Inject PollCoverage coverage;
  @Inject io.aix.ops.PipelineMetrics metrics;

  /** How often the push route drains queued change notices. */
  @ConfigProperty(name = "aix.push.period", defaultValue = "1s")
  Duration pushPeriod;

  /**
   * How often the push route of an object with change events reads the records they name: the most
   * a change waits before its record is read (in batches) and queued.
   */
  @ConfigProperty(name = "aix.cdc.period", defaultValue = "200ms")
  Duration eventPeriod;

  @Inject ChangeEventStage changes;
  @Inject Sandbox sandbox;
  @Inject IntakeGate gate;

  @Inject CamelContext camel;
  @Inject ConnectorRegistry connectors;

  private final List<String> routeIds = new ArrayList<>();

  /** The change event components of this start, closed at stop (see eventsComponent). */
  private final List<String> components = new ArrayList<>();

  private int starts;

  @Inject io.aix.connector.salesforce.SalesforceConnectorFactory salesforce;
  @Inject io.aix.privacy.Retention retention;

  public synchronized List<String> start() {
    if (!routeIds.isEmpty()) {
      return List.copyOf(routeIds);
    }
    gate.open();
    starts++;
    metrics.intakeStarted();
    bulkWriter.start();
    retention.start();
    for (CrmProfile profile : connectors.activeProfiles()) {
      connectors.connector(profile.id());
      for (CrmProfile.ObjectSync object : profile.objects()) {
        for (int w = 1; w <= workers; w++) {
          String workId = "work-" + profile.id() + "-" + object.name() + "-" + w;
          TemplatedRouteBuilder.builder(camel, WORK_TEMPLATE)
              .routeId(workId)
              .parameter("profileId", profile.id())
              .parameter("crmObject", object.name())
              .parameter("period", String.valueOf(workPeriod.toMillis()))
              .parameter("worker", String.valueOf(w))
              .add();
          routeIds.add(workId);
        }
        // With change events, the poll is the safety net: it waits a period when the stream
        // resumes where it stopped, and runs first thing when there is a gap (or nothing) to read,
        // just after the subscription is made, so no change falls between the two.
        ChangeEventStage.Start events =
            object.changeEvents() ? changes.start(profile.id(), object.name()) : null;
        String routeId = "poll-" + profile.id() + "-" + object.name();
        TemplatedRouteBuilder.builder(camel, TEMPLATE)
            .routeId(routeId)
            .parameter("profileId", profile.id())
            .parameter("crmObject", object.name())
            .parameter("period", String.valueOf(object.every().toMillis()))
            .parameter(
                "delay",
                String.valueOf(
                    events == null
                        ? FIRST_POLL.toMillis()
                        : events.pollNow()
                            ? SUBSCRIBE_FIRST.toMillis()
                            : object.every().toMillis()))
            .add();
        routeIds.add(routeId);
        LOG.infof(
            "Intake %s: polling %s every %s (leader only)%s",
            profile.id(),
            object.name(),
            object.every(),
            events == null ? "" : ", change events from /data/" + object.changeChannel());
        if (events != null) {
          ReplayRefusalWatch.install(changes, coverage);
          subscribe(profile, object, events.replayId());
        }
        if (object.activity().isPresent()) {
          String activityId = "activity-" + profile.id() + "-" + object.name();
          TemplatedRouteBuilder.builder(camel, ACTIVITY_TEMPLATE)
              .routeId(activityId)
              .parameter("profileId", profile.id())
              .parameter("crmObject", object.name())
              .parameter("period", String.valueOf(object.activity().get().toMillis()))
              .add();
          routeIds.add(activityId);
        }
        // Every object has one: webhooks and change events leave notices, and so does each
        // new engagement signal (the record is read and scored again).
        String pushId = "push-" + profile.id() + "-" + object.name();
        TemplatedRouteBuilder.builder(camel, PUSH_TEMPLATE)
            .routeId(pushId)
            .parameter("profileId", profile.id())
            .parameter("crmObject", object.name())
            .parameter(
                "period", String.valueOf((events != null ? eventPeriod : pushPeriod).toMillis()))
            .add();
        routeIds.add(pushId);
      }
      if (profile.webhooks().isPresent() && profile.connection().usesSandbox()) {
        // The sandbox portal plays HubSpot: it delivers, signed, to the app's one target URL.
        String url = "http://127.0.0.1:" + httpPort() + "/webhooks/hubspot";
        sandbox
            .hubspot()
            .webhooks()
            .subscribe(url, profile.webhooks().get().clientSecret().resolve());
        LOG.infof("Intake %s: sandbox portal delivers webhooks to %s", profile.id(), url);
      }
    }
    return List.copyOf(routeIds);
  }

  /** The port this instance serves on; in tests Quarkus serves on its test port. */
  static int httpPort() {
    org.eclipse.microprofile.config.Config config =
        org.eclipse.microprofile.config.ConfigProvider.getConfig();
    String key =
        io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.TEST
            ? "quarkus.http.test-port"
            : "quarkus.http.port";
    // With port 0, Quarkus publishes the port it got as a system property of the same name.
    String actual = System.getProperty(key);
    if (actual != null && !actual.equals("0")) {
      return Integer.parseInt(actual);
    }
    return config.getOptionalValue(key, Integer.class).orElse(8080);
  }

  /** Adds the change event route of an object, on a component of its own, from a replay id. */
  private void subscribe(CrmProfile profile, CrmProfile.ObjectSync object, long replayId) {
    String component =
        "sf-" + profile.id() + "-" + object.name() + "-events-" + starts + "-" + ++subscriptions;
    camel.addComponent(component, salesforce.eventsComponent(profile));
    components.add(component);
    String cdcId = cdcRouteId(profile.id(), object.name());
    coverage.subscribing(profile.id(), object.name(), object.changeChannel());
    TemplatedRouteBuilder.builder(camel, CDC_TEMPLATE)
        .routeId(cdcId)
        .parameter("profileId", profile.id())
        .parameter("crmObject", object.name())
        .parameter("component", component)
        .parameter("channel", object.changeChannel())
        .parameter("replayId", String.valueOf(replayId))
        .add();
    routeIds.add(cdcId);
    componentOf.put(cdcId, component);
  }

  private int subscriptions;

  /** The component each change event route reads through (its own CometD client). */
  private final java.util.Map<String, String> componentOf = new java.util.HashMap<>();

  private static String cdcRouteId(String profileId, String object) {
    return "cdc-" + profileId + "-" + object;
  }

  /**
   * Subscribes every change event route again at the newest event, each object's poll having been
   * rewound to its last event taken ({@link ChangeEventStage#startOverAtNewest}): what a stream
   * that cannot move past a batch too large to read needs. Camel's client resubscribes after the
   * failed batch at the same replay id and fails again for as long as the events are kept.
   */
  public synchronized void resubscribeAtNewest() {
    if (routeIds.isEmpty()) {
      return;
    }
    for (CrmProfile profile : connectors.activeProfiles()) {
      for (CrmProfile.ObjectSync object : profile.objects()) {
        String cdcId = cdcRouteId(profile.id(), object.name());
        if (!object.changeEvents() || !routeIds.contains(cdcId)) {
          continue;
        }
        try {
          camel.getRouteController().stopRoute(cdcId);
          camel.removeRoute(cdcId);
          routeIds.remove(cdcId);
          String old = componentOf.remove(cdcId);
          components.remove(old);
          // Its CometD client would go on asking for the batch it cannot read.
          org.apache.camel.support.service.ServiceHelper.stopAndShutdownService(
              camel.removeComponent(old));
          changes.startOverAtNewest(profile.id(), object.name());
          subscribe(profile, object, -1);
        } catch (Exception e) {
          LOG.errorf(
              e,
              "%s %s: could not subscribe to change events again; the poll every %s reads the"
                  + " object's changes",
              profile.id(),
              object.name(),
              object.every());
        }
      }
    }
  }

  /** SIGTERM (a rolling update, a scale-in): finish the page in hand, then stop polling. */
  void onShutdown(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
    stop();
  }

  public synchronized void stop() {
    gate.close();
    bulkWriter.stop();
    // Cycles in flight finish the page in hand (the gate ends them there) before routes stop, so
    // no page is cut between its writeback and its checkpoint.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (routeIds.stream().anyMatch(id -> camel.getInflightRepository().size(id) > 0)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (String id : routeIds) {
      try {
        camel.getRouteController().stopRoute(id);
        camel.removeRoute(id);
      } catch (Exception e) {
        throw new IllegalStateException("could not stop route " + id, e);
      }
    }
    routeIds.clear();
    for (String name : components) {
      org.apache.camel.Component c = camel.removeComponent(name);
      org.apache.camel.support.service.ServiceHelper.stopAndShutdownService(c);
    }
    components.clear();
    componentOf.clear();
    coverage.clear();
    gate.open();
  }
}
