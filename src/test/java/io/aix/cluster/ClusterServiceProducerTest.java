package io.aix.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.junit.jupiter.api.Test;

class ClusterServiceProducerTest {
  private static ClusterServiceProducer producer(String kind) {
    ClusterServiceProducer p = new ClusterServiceProducer();
    p.kind = kind;
    p.root = Optional.of("target/cluster-test");
    p.acquireInterval = 2000;
    p.podName = Optional.of("aix-7d9f-abcde");
    p.namespace = Optional.of("aix");
    p.masterUrl = Optional.empty();
    p.leaseSeconds = 15;
    return p;
  }

  @Test
  void aFileLockOnOneMachine() {
    assertThat(producer("file").clusterService()).isInstanceOf(FileLockClusterService.class);
  }

  @Test
  void kubernetesLeasesInACluster() {
    KubernetesClusterService k = (KubernetesClusterService) producer("kubernetes").clusterService();
    assertThat(k.getPodName()).isEqualTo("aix-7d9f-abcde");
    assertThat(k.getKubernetesResourcesNamespace())
        .as("Leases and member pods are looked up in the configured namespace")
        .isEqualTo("aix");
    assertThat(k.getLeaseDurationMillis()).isEqualTo(15_000);
    assertThat(k.getRenewDeadlineMillis()).isLessThan(k.getLeaseDurationMillis());
  }

  @Test
  void anUnknownKindIsNamed() {
    assertThatThrownBy(() -> producer("zookeeper").clusterService())
        .hasMessageContaining("file or kubernetes, not 'zookeeper'");
  }
}
