package dev.killswitch.ingest;

import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The base of the ITs that post to a running ingest: for each test, fresh topics on the shared in-process broker
 * and an {@link IngestServer} publishing to them, closed after the test.
 */
@ExtendWith(KafkaClusterExtension.class)
public abstract class RunningIngest {

  protected KafkaTestCluster kafka;
  protected Topics topics;
  protected IngestServer server;

  @BeforeEach
  protected void startIngest(KafkaTestCluster kafka) {
    this.kafka = kafka;
    topics = kafka.newTopics();
    server = IngestServer.start(topics, kafka.bootstrapServers());
  }

  @AfterEach
  protected void stopIngest() {
    server.close();
  }
}
