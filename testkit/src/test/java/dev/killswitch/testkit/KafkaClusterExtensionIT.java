package dev.killswitch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.TopicSpec;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.Alert;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaClusterExtension.class)
class KafkaClusterExtensionIT {

  static String bootstrapSeenInBeforeAll;

  @BeforeAll
  static void rememberTheCluster(KafkaTestCluster kafka) {
    bootstrapSeenInBeforeAll = kafka.bootstrapServers();
  }

  @Test
  void everyTestAndLifecycleMethodGetsTheSameClusterOnLoopback(KafkaTestCluster kafka) {
    assertThat(kafka.bootstrapServers()).isEqualTo(bootstrapSeenInBeforeAll).startsWith("127.0.0.1:");
    SharedClusterIT.recordBootstrap(kafka.bootstrapServers());
  }

  @Test
  void newTopicsCreatesTheWholeCatalogueUnderAFreshPrefix(KafkaTestCluster kafka) throws Exception {
    Topics first = kafka.newTopics();
    Topics second = kafka.newTopics();
    assertThat(first.prefix()).isNotEqualTo(second.prefix());

    List<String> names = first.all().stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> described = kafka.admin().describeTopics(names).allTopicNames().get();
    Map<ConfigResource, Config> configs = kafka.admin().describeConfigs(names.stream()
        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
    for (TopicSpec spec : first.all()) {
      assertThat(described.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
      assertThat(config.get("cleanup.policy").value()).as(spec.name()).isEqualTo(spec.cleanupPolicy().config());
    }
  }

  @Test
  void aCloudEventProducedIsConsumedBackIntact(KafkaTestCluster kafka) throws Exception {
    Topics topics = kafka.newTopics();
    String subject = IdentityRef.k8sToken("prod-eu", "2a1b-jti").toString();
    Envelope<Alert> alert = new Envelope<>("alert-1", URI.create("k8s://prod-eu"), EventType.ALERT, subject,
        OffsetDateTime.of(2026, 5, 4, 10, 0, 0, 0, ZoneOffset.UTC), subject,
        new Alert("alert-1", "reuse-after-completion", subject, "high", "token used after its run ended",
            List.of("audit-1"), Map.of("cluster", "prod-eu"), Instant.parse("2026-05-04T10:00:01Z")));

    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      producer.send(CloudEventCodec.toKafka(topics.alerts(), alert)).get();
    }

    List<ConsumerRecord<String, byte[]>> records = kafka.consume(topics.alerts(), 1, Duration.ofSeconds(30));
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo(subject);
    assertThat(CloudEventCodec.fromKafka(records.get(0))).isEqualTo(alert);
    assertThat(kafka.readToEnd(topics.alerts())).hasSize(1);
  }

  @Test
  void transactionalWritesAreVisibleOnlyWhenCommitted(KafkaTestCluster kafka) {
    Topics topics = kafka.newTopics();
    Map<String, Object> props = kafka.clientProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "testkit-" + topics.prefix());
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.chains(), "c1", bytes("aborted")));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.chains(), "c1", bytes("committed-1")));
      producer.send(new ProducerRecord<>(topics.chains(), "c2", bytes("committed-2")));
      producer.commitTransaction();
    }

    // commitTransaction returns before the commit markers reach every partition, so the last stable offset may
    // lag for a moment: wait for both committed records rather than reading to the end offsets seen now.
    Set<String> values = kafka.consume(topics.chains(), 2, Duration.ofSeconds(30)).stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toSet());
    assertThat(values).containsExactlyInAnyOrder("committed-1", "committed-2");
  }

  @Test
  void consumeFailsWithWhatItSawWhenTooFewRecordsArrive(KafkaTestCluster kafka) throws Exception {
    Topics topics = kafka.newTopics();
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      producer.send(new ProducerRecord<>(topics.deadletter(), "only-one", bytes("x"))).get();
    }
    assertThatThrownBy(() -> kafka.consume(topics.deadletter(), 2, Duration.ofSeconds(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("saw 1")
        .hasMessageContaining("key=only-one");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
