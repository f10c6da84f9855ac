package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.correlator.internal.streams.TopologyNames;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import dev.killswitch.testkit.scenarios.Scenarios;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * At light load a step does not hold its work until the commit: intake sends a node's messages within one early
 * look (25 ms) of their event. Here the commit interval is two minutes, so nothing the correlator sends is
 * committed before the test's bound (30 s): the node message must still be on {@code node-updates} (read
 * uncommitted) by then.
 */
@ExtendWith(KafkaClusterExtension.class)
class EarlySendIT {

  private static final Duration MAX = Duration.ofSeconds(30);
  private static final int COMMIT_MS = 120_000;

  @Test
  void atLightLoadIntakeSendsWhatItHoldsBeforeTheCommit(KafkaTestCluster kafka, @TempDir Path stateDir)
      throws Exception {
    Topics topics = kafka.newTopics();
    Envelope<?> event = Scenarios.all().get(0).events().get(0);
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      producer.send(CloudEventCodec.toKafka(topics.of(event.type()), event)).get();
    }
    Map<String, Object> props = kafka.clientProps();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_MS); // no commit within the test
    props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 2 * COMMIT_MS);
    String applicationId = "early-it-" + topics.prefix();
    CorrelatorConfig config = ScenarioChainsTest.settings(CorrelatorConfig.defaults(stateDir, Harness.ACCESS))
        .withApplicationId(applicationId);
    assertThat(config.correlation().earlySendBelow()).isPositive(); // the default

    try (Correlator correlator = new Correlator(config, topics, props, new SimpleMeterRegistry())) {
      correlator.start();
      String nodeUpdates = applicationId + "-" + TopologyNames.NODE_UPDATES_TOPIC;
      assertThat(kafka.consumeUncommitted(nodeUpdates, 1, MAX)).isNotEmpty();
    }
  }
}
