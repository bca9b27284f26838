package io.aix.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The cluster service behind every {@code master:} source endpoint, so that exactly one replica
 * polls each CRM object. {@code aix.cluster.kind=file} (one machine, tests): a file lock elects the
 * leader. {@code kubernetes} (the k8s/ manifests): a Kubernetes Lease per object, renewed by the
 * leader; when its pod dies, another takes the lease after it expires. Produced as a bean because
 * the camel-quarkus master extensions are not available for this Camel version.
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
        root.orElse(
            java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "aix-cluster").toString()));
    service.setAcquireLockDelay(10, TimeUnit.MILLISECONDS);
    service.setAcquireLockInterval(acquireInterval, TimeUnit.MILLISECONDS);
    return service;
  }

  private CamelClusterService kubernetes() {
    KubernetesClusterService service = new KubernetesClusterService();
    service.setId("aix-kubernetes-lease");
    service.setClusterLabels(java.util.Map.of("app.kubernetes.io/name", "aix"));
    service.setLeaseResourceType(
        org.apache.camel.component.kubernetes.cluster.LeaseResourceType.Lease);
    podName.ifPresent(service::setPodName);
    namespace.ifPresent(service::setKubernetesNamespace);
    // Leader gone: another replica takes over once the lease runs out.
    service.setLeaseDurationMillis(leaseSeconds * 1000);
    service.setRenewDeadlineMillis(leaseSeconds * 1000 * 2 / 3);
    service.setRetryPeriodMillis(Math.max(1000, leaseSeconds * 1000 / 5));
    return service;
  }
}
