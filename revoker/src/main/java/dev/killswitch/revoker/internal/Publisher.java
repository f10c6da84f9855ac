package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes CloudEvents and dead letters with the shared idempotent producer, and waits for the acknowledgements:
 * callers commit their input offsets (or answer HTTP) only after {@link #awaitAll} returned.
 */
public final class Publisher {

  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final Clock clock;
  private final Duration ackTimeout;

  public Publisher(Producer<String, byte[]> producer, Topics topics, Clock clock, Duration ackTimeout) {
    this.producer = producer;
    this.topics = topics;
    this.clock = clock;
    this.ackTimeout = ackTimeout;
  }

  public Future<RecordMetadata> send(String topic, Envelope<?> event) {
    return producer.send(CloudEventCodec.toKafka(topic, event));
  }

  public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
    return producer.send(record);
  }

  public Future<RecordMetadata> deadLetter(byte[] bytes, String reason, String detail, String origin) {
    return producer.send(DeadLetter.record(topics.deadletter(), bytes, reason, detail, origin, clock.instant()));
  }

  /** Waits for every write; throws {@link RevokerException} (KAFKA_UNAVAILABLE) when one was not acknowledged. */
  public List<RecordMetadata> awaitAll(List<Future<RecordMetadata>> writes) {
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    List<RecordMetadata> acks = new ArrayList<>(writes.size());
    for (Future<RecordMetadata> w : writes) {
      try {
        acks.add(w.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RevokerException.interrupted("waiting for Kafka acknowledgements", e);
      } catch (ExecutionException e) {
        throw RevokerException.kafkaUnavailable("write not acknowledged", e.getCause());
      } catch (TimeoutException e) {
        throw RevokerException.kafkaUnavailable("write not acknowledged within " + ackTimeout, null);
      }
    }
    return acks;
  }

  public Topics topics() {
    return topics;
  }
}
