package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets asked through the (thread-safe) admin client, so that any thread may ask: the last stable offsets of
 * partitions (a view caught up to these has read everything committed before the question), and a consumer
 * group's committed offsets.
 */
public final class Offsets {

  private final Admin admin;
  private final Duration timeout;

  public Offsets(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  public Map<TopicPartition, Long> end(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    try {
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> end.put(tp, info.offset()));
      return end;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RevokerException.interrupted("reading end offsets", e);
    } catch (ExecutionException e) {
      throw RevokerException.kafkaUnavailable("end offsets of " + partitions, e.getCause());
    } catch (TimeoutException e) {
      throw RevokerException.kafkaUnavailable("end offsets of " + partitions, null);
    }
  }

  /** The group's committed offset on the partition (the next record it will read), or -1 when it has none. */
  public long committed(String groupId, TopicPartition partition) {
    try {
      OffsetAndMetadata committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(partition);
      return committed == null ? -1 : committed.offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RevokerException.interrupted("reading committed offsets of " + groupId, e);
    } catch (ExecutionException e) {
      throw RevokerException.kafkaUnavailable("committed offsets of " + groupId, e.getCause());
    } catch (TimeoutException e) {
      throw RevokerException.kafkaUnavailable("committed offsets of " + groupId, null);
    }
  }
}
