package dev.killswitch.cli.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A Kafka metrics reporter that records the configuration of every client it is configured in. Named in
 * {@code KAFKA_METRIC_REPORTERS}, it shows which settings each producer, consumer, admin client and Kafka Streams
 * client of a process really received.
 */
public final class ClientConfigRecorder implements MetricsReporter {

  static final ConcurrentLinkedQueue<Map<String, String>> CONFIGS = new ConcurrentLinkedQueue<>();

  @Override
  public void configure(Map<String, ?> configs) {
    Map<String, String> copy = new HashMap<>();
    configs.forEach((k, v) -> copy.put(k, String.valueOf(v)));
    CONFIGS.add(copy);
  }

  @Override
  public void init(List<KafkaMetric> metrics) {}

  @Override
  public void metricChange(KafkaMetric metric) {}

  @Override
  public void metricRemoval(KafkaMetric metric) {}

  @Override
  public void close() {}
}
