package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer-group member on its own thread: poll a batch, hand it to the stage, commit its offsets only after
 * the stage returned (the stage returns only once its writes were acknowledged): at-least-once, made safe by the
 * idempotent ledger. When the stage throws, the batch is read again after a pause.
 */
public final class ConsumerLoop implements AutoCloseable {

  /** Processes one batch; returns only when every record's effects are acknowledged by Kafka. */
  public interface Stage {
    void handle(ConsumerRecords<String, byte[]> records);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

  private final String name;
  private final String topic;
  private final Map<String, Object> props;
  private final Stage stage;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean failed;

  public ConsumerLoop(String name, String topic, Map<String, Object> props, Stage stage) {
    this.name = name;
    this.topic = topic;
    this.props = Map.copyOf(props);
    this.stage = stage;
    this.thread = new Thread(this::run, "killswitch-revoker-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean isRunning() {
    return thread.isAlive() && !failed;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (closing.getCount() == 0) {
        return;
      }
      c.subscribe(List.of(topic));
      while (closing.getCount() > 0) {
        ConsumerRecords<String, byte[]> records = c.poll(POLL);
        if (records.isEmpty()) {
          continue;
        }
        try {
          stage.handle(records);
          c.commitSync(nextOffsets(records));
        } catch (RevokerException | KafkaException e) {
          if (e instanceof WakeupException) {
            throw (WakeupException) e;
          }
          LOG.warn("{}: batch of {} records not done, reading it again: {}", name, records.count(), e.toString());
          rewind(c, records);
          pause();
        }
      }
    } catch (WakeupException e) {
      if (closing.getCount() > 0) {
        failed = true;
        LOG.error("{} stopped unexpectedly", name, e);
      }
    } catch (RuntimeException e) {
      failed = true;
      LOG.error("{} failed; the revoker is not ready", name, e);
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      next.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return next;
  }

  /** Seeks back to the first record of the batch on every partition still assigned. */
  private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (c.assignment().contains(tp)) {
        c.seek(tp, records.records(tp).get(0).offset());
      }
    }
  }

  private void pause() {
    try {
      closing.await(PAUSE_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    }
  }

  @Override
  public void close() {
    closing.countDown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
