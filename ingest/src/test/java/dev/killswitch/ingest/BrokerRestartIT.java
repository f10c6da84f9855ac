package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.TopicProvisioner;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.SingleKafkaNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: the (only) broker stops while a client keeps posting audit events, then starts again on the
 * same log directory and ports. Every event answered 2xx is on the topic exactly once afterwards; while the
 * broker is down the answers are 503 with Retry-After (never a 2xx for an event Kafka did not acknowledge), and
 * ingest recovers without a restart of its own.
 */
class BrokerRestartIT {

  private static final String HOST = SingleKafkaNode.HOST;
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  private KafkaRaftServer broker;
  private IngestServer server;
  private int brokerPort;
  private int controllerPort;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    stopBroker();
  }

  @Test
  void everyAcknowledgedEventIsOnTheTopicExactlyOnceAcrossABrokerRestart() throws Exception {
    brokerPort = freePort();
    controllerPort = freePort();
    Path logDir = dir.resolve("kafka");
    format(logDir);
    startBroker(logDir);
    String bootstrap = HOST + ":" + brokerPort;
    Topics topics = new Topics("restart");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, 30);
    }
    server = IngestServer.start(IngestServer.config().withPublishTimeout(Duration.ofSeconds(3)), topics, bootstrap,
        Map.of("max.block.ms", 1000, "request.timeout.ms", 1000, "delivery.timeout.ms", 2500,
            "reconnect.backoff.max.ms", 200, "retry.backoff.ms", 50));

    ObjectNode template = (ObjectNode) Fixtures.json("k8s-audit/falco_create_serviceaccount.json");
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> unavailable = ConcurrentHashMap.newKeySet();
    List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread client = new Thread(() -> {
      while (running.get()) {
        String auditId = "restart-" + sent.incrementAndGet();
        ObjectNode event = template.deepCopy();
        event.put("auditID", auditId);
        try {
          HttpResponse<String> r = server.post("/v1/ingest/k8s-audit/prod", Json.mapper().writeValueAsBytes(event),
              "Content-Type", "application/json", "Authorization", "Bearer " + IngestServer.INGEST_TOKEN);
          if (r.statusCode() == 200) {
            acked.add(auditId);
          } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
            unavailable.add(auditId);
          } else {
            unexpected.add(r.statusCode() + " " + r.body());
          }
        } catch (Exception e) {
          unexpected.add(e.toString());
        }
      }
    }, "restart-client");
    client.start();
    try {
      await().atMost(BOUND).until(() -> acked.size() >= 30);
      stopBroker();
      int ackedBeforeRestart = acked.size();
      await().atMost(BOUND).until(() -> unavailable.size() >= 3);
      startBroker(logDir);
      await().atMost(BOUND).until(() -> acked.size() >= ackedBeforeRestart + 30);
    } finally {
      running.set(false);
      client.join(60_000);
    }

    assertThat(unexpected).as("only 200 or 503 with Retry-After").isEmpty();
    Map<String, Integer> byAuditId = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, topics.k8sEvents())) {
      String id = CloudEventCodec.fromKafka(r).id();   // <auditID>:<stage>
      byAuditId.merge(id.substring(0, id.lastIndexOf(':')), 1, Integer::sum);
    }
    for (String id : acked) {
      assertThat(byAuditId.getOrDefault(id, 0)).as("acknowledged %s on the topic", id).isEqualTo(1);
    }
    for (String id : unavailable) {
      // a 503 promises nothing either way: the producer may still deliver it; never twice (idempotence)
      assertThat(byAuditId.getOrDefault(id, 0)).as("503-answered %s on the topic", id).isLessThanOrEqualTo(1);
    }
    assertThat(unavailable).isNotEmpty();
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("isolation.level", "read_committed");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  private void startBroker(Path logDir) {
    KafkaConfig config = KafkaConfig.fromProps(props(logDir), false);
    broker = new KafkaRaftServer(config, Time.SYSTEM);
    broker.startup();
  }

  private void stopBroker() {
    if (broker != null) {
      broker.shutdown();
      broker.awaitShutdown();
      broker = null;
    }
  }

  private void format(Path logDir) throws Exception {
    SingleKafkaNode.format(KafkaConfig.fromProps(props(logDir), false), logDir, Uuid.randomUuid().toString());
  }

  private Properties props(Path logDir) {
    return SingleKafkaNode.serverProperties(logDir, brokerPort, controllerPort);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }
}
