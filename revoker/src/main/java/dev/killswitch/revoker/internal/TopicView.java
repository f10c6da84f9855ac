package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole topics from the beginning on its own thread (no consumer group: every instance sees every
 * partition) and hands each record to a handler that keeps an in-memory view.
 *
 * <p>Read-your-writes: {@link #awaitEnd} waits until the view has applied everything committed to the topics
 * before the call; {@link #awaitPositions} does the same for offsets the caller observed earlier.
 */
public final class TopicView implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicView.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final String name;
  private final List<String> topics;
  private final Map<String, Object> consumerProps;
  private final Consumer<ConsumerRecord<String, byte[]>> handler;
  private final Offsets endOffsets;
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final Object progress = new Object();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile List<TopicPartition> partitions = List.of();
  private volatile Map<TopicPartition, Long> startEnd;
  private static final long NEVER = Long.MIN_VALUE;
  private volatile long caughtUpNanos = NEVER;
  private volatile boolean ready;
  private volatile boolean failed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public TopicView(String name, List<String> topics, Map<String, Object> consumerProps,
                   Consumer<ConsumerRecord<String, byte[]>> handler, Offsets endOffsets) {
    this.name = name;
    this.topics = List.copyOf(topics);
    this.consumerProps = Map.copyOf(consumerProps);
    this.handler = handler;
    this.endOffsets = endOffsets;
    this.thread = new Thread(this::run, "killswitch-revoker-view-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** True once the view applied everything that was in its topics when it started. */
  public boolean isReady() {
    return ready && !failed && thread.isAlive();
  }

  /**
   * True when the view is ready and, within {@code bound} before now, it had read everything committed to its
   * topics at that moment ({@link #refreshCaughtUp}). False when it never caught up, failed, or could not confirm
   * it lately (Kafka unreachable). Real elapsed time, not the injected clock: this is about the view's health.
   */
  public boolean caughtUpWithin(Duration bound) {
    long at = caughtUpNanos;
    return isReady() && at != NEVER && System.nanoTime() - at <= bound.toNanos();
  }

  /** Reads the end offsets and waits until the view reached them; then it was caught up as of the question. */
  public void refreshCaughtUp(Duration max) {
    long asked = System.nanoTime();
    awaitEnd(max);
    caughtUpNanos = asked;
  }

  /** The partitions read (empty until the topics exist). */
  public List<TopicPartition> partitions() {
    return partitions;
  }

  /** Waits until everything committed to the topics before this call is applied. */
  public void awaitEnd(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (partitions.isEmpty()) {
      waitForProgress(deadline, "its partitions");
    }
    awaitPositions(endOffsets.end(partitions), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /** Waits until the view's position on each partition is at least the given offset. */
  public void awaitPositions(Map<TopicPartition, Long> target, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!reached(target)) {
      waitForProgress(deadline, target);
    }
  }

  private void waitForProgress(long deadline, Object target) {
    synchronized (progress) {
      long left = deadline - System.nanoTime();
      if (failed || closing.getCount() == 0) {
        throw RevokerException.interrupted("waiting for the " + name + " view (stopped)", null);
      }
      if (left <= 0) {
        throw RevokerException.catchUpTimeout("the " + name + " view", target);
      }
      try {
        progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RevokerException.interrupted("waiting for the " + name + " view", e);
      }
    }
  }

  private boolean reached(Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
      if (positions.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
             new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (closing.getCount() == 0) {
        return;
      }
      List<TopicPartition> assigned = awaitTopics(c);
      c.assign(assigned);
      c.seekToBeginning(assigned);
      startEnd = c.endOffsets(assigned);
      partitions = assigned;
      LOG.info("{} view reading {} partitions of {} from the beginning", name, assigned.size(), topics);
      while (closing.getCount() > 0) {
        for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
          apply(record);
        }
        for (TopicPartition tp : assigned) {
          positions.put(tp, c.position(tp));
        }
        if (!ready && reached(startEnd)) {
          ready = true;
          LOG.info("{} view caught up", name);
        }
        synchronized (progress) {
          progress.notifyAll();
        }
      }
    } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      if (closing.getCount() > 0) {
        failed = true;
        LOG.error("{} view stopped unexpectedly", name, e);
      }
    } catch (RuntimeException e) {
      failed = true;
      LOG.error("{} view failed; the revoker is not ready", name, e);
    } finally {
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    try {
      handler.accept(record);
    } catch (RuntimeException e) {
      // Our own topics; a record we cannot read must not stop the view. Log it and go on.
      LOG.warn("{} view skipped {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(), e.toString());
    }
  }

  private List<TopicPartition> awaitTopics(KafkaConsumer<String, byte[]> c) throws WakeupException {
    while (true) {
      List<TopicPartition> all = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (String topic : topics) {
        List<PartitionInfo> infos;
        try {
          infos = c.partitionsFor(topic, Duration.ofSeconds(10));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          infos = List.of();
        }
        if (infos == null || infos.isEmpty()) {
          missing.add(topic);
        } else {
          infos.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
        }
      }
      if (missing.isEmpty()) {
        return all;
      }
      LOG.warn("{} view waiting for topics {} (not created yet, or Kafka unreachable)", name, missing);
      try {
        if (closing.await(1, TimeUnit.SECONDS)) {
          throw new WakeupException();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
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
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
