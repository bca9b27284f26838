package io.aix.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The cluster service behind every {@code master:} source endpoint. On one machine (and in tests) a
 * file lock elects the leader; the Kubernetes Lease service takes its place in a cluster. Produced
 * as a bean because the camel-quarkus master extensions are not available for this Camel version.
 */
@ApplicationScoped
public class ClusterServiceProducer {
  @ConfigProperty(name = "aix.cluster.file-root")
  java.util.Optional<String> root;

  @ConfigProperty(name = "aix.cluster.acquire-interval-millis", defaultValue = "2000")
  long acquireInterval;

  @Produces
  @Singleton
  CamelClusterService clusterService() {
    FileLockClusterService service = new FileLockClusterService();
    service.setId("aix-file-lock");
    service.setRoot(
        root.orElse(
            java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "aix-cluster").toString()));
    service.setAcquireLockDelay(10, TimeUnit.MILLISECONDS);
    service.setAcquireLockInterval(acquireInterval, TimeUnit.MILLISECONDS);
    return service;
  }
}
