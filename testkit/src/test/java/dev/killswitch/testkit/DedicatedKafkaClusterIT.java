package dev.killswitch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DedicatedKafkaClusterIT {

  /** Bounded: the producer below would otherwise wait forever for a cluster whose quorum failed. */
  @org.junit.jupiter.api.Timeout(180)
  @Test
  void threeBrokersReplicateEveryTopicThreeTimesAndServeReadsAndWrites() throws Exception {
    try (DedicatedKafkaCluster kafka = DedicatedKafkaCluster.start(3)) {
      assertThat(kafka.brokerCount()).isEqualTo(3);
      assertThat(kafka.bootstrapServers().split(",")).hasSize(3).allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
      assertThat(kafka.cluster().admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);

      Topics topics = kafka.cluster().newTopics();
      // The new topic's metadata reaches the three brokers independently, and a broker that has not got it yet
      // answers UNKNOWN_TOPIC_OR_PARTITION, which describeTopics does not retry (producers and consumers do).
      TopicDescription d = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(ExecutionException.class)
          .until(() -> kafka.cluster().admin().describeTopics(Set.of(topics.ciEvents())).allTopicNames()
              .get(30, TimeUnit.SECONDS).get(topics.ciEvents()), t -> t != null);
      assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));

      try (KafkaProducer<String, byte[]> producer = kafka.cluster().producer()) {
        producer.send(new ProducerRecord<>(topics.ciEvents(), "k", "v".getBytes(StandardCharsets.UTF_8)))
            .get(30, TimeUnit.SECONDS);
      }
      assertThat(kafka.cluster().consume(topics.ciEvents(), 1, Duration.ofSeconds(30))).hasSize(1);
    }
  }
}
