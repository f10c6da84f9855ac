package dev.killswitch.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static final String TOPIC = "killswitch.revocation.requests";

  @TempDir
  Path dataDir;

  @Test
  void topicsAndRecordsSurviveARestartOnTheSameDataDirectory() throws Exception {
    String clusterId;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
      clusterId = kafka.clusterId();
      assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
      }
      try (KafkaProducer<String, byte[]> producer = producer(kafka, Map.of())) {
        producer.send(new ProducerRecord<>(TOPIC, "k8s:prod:token/jti-1", bytes("revoke jti-1"))).get();
      }
    }
    assertThat(dataDir.resolve("kafka/meta.properties")).exists();

    try (EmbeddedKafka again = EmbeddedKafka.start(dataDir, 0)) {
      assertThat(again.clusterId()).isEqualTo(clusterId);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", again.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get()).contains(TOPIC);
      }
      List<ConsumerRecord<String, byte[]>> records = readAtLeast(again, TOPIC, 1);
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.key()).isEqualTo("k8s:prod:token/jti-1");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("revoke jti-1");
      });
    }
  }

  @Test
  void aTakenPortIsReplacedByAFreeOneOnLoopback() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, taken.getLocalPort())) {
        assertThat(kafka.bootstrapServers())
            .startsWith("127.0.0.1:")
            .isNotEqualTo("127.0.0.1:" + taken.getLocalPort());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
          assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
      }
    }
  }

  @Test
  void transactionsCommitOnTheSingleNodeBroker() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("killswitch.chains", 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, byte[]> producer =
               producer(kafka, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-it"))) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("killswitch.chains", "chain-1", bytes("snapshot")));
        producer.commitTransaction();
      }
      assertThat(readAtLeast(kafka, "killswitch.chains", 1)).hasSize(1);
    }
    try (Stream<Path> logDirs = Files.list(dataDir.resolve("kafka"))) {
      assertThat(logDirs.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.startsWith("__transaction_state-"));
    }
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static List<ConsumerRecord<String, byte[]>> readAtLeast(EmbeddedKafka kafka, String topic, int n) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        return seen.size() >= n;
      });
    }
    return seen;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
