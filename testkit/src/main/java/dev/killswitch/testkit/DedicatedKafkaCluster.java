package dev.killswitch.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of its own for one test: {@code n} brokers and one KRaft controller in this JVM (Kafka's
 * KafkaClusterTestKit), for tests that need several brokers (replication, leaders on different brokers) or
 * broker settings the shared cluster of {@link KafkaClusterExtension} must not get. The test starts and closes it:
 *
 * <pre>{@code
 * try (DedicatedKafkaCluster kafka = DedicatedKafkaCluster.start(3)) {
 *   String bootstrap = kafka.bootstrapServers();   // every broker, 127.0.0.1:<port>,...
 *   Topics topics = kafka.cluster().newTopics();   // the usual helpers
 * }
 * }</pre>
 *
 * <p>One controller, not three: with three voters (three combined nodes) the 4.3.1 test kit's quorum fails on the
 * first metadata write after start-up (raft IO thread: "Received unexpected invalid request error", then "No
 * controller appears to be active"), seen here with an idempotent producer's InitProducerId. Replication and
 * client behaviour across brokers do not depend on the number of voters.
 *
 * <p>Internal topics are replicated min(3, n) times with {@code min.insync.replicas} one less (at least 1), so
 * transactions and exactly-once Kafka Streams work and survive one broker less. Topics are never auto-created.
 */
public final class DedicatedKafkaCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DedicatedKafkaCluster.class);
  private static final String BROKER_LISTENER = "EXTERNAL";

  private final KafkaClusterTestKit kit;
  private final String bootstrapServers;
  private final KafkaTestCluster cluster;
  private boolean closed;

  private DedicatedKafkaCluster(KafkaClusterTestKit kit) {
    this.kit = kit;
    this.bootstrapServers = kit.brokers().values().stream()
        .map(b -> "127.0.0.1:" + b.boundPort(ListenerName.normalised(BROKER_LISTENER)))
        .collect(Collectors.joining(","));
    this.cluster = new KafkaTestCluster(bootstrapServers);
  }

  /** Starts {@code brokers} brokers (and one controller) and returns once every broker serves clients. */
  public static DedicatedKafkaCluster start(int brokers) {
    return start(brokers, Map.of());
  }

  /**
   * Starts {@code brokers} brokers with extra settings (applied to every node, over the defaults).
   *
   * @throws IllegalStateException when the cluster does not start
   */
  public static DedicatedKafkaCluster start(int brokers, Map<String, String> brokerConfig) {
    if (brokers < 1) {
      throw new IllegalArgumentException("a cluster needs at least one broker, not " + brokers);
    }
    long t0 = System.nanoTime();
    KafkaClusterTestKit kit = null;
    try {
      TestKitNodes nodes = new TestKitNodes.Builder()
          .setCombined(false)
          .setNumBrokerNodes(brokers)
          .setNumControllerNodes(1)
          .setBrokerListenerName(new ListenerName(BROKER_LISTENER))
          .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
      defaults(brokers).forEach(builder::setConfigProp);
      brokerConfig.forEach(builder::setConfigProp);
      kit = builder.build();
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
      DedicatedKafkaCluster cluster = new DedicatedKafkaCluster(kit);
      log.info("dedicated {}-broker KRaft cluster up at {} in {} ms", brokers, cluster.bootstrapServers,
          (System.nanoTime() - t0) / 1_000_000);
      return cluster;
    } catch (Exception e) {
      if (kit != null) {
        try {
          kit.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("cannot start a " + brokers + "-broker in-process Kafka cluster: " + e, e);
    }
  }

  static Map<String, String> defaults(int brokers) {
    String replication = Integer.toString(Math.min(3, brokers));
    String minIsr = Integer.toString(Math.max(1, Math.min(3, brokers) - 1));
    Map<String, String> p = new LinkedHashMap<>(KafkaBackend.BROKER_CONFIG);
    p.put("offsets.topic.replication.factor", replication);
    p.put("transaction.state.log.replication.factor", replication);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("share.coordinator.state.topic.replication.factor", replication);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("default.replication.factor", replication);
    p.put("min.insync.replicas", minIsr);
    // Several brokers in one JVM on two cores: keep each one small.
    p.put("num.network.threads", "1");
    p.put("num.io.threads", "2");
    p.put("num.replica.fetchers", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    return p;
  }

  /** {@code 127.0.0.1:<port>} of every broker, comma-separated (the brokers advertise {@code localhost}). */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The number of brokers. */
  public int brokerCount() {
    return kit.brokers().size();
  }

  /** The usual helpers (topics, producer, consume, admin) on this cluster; closed with it. */
  public KafkaTestCluster cluster() {
    return cluster;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    cluster.close();
    try {
      kit.close();
    } catch (Exception e) {
      log.warn("closing the dedicated Kafka cluster: {}", e.toString());
    }
    log.info("dedicated Kafka cluster stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }
}
