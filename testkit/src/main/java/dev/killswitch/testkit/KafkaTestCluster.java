package dev.killswitch.testkit;

import dev.killswitch.schemas.TopicProvisioner;
import dev.killswitch.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka cluster shared by every test of a JVM, handed out by {@link KafkaClusterExtension}.
 *
 * <p>Tests stay apart by topic names, not by brokers: each test takes its own catalogue with
 * {@link #newTopics()}. Clients made here follow the team conventions (String keys, byte[] values,
 * acks=all, idempotent producer, read_committed reads).
 */
public final class KafkaTestCluster {

  private static final AtomicInteger TOPIC_SETS = new AtomicInteger();
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration READ_TO_END_BOUND = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final Admin admin;

  KafkaTestCluster(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
    this.admin = Admin.create(clientProps());
  }

  /** {@code host:port} of the broker, for every Kafka client and Kafka Streams. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * A topic catalogue under a prefix no other test uses, every topic of {@link Topics#all()} already
   * created (partitions and cleanup policies as in production).
   */
  public Topics newTopics() {
    String prefix = "t" + TOPIC_SETS.incrementAndGet() + "-"
        + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    Topics topics = new Topics(prefix);
    TopicProvisioner.ensure(admin, topics, 30);
    return topics;
  }

  /** A fresh, mutable map holding only {@code bootstrap.servers}; add client settings to it. */
  public Map<String, Object> clientProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** A new producer with acks=all and idempotence, String keys, byte[] values. The caller closes it. */
  public KafkaProducer<String, byte[]> producer() {
    Map<String, Object> props = clientProps();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /** The shared admin client. Do not close it; the cluster does. */
  public Admin admin() {
    return admin;
  }

  /**
   * Reads the topic from the beginning of every partition (no consumer group, read_committed) until at
   * least {@code atLeast} records arrived, and returns all records read so far.
   *
   * @param max a failure bound: if it passes first, an AssertionError tells what was seen
   */
  public List<ConsumerRecord<String, byte[]>> consume(String topic, int atLeast, Duration max) {
    return consume(topic, atLeast, max, "read_committed");
  }

  /**
   * As {@link #consume(String, int, Duration)}, but read_uncommitted: also what open transactions have written (a
   * test that something was sent before its transaction commits).
   */
  public List<ConsumerRecord<String, byte[]>> consumeUncommitted(String topic, int atLeast, Duration max) {
    return consume(topic, atLeast, max, "read_uncommitted");
  }

  private List<ConsumerRecord<String, byte[]>> consume(String topic, int atLeast, Duration max, String isolation) {
    long deadline = System.nanoTime() + max.toNanos();
    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = newConsumer(isolation)) {
      List<TopicPartition> partitions = partitionsOf(topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (seen.size() < atLeast) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("expected at least " + atLeast + " records on " + topic + " within " + max
              + ", saw " + seen.size() + ": " + describe(seen));
        }
        consumer.poll(POLL).forEach(seen::add);
      }
    }
    return seen;
  }

  /** Everything in the topic up to the end offsets (last stable offsets) observed when called. */
  public List<ConsumerRecord<String, byte[]>> readToEnd(String topic) {
    long deadline = System.nanoTime() + READ_TO_END_BOUND.toNanos();
    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = newConsumer("read_committed")) {
      List<TopicPartition> partitions = partitionsOf(topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (!reached(consumer, end)) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("could not read " + topic + " to its end offsets " + end + " within "
              + READ_TO_END_BOUND + ", saw " + seen.size() + ": " + describe(seen));
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < end.get(tp)) {
            seen.add(r);
          }
        }
      }
    }
    return seen;
  }

  void close() {
    admin.close(Duration.ofSeconds(10));
  }

  private KafkaConsumer<String, byte[]> newConsumer(String isolation) {
    Map<String, Object> props = clientProps();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The partitions of the topic, waiting (up to the deadline) for a topic that is still being created. */
  private List<TopicPartition> partitionsOf(String topic, long deadline) {
    while (true) {
      try {
        TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        return d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e.getCause());
        }
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("topic " + topic + " does not exist (the broker does not auto-create topics)");
        }
        pause();
      } catch (TimeoutException e) {
        throw new IllegalStateException("Kafka did not answer describeTopics(" + topic + ")", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String describe(Collection<ConsumerRecord<String, byte[]>> records) {
    return records.stream().limit(20).map(r -> {
      Header type = r.headers().lastHeader("ce_type");
      return r.partition() + "@" + r.offset() + " key=" + r.key()
          + (type == null ? "" : " ce_type=" + new String(type.value(), java.nio.charset.StandardCharsets.UTF_8));
    }).collect(Collectors.joining(", ", "[", records.size() > 20 ? ", ...]" : "]"));
  }
}
