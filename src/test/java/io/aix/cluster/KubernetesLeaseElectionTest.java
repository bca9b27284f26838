package io.aix.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three AIX replicas elect the poller of one CRM object through a coordination.k8s.io/v1 Lease, on
 * fabric8's mock Kubernetes API in CRUD mode (it keeps Leases and Pods, lists by label and refuses
 * an update with a stale resourceVersion, which is all camel-kubernetes asks of the API). Each
 * replica is its own CamelContext with the cluster service AIX's {@link ClusterServiceProducer}
 * builds with AIX's default lease (15 s), its own API client, and the {@code master:} timer route
 * of routes/sources.yaml's crm-poll template.
 *
 * <p>What "nothing lost" means here: the route runs AIX's poll cycle against an in-memory stream
 * that stands for the CRM object and for what CheckpointStage keeps in PostgreSQL: each page is
 * read from the stored offset and, in one step (the transaction), queued with the offset moved past
 * it. Unlike AIX's work queue it does not drop a change key it has seen, on purpose: if the
 * election ever let two replicas poll at once, they would read the same offset and queue the same
 * changes twice, and this test would see it. The durability of the PostgreSQL commit itself is
 * covered by the pipeline tests, not here.
 */
class KubernetesLeaseElectionTest {
  private static final Logger LOG = Logger.getLogger(KubernetesLeaseElectionTest.class.getName());

  /** Held so that its level stays set: the mock API logs every request it answers. */
  private static final Logger MOCK_API_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private static final String NAMESPACE = "aix";

  /** The master: namespace that crm-poll gives profile "sandbox", object "Lead". */
  private static final String GROUP = "aix-sandbox-Lead";

  /** camel-kubernetes names the Lease {@code leaders-<group>}, lowercased for Kubernetes. */
  private static final String LEASE = "leaders-aix-sandbox-lead";

  private static final long LEASE_SECONDS = 15;

  /**
   * A takeover needs a retry period (at most 3.6 s with this lease) plus one lease (15 s): a minute
   * leaves room for a loaded machine.
   */
  private static final Duration TAKEOVER = Duration.ofSeconds(60);

  private KubernetesMockServer api;
  private KubernetesClient admin;
  private final ObjectStream stream = new ObjectStream();
  private final List<Replica> replicas = new ArrayList<>();
  private final AtomicInteger mostLeadersAtOnce = new AtomicInteger();
  private ScheduledExecutorService sampler;

  @BeforeAll
  static void quietMockApi() {
    MOCK_API_LOG.setLevel(Level.WARNING);
  }

  @BeforeEach
  void startApi() {
    api =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    api.init();
    admin = api.createClient();
  }

  @AfterEach
  void stopAll() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
    replicas.forEach(Replica::kill);
    admin.close();
    api.destroy();
  }

  @Test
  void aKilledLeadersLeaseIsTakenOverAndEveryChangeIsQueuedOnce() throws Exception {
    for (String pod : List.of("aix-7d9f-aaaaa", "aix-7d9f-bbbbb", "aix-7d9f-ccccc")) {
      createReadyPod(pod);
      replicas.add(new Replica(pod));
    }
    sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(this::countLeaders, 0, 50, TimeUnit.MILLISECONDS);

    Replica first = awaitLeader(List.of());
    assertThat(admin.leases().inNamespace(NAMESPACE).withName(LEASE).get())
        .as("the Lease is kept in aix.cluster.namespace")
        .isNotNull();
    stream.publish(20);
    awaitTrue("changes 1..20 queued", () -> stream.queuedCount() == 20);

    // Killed: the process writes nothing more, and the kubelet reports its pod not ready.
    long killedAt = System.nanoTime();
    first.kill();
    setPodReady(first.pod, false);
    stream.publish(20); // changed in the CRM while nobody polls
    Replica second = awaitLeader(List.of(first));
    awaitTrue("changes 21..40 queued by the new leader", () -> stream.queuedCount() == 40);
    long takeoverMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
    LOG.info(
        () ->
            "%s took over from killed %s and queued the backlog in %d ms"
                .formatted(second.pod, first.pod, takeoverMillis));
    assertThat(stream.queuedBy(21, 40))
        .as("a killed leader queues nothing; the changes made meanwhile wait for the next one")
        .containsOnly(second.pod);

    // Deposed alive: its readiness fails (say its database is unreachable) but it keeps running,
    // and polls until it sees the Lease taken; it must have stopped before the third starts.
    setPodReady(second.pod, false);
    stream.publish(20); // queued by whichever of the two polls them
    Replica third = awaitLeader(List.of(first, second));
    stream.publish(20);
    awaitTrue("changes 41..80 queued", () -> stream.queuedCount() == 80);
    assertThat(stream.queuedBy(61, 80))
        .as("changes made after the third took over are queued by it")
        .containsOnly(third.pod);

    assertThat(stream.queuedIds())
        .as("every change 1..80 queued exactly once across two takeovers, in order")
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 80).boxed().toList());
    assertThat(stream.mostPollersAtOnce())
        .as("never two poll cycles at once: two would read one offset and queue twice")
        .isEqualTo(1);
    assertThat(stream.terms())
        .as("each replica polls in one unbroken term, in the order leadership passed")
        .containsExactly(first.pod, second.pod, third.pod);
    assertThat(mostLeadersAtOnce.get())
        .as("no two live replicas ever took themselves for the leader at the same time")
        .isEqualTo(1);
    assertThat(admin.leases().inNamespace(NAMESPACE).withName(LEASE).get().getSpec())
        .as("the Lease records both handovers")
        .satisfies(s -> assertThat(s.getHolderIdentity()).isEqualTo(third.pod))
        .satisfies(s -> assertThat(s.getLeaseTransitions()).isEqualTo(2))
        .satisfies(s -> assertThat(s.getLeaseDurationSeconds()).isEqualTo((int) LEASE_SECONDS));
  }

  /**
   * Waits for one replica, not among {@code gone}, to hold the Lease and poll as the leader.
   *
   * @return that replica
   */
  private Replica awaitLeader(List<Replica> gone) throws InterruptedException {
    List<String> goneNames = gone.stream().map(r -> r.pod).toList();
    awaitTrue(
        "a replica other than " + goneNames + " holds the Lease and leads",
        () -> {
          String holder = holder();
          return holder != null
              && !goneNames.contains(holder)
              && replicas.stream().anyMatch(r -> r.pod.equals(holder) && r.leads());
        });
    String holder = holder();
    return replicas.stream().filter(r -> r.pod.equals(holder)).findFirst().orElseThrow();
  }

  private String holder() {
    Lease lease = admin.leases().inNamespace(NAMESPACE).withName(LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private void countLeaders() {
    int leaders = (int) replicas.stream().filter(r -> r.alive && r.leads()).count();
    mostLeadersAtOnce.accumulateAndGet(leaders, Math::max);
  }

  /** A pod of the Deployment as camel-kubernetes lists members: labelled, Running and Ready. */
  private void createReadyPod(String name) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NAMESPACE)
            .addToLabels("app.kubernetes.io/name", "aix")
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    admin.pods().inNamespace(NAMESPACE).resource(pod).create();
  }

  private void setPodReady(String name, boolean ready) {
    admin
        .pods()
        .inNamespace(NAMESPACE)
        .withName(name)
        .edit(
            p ->
                new PodBuilder(p)
                    .editStatus()
                    .editFirstCondition()
                    .withStatus(ready ? "True" : "False")
                    .endCondition()
                    .endStatus()
                    .build());
  }

  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TAKEOVER.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + TAKEOVER.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  /** One AIX process: a CamelContext with AIX's Kubernetes cluster service and the poll route. */
  private final class Replica {
    final String pod;
    final DefaultCamelContext camel = new DefaultCamelContext();
    final KubernetesClusterService cluster;
    volatile boolean alive = true;

    Replica(String pod) throws Exception {
      this.pod = pod;
      ClusterServiceProducer producer = new ClusterServiceProducer();
      producer.kind = "kubernetes";
      producer.root = Optional.empty();
      producer.podName = Optional.of(pod);
      producer.namespace = Optional.of(NAMESPACE);
      producer.masterUrl = Optional.of(api.url("/"));
      producer.leaseSeconds = LEASE_SECONDS;
      cluster = (KubernetesClusterService) producer.clusterService();
      camel.addService(cluster);
      camel.getShutdownStrategy().setTimeout(5);
      camel.addRoutes(
          new RouteBuilder() {
            @Override
            public void configure() {
              from("master:" + GROUP + ":timer:aix-poll-sandbox-Lead?period=200&delay=0")
                  .routeId("crm-poll-sandbox-Lead")
                  .process(e -> stream.pollCycle(Replica.this));
            }
          });
      camel.start();
    }

    /** Whether this replica's cluster view says it is the leader (its master: route runs). */
    boolean leads() {
      try {
        return cluster.getView(GROUP).getLocalMember().isLeader();
      } catch (Exception e) {
        return false;
      }
    }

    /** The process dies: nothing it had in hand gets committed, and the Lease is not given back. */
    void kill() {
      alive = false;
      camel.stop();
    }
  }

  /**
   * One CRM object's changes 1..published, the stream's stored offset and the work queue it fills.
   * The monitor stands for the checkpoint's transaction.
   */
  private static final class ObjectStream {
    private static final int PAGE = 3;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger pollersNow = new AtomicInteger();
    private final AtomicInteger mostPollersAtOnce = new AtomicInteger();
    private final List<String> cyclePods = new CopyOnWriteArrayList<>();
    private long offset;
    private final List<Integer> queued = new ArrayList<>();
    private final List<String> queuedBy = new ArrayList<>();

    void publish(int changes) {
      published.addAndGet(changes);
    }

    /** crm-poll's cycle: page after page from the stored offset until the CRM has no more. */
    void pollCycle(Replica replica) throws InterruptedException {
      mostPollersAtOnce.accumulateAndGet(pollersNow.incrementAndGet(), Math::max);
      try {
        while (true) {
          long from = storedOffset();
          long to = Math.min(from + PAGE, published.get());
          if (to == from) {
            return;
          }
          cyclePods.add(replica.pod);
          Thread.sleep(20); // the CRM answers the page
          if (!replica.alive) {
            throw new IllegalStateException(replica.pod + " is dead and commits nothing");
          }
          checkpoint(replica.pod, from, to);
        }
      } finally {
        pollersNow.decrementAndGet();
      }
    }

    private synchronized long storedOffset() {
      return offset;
    }

    private synchronized void checkpoint(String pod, long from, long to) {
      for (long id = from + 1; id <= to; id++) {
        queued.add((int) id);
        queuedBy.add(pod);
      }
      offset = to;
    }

    synchronized int queuedCount() {
      return queued.size();
    }

    synchronized List<Integer> queuedIds() {
      return List.copyOf(queued);
    }

    /** Who queued changes {@code first..last} (1-based, in queue order). */
    synchronized List<String> queuedBy(int first, int last) {
      return List.copyOf(queuedBy.subList(first - 1, last));
    }

    int mostPollersAtOnce() {
      return mostPollersAtOnce.get();
    }

    /** The pods that read pages, each run of consecutive pages by one pod counted once. */
    List<String> terms() {
      List<String> terms = new ArrayList<>();
      for (String pod : cyclePods) {
        if (terms.isEmpty() || !terms.get(terms.size() - 1).equals(pod)) {
          terms.add(pod);
        }
      }
      return terms;
    }
  }
}
