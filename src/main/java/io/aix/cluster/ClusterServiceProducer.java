package io.aix.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The cluster service behind every {@code master:} source endpoint, so that exactly one replica
 * polls each CRM object. {@code aix.cluster.kind=file} (one machine, tests): a file lock elects the
 * leader. {@code kubernetes} (the k8s/ manifests): a Kubernetes Lease per object ({@code
 * leaders-<master namespace>}), renewed by the leader.
 *
 * <p>How camel-kubernetes 4.18 hands over (read from its KubernetesLeadershipController, shown by
 * KubernetesLeaseElectionTest): the members are the pods labelled {@code
 * app.kubernetes.io/name=aix} that are Running and Ready; a holder that is not among them has lost
 * the Lease, whatever its renew time says (Camel never reads the renew time). So when the leader's
 * pod dies or turns unready, another member writes itself into the Lease at its next check (retry
 * period) and starts polling one lease duration later, the time the old holder has to notice and
 * stop. A leader that cannot reach the API stops by itself after the renew deadline. Produced as a
 * bean because the camel-quarkus master extensions are not available for this Camel version.
 */
@ApplicationScoped
public class ClusterServiceProducer {
  @ConfigProperty(name = "aix.cluster.kind", defaultValue = "file")
  String kind;

  @ConfigProperty(name = "aix.cluster.file-root")
  Optional<String> root;

  @ConfigProperty(name = "aix.cluster.acquire-interval-millis", defaultValue = "2000")
  long acquireInterval;

  /** Pod name (the downward API sets it): the lease holder's identity. */
  @ConfigProperty(name = "aix.cluster.pod-name")
  Optional<String> podName;

  @ConfigProperty(name = "aix.cluster.namespace")
  Optional<String> namespace;

  /**
   * The Kubernetes API, only when AIX runs outside the cluster (a laptop, the election test's mock
   * API); in a pod the client finds the API and its token from the service account.
   */
  @ConfigProperty(name = "aix.cluster.master-url")
  Optional<String> masterUrl;

  @ConfigProperty(name = "aix.cluster.lease-seconds", defaultValue = "15")
  long leaseSeconds;

  @Produces
  @Singleton
  CamelClusterService clusterService() {
    return switch (kind) {
      case "file" -> fileLock();
      case "kubernetes" -> kubernetes();
      default ->
          throw new IllegalArgumentException(
              "aix.cluster.kind must be file or kubernetes, not '" + kind + "'");
    };
  }

  private CamelClusterService fileLock() {
    FileLockClusterService service = new FileLockClusterService();
    service.setId("aix-file-lock");
    service.setRoot(
        root.orElse(Path.of(System.getProperty("java.io.tmpdir"), "aix-cluster").toString()));
    service.setAcquireLockDelay(10, TimeUnit.MILLISECONDS);
    service.setAcquireLockInterval(acquireInterval, TimeUnit.MILLISECONDS);
    return service;
  }

  private CamelClusterService kubernetes() {
    // The service applies its own masterUrl and namespace only over a configuration it was given:
    // without one, setNamespace is silently dropped and the client's default namespace is used.
    KubernetesConfiguration api = new KubernetesConfiguration();
    masterUrl.ifPresent(api::setMasterUrl);
    namespace.ifPresent(api::setNamespace);
    KubernetesClusterService service = new KubernetesClusterService(api);
    service.setId("aix-kubernetes-lease");
    service.setClusterLabels(Map.of("app.kubernetes.io/name", "aix"));
    service.setLeaseResourceType(LeaseResourceType.Lease);
    podName.ifPresent(service::setPodName);
    // Where the Leases are kept and the member pods are listed.
    namespace.ifPresent(service::setKubernetesResourcesNamespace);
    // Leader gone: another replica writes itself in at its next check and polls a lease later.
    service.setLeaseDurationMillis(leaseSeconds * 1000);
    service.setRenewDeadlineMillis(leaseSeconds * 1000 * 2 / 3);
    service.setRetryPeriodMillis(Math.max(1000, leaseSeconds * 1000 / 5));
    return service;
  }
}
