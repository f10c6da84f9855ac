package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.correlator.MultiHopArrivalOrderPropertyTest.Outcome;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.correlator.internal.streams.RecordSerde;
import dev.killswitch.correlator.internal.streams.TopologyNames;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a broker, a commit holds many events: intake sends a node's messages of the commit as one record, the graph
 * step sends an edge to its chains once per commit, and the chains step decides each chain once per commit. Every
 * scenario of the testkit library, all waiting on the input topics when the correlator starts, must give the chains
 * and the triggers that the TopologyTestDriver gives record by record (it commits after every record).
 */
@ExtendWith(KafkaClusterExtension.class)
class BatchedCommitsIT {

  private static final Duration MAX = Duration.ofSeconds(90);
  private static final List<Envelope<?>> EVENTS = Scenarios.all().stream().map(Scenario::events)
      .flatMap(List::stream).toList();

  @Test
  void aCommitOfManyEventsGivesTheChainsAndTriggersOfOneRecordAtATime(KafkaTestCluster kafka,
                                                                      @TempDir Path stateDir) throws Exception {
    Outcome recordByRecord; // as the arrival-order properties compare: the chains, and the triggers apart from when
    try (Harness h = new Harness(ScenarioChainsTest::settings, Scenarios.T0, false)) {
      h.sendAll(EVENTS);
      recordByRecord = MultiHopArrivalOrderPropertyTest.outcome(h.latestSnapshots(), h.requests(), h.alerts());
    }
    assertThat(recordByRecord.chains()).hasSize(5);

    Topics topics = kafka.newTopics();
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      for (Envelope<?> e : EVENTS) {
        // One at a time: async sends to partitions whose leaders are still being elected can leave the idempotent
        // producer retrying out-of-order batches until its delivery timeout.
        producer.send(CloudEventCodec.toKafka(topics.of(e.type()), e)).get();
      }
    }
    Map<String, Object> props = kafka.clientProps();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1_000); // everything waiting is read within a commit or two
    props.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, 3_600_000); // keep node-updates readable below
    String applicationId = "batched-it-" + topics.prefix();
    CorrelatorConfig config = ScenarioChainsTest.settings(CorrelatorConfig.defaults(stateDir, Harness.ACCESS))
        .withApplicationId(applicationId)
        .withEarlySendBelow(0); // only at the commit, however light the load: what this test is about
    try (Correlator correlator = new Correlator(config, topics, props, new SimpleMeterRegistry())) {
      correlator.start();
      Outcome batched = await().atMost(MAX).until(() -> onBroker(kafka, topics), o -> o.equals(recordByRecord));
      assertThat(batched).isEqualTo(recordByRecord);

      // And the messages were batched: intake records on node-updates that carry several messages to their node.
      List<NodeMessage> records = kafka.readToEnd(applicationId + "-" + TopologyNames.NODE_UPDATES_TOPIC).stream()
          .map(r -> RecordSerde.of(NodeMessage.class).deserializer().deserialize(r.topic(), r.value())).toList();
      assertThat(records).filteredOn(m -> !m.more().isEmpty()).isNotEmpty();
      assertThat(records.stream().mapToInt(m -> m.each().size()).sum()).isGreaterThan(records.size());
    }
  }

  private static Outcome onBroker(KafkaTestCluster kafka, Topics topics) {
    Map<String, ChainSnapshot> latest = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.chains())) {
      latest.put(r.key(), CloudEventCodec.fromKafka(r).dataAs(ChainSnapshot.class));
    }
    List<RevocationRequested> requests = decode(kafka.readToEnd(topics.revocationRequests()),
        RevocationRequested.class);
    List<Alert> alerts = decode(kafka.readToEnd(topics.alerts()), Alert.class);
    return MultiHopArrivalOrderPropertyTest.outcome(latest, requests, alerts);
  }

  private static <T> List<T> decode(List<ConsumerRecord<String, byte[]>> records, Class<T> type) {
    return records.stream().map(r -> CloudEventCodec.fromKafka(r).dataAs(type)).toList();
  }
}
