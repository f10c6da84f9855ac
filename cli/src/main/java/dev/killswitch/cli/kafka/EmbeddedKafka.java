package dev.killswitch.cli.kafka;

import dev.killswitch.testkit.SingleKafkaNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.PropertiesUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) inside the {@code killswitch run}
 * process, for trying Killswitch without a Kafka cluster.
 *
 * <p>Its data lives under {@code <dataDir>/kafka}: the first start formats that directory (a new
 * cluster id is written to {@code meta.properties}); later starts reuse it, so topics, records and
 * consumer offsets survive a restart. It listens on 127.0.0.1 only, and does not auto-create topics
 * (the application creates its catalogue). Transactions and exactly-once Kafka Streams work on it
 * (replication factor 1 everywhere).
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** The port {@code killswitch run} asks for; another free port is used when it is taken. */
  public static final int DEFAULT_PORT = 9092;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = SingleKafkaNode.HOST;

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final String clusterId;
  private final Path logDir;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, String clusterId, Path logDir) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
    this.logDir = logDir;
  }

  /**
   * Starts the broker and returns once it serves clients.
   *
   * @param dataDir Killswitch's data directory; the broker keeps its logs in {@code dataDir/kafka}
   * @param port the client port; 0 picks a free one, and a taken port is replaced by a free one (logged)
   * @throws IllegalStateException when the broker cannot start (the message says why)
   */
  public static EmbeddedKafka start(Path dataDir, int port) {
    long t0 = System.nanoTime();
    Path logDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
    int brokerPort = choosePort(port);
    int controllerPort = freePort();
    KafkaConfig config = KafkaConfig.fromProps(SingleKafkaNode.serverProperties(logDir, brokerPort, controllerPort),
        false);
    String clusterId = formatIfNew(config, logDir);

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw new IllegalStateException("embedded Kafka did not start on " + HOST + ":" + brokerPort
          + " with data in " + logDir + ": " + e.getMessage(), e);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(server, HOST + ":" + brokerPort, clusterId, logDir);
    log.info("embedded Kafka ready at {} in {} ms (cluster {}, data in {})", kafka.bootstrapServers,
        (System.nanoTime() - t0) / 1_000_000, clusterId, logDir);
    return kafka;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The id written to {@code meta.properties} when the data directory was formatted. */
  public String clusterId() {
    return clusterId;
  }

  /** Where the broker keeps its logs and metadata. */
  public Path logDir() {
    return logDir;
  }

  /** Controlled shutdown; returns when the broker and controller have stopped and released the data directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    log.info("embedded Kafka stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  /** Formats the log directory unless it already holds a formatted node; returns the cluster id. */
  private static String formatIfNew(KafkaConfig config, Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    try {
      if (Files.exists(meta)) {
        String id = PropertiesUtils.readPropertiesFile(meta.toString()).getProperty("cluster.id");
        log.debug("reusing formatted Kafka data in {} (cluster {})", logDir, id);
        return id;
      }
      String clusterId = Uuid.randomUuid().toString();
      String out = SingleKafkaNode.format(config, logDir, clusterId);
      log.info("formatted new Kafka data directory {} (cluster {})", logDir, clusterId);
      log.debug("formatter: {}", out);
      return clusterId;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Kafka data directory " + logDir, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka data directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  private static int choosePort(int requested) {
    if (requested == 0) {
      return freePort();
    }
    if (requested < 0 || requested > 65535) {
      throw new IllegalArgumentException("Kafka port must be 0..65535, not " + requested);
    }
    if (isFree(requested)) {
      return requested;
    }
    int port = freePort();
    log.warn("port {} is taken; the embedded Kafka listens on {}:{} instead", requested, HOST, port);
    return port;
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + HOST, e);
    }
  }

  private static void stopQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      log.debug("cleanup after failed start", e);
    }
  }
}
