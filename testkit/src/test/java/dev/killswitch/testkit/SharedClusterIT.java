package dev.killswitch.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A second test class: it must get the cluster the first one started, not a new one. */
@ExtendWith(KafkaClusterExtension.class)
class SharedClusterIT {

  private static final Set<String> BOOTSTRAPS = ConcurrentHashMap.newKeySet();

  private final KafkaTestCluster kafka;

  SharedClusterIT(KafkaTestCluster kafka) {
    this.kafka = kafka;
  }

  static void recordBootstrap(String bootstrap) {
    BOOTSTRAPS.add(bootstrap);
  }

  @Test
  void aSecondTestClassSharesTheOneClusterOfTheJvm() {
    recordBootstrap(kafka.bootstrapServers());
    assertThat(BOOTSTRAPS).containsExactly(kafka.bootstrapServers());
  }
}
