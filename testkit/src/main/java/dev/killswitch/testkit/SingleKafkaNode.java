package dev.killswitch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * One Kafka node in KRaft combined mode (broker and controller, node id {@value #NODE_ID}) on {@value #HOST}: its
 * server properties and the formatting of its log directory, for whoever starts a {@code KafkaRaftServer} on a
 * directory it owns: {@code killswitch run}'s embedded broker (cli {@code EmbeddedKafka}) and tests that stop and
 * restart a broker on the same directory (ingest {@code BrokerRestartIT}). Replication factor 1 everywhere, so
 * transactions and exactly-once Kafka Streams work; topics are not auto-created; fixed memory kept small, as the
 * broker shares its JVM with the application.
 */
public final class SingleKafkaNode {

  public static final String HOST = "127.0.0.1";
  public static final int NODE_ID = 1;
  public static final String CONTROLLER_LISTENER = "CONTROLLER";

  private SingleKafkaNode() {}

  /** The server properties of a node with logs in {@code logDir}, clients on {@code brokerPort}. */
  public static Properties serverProperties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
        + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "10");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    return p;
  }

  /**
   * Formats {@code logDir} (created if missing) as a new node of cluster {@code clusterId}, as
   * {@code kafka-storage.sh format} does.
   *
   * @return what the formatter printed
   */
  public static String format(KafkaConfig config, Path logDir, String clusterId) throws Exception {
    Files.createDirectories(logDir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Formatter()
        .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
        .setNodeId(NODE_ID)
        .setClusterId(clusterId)
        .setDirectories(List.of(logDir.toString()))
        .setMetadataLogDirectory(config.metadataLogDir())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setHasDynamicQuorum(false)
        .run();
    return out.toString(StandardCharsets.UTF_8).strip();
  }
}
