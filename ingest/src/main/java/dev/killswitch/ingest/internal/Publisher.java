package dev.killswitch.ingest.internal;

import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.DeadLetter;
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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request's records and waits until Kafka acknowledged every one of them (the producer is acks=all
 * and idempotent), so that a 2xx answer means durable. Sending all before waiting lets the producer batch
 * them; waiting has one deadline for the whole request.
 */
public final class Publisher {

  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  private final Producer<String, byte[]> producer;
  private final String deadLetterTopic;
  private final Duration timeout;
  private final Clock clock;

  public Publisher(Producer<String, byte[]> producer, String deadLetterTopic, Duration timeout, Clock clock) {
    this.producer = producer;
    this.deadLetterTopic = deadLetterTopic;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Sends all and waits for all. Throws {@code kafka-unavailable} when any record is not acknowledged within
   * the publish timeout: the sender retries the whole request, and the deterministic ids of the records
   * already written let consumers drop the repeats.
   */
  public void publishAll(List<ProducerRecord<String, byte[]>> records) {
    List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    try {
      for (ProducerRecord<String, byte[]> record : records) {
        acks.add(producer.send(record));
      }
    } catch (KafkaException | IllegalStateException e) {
      throw unavailable(e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<RecordMetadata> ack : acks) {
      try {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw IngestException.kafkaUnavailable("no acknowledgement within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw IngestException.kafkaUnavailable("interrupted while waiting for the acknowledgement", e);
      } catch (ExecutionException e) {
        throw unavailable(e.getCause());
      }
    }
  }

  /** A dead-letter record for rejected bytes (already redacted by the caller). */
  public ProducerRecord<String, byte[]> deadLetter(byte[] redacted, IngestException problem, String origin) {
    return DeadLetter.record(deadLetterTopic, redacted, problem.reason().code(), problem.getMessage(), origin,
        clock.instant());
  }

  /**
   * Writes dead letters and waits for them, for requests that are answered 4xx whatever happens here: a
   * failure is logged and reported as false, it does not turn the answer into a 503.
   */
  public boolean deadLetterQuietly(List<ProducerRecord<String, byte[]>> records) {
    if (records.isEmpty()) {
      return true;
    }
    try {
      publishAll(records);
      return true;
    } catch (IngestException e) {
      LOG.warn("could not write {} record(s) to {}: {}", records.size(), deadLetterTopic, e.getMessage());
      return false;
    }
  }

  private static IngestException unavailable(Throwable cause) {
    if (cause instanceof RecordTooLargeException) {
      return IngestException.of(Reason.EVENT_TOO_LARGE, "Kafka refused a record as too large: " + cause.getMessage());
    }
    return IngestException.kafkaUnavailable(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
  }
}
