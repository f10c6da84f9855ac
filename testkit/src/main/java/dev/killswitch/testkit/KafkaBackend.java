package dev.killswitch.testkit;

import java.util.Map;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** Where the test cluster runs: in this JVM (default) or in a Docker container. */
abstract class KafkaBackend implements AutoCloseable {

  /** Broker settings for a one-node cluster on which transactions and exactly-once Streams work. */
  static final Map<String, String> BROKER_CONFIG = Map.ofEntries(
      Map.entry("offsets.topic.replication.factor", "1"),
      Map.entry("offsets.topic.num.partitions", "5"),
      Map.entry("transaction.state.log.replication.factor", "1"),
      Map.entry("transaction.state.log.min.isr", "1"),
      Map.entry("transaction.state.log.num.partitions", "5"),
      Map.entry("share.coordinator.state.topic.replication.factor", "1"),
      Map.entry("share.coordinator.state.topic.min.isr", "1"),
      Map.entry("min.insync.replicas", "1"),
      Map.entry("default.replication.factor", "1"),
      Map.entry("group.initial.rebalance.delay.ms", "0"),
      Map.entry("auto.create.topics.enable", "false"),
      Map.entry("num.network.threads", "2"),
      Map.entry("num.io.threads", "4"));

  abstract String bootstrapServers();

  abstract String kind();

  @Override
  public abstract void close();

  static KafkaBackend start(String mode) {
    if (mode == null || mode.isBlank() || mode.equalsIgnoreCase("embedded")) {
      return Embedded.start();
    }
    if (mode.equalsIgnoreCase("testcontainers")) {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        throw new IllegalStateException("KILLSWITCH_TEST_KAFKA=testcontainers but no Docker engine is reachable;"
            + " start Docker (or set DOCKER_HOST) or unset KILLSWITCH_TEST_KAFKA to use the in-process broker");
      }
      return Container.start();
    }
    throw new IllegalStateException("KILLSWITCH_TEST_KAFKA must be 'embedded' or 'testcontainers', not '" + mode + "'");
  }

  /**
   * Kafka's own KRaft test kit: one combined broker+controller node in this JVM. Clients are pointed at
   * 127.0.0.1, but the kit pre-binds its listener sockets on the wildcard address (PreboundSocketFactoryManager
   * in 4.3.1 has no way to choose), so the ephemeral test ports are reachable from other interfaces too.
   */
  private static final class Embedded extends KafkaBackend {
    private static final String BROKER_LISTENER = "EXTERNAL";
    private final KafkaClusterTestKit kit;
    private final String bootstrap;

    private Embedded(KafkaClusterTestKit kit) {
      this.kit = kit;
      int port = kit.brokers().values().iterator().next().boundPort(ListenerName.normalised(BROKER_LISTENER));
      this.bootstrap = "127.0.0.1:" + port;
    }

    static Embedded start() {
      KafkaClusterTestKit kit = null;
      try {
        TestKitNodes nodes = new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBrokerListenerName(new ListenerName(BROKER_LISTENER))
            .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("listeners", BROKER_LISTENER + "://127.0.0.1:0,CONTROLLER://127.0.0.1:0");
        BROKER_CONFIG.forEach(builder::setConfigProp);
        kit = builder.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return new Embedded(kit);
      } catch (Exception e) {
        if (kit != null) {
          closeQuietly(kit);
        }
        throw new IllegalStateException("cannot start the in-process Kafka test cluster: " + e, e);
      }
    }

    @Override
    String bootstrapServers() {
      return bootstrap;
    }

    @Override
    String kind() {
      return "in-process KRaft";
    }

    @Override
    public void close() {
      closeQuietly(kit);
    }
  }

  /** An apache/kafka container; the image follows the client version unless KILLSWITCH_TEST_KAFKA_IMAGE says. */
  private static final class Container extends KafkaBackend {
    private final KafkaContainer container;

    private Container(KafkaContainer container) {
      this.container = container;
    }

    static Container start() {
      String image = System.getenv().getOrDefault("KILLSWITCH_TEST_KAFKA_IMAGE", "apache/kafka:" + AppInfoParser.getVersion());
      KafkaContainer container = new KafkaContainer(image);
      BROKER_CONFIG.forEach((k, v) -> container.withEnv("KAFKA_" + k.toUpperCase().replace('.', '_'), v));
      container.start();
      return new Container(container);
    }

    @Override
    String bootstrapServers() {
      return container.getBootstrapServers();
    }

    @Override
    String kind() {
      return "container " + container.getDockerImageName();
    }

    @Override
    public void close() {
      container.stop();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // shutting down a test broker: nothing left to do about it
    }
  }
}
