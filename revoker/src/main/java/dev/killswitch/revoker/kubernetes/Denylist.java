package dev.killswitch.revoker.kubernetes;

import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The denied bound service-account tokens: the compacted {@code killswitch.denylist} topic read from the beginning
 * into a concurrent map, so that every instance's authorization webhook answers alike and without I/O.
 */
public final class Denylist {

  private final ConcurrentHashMap<String, DenylistEntry> byTokenRef = new ConcurrentHashMap<>();

  /** Applies one record of the denylist topic; a tombstone removes the token. */
  public void apply(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      throw new IllegalArgumentException("denylist record without key");
    }
    if (record.value() == null) {
      byTokenRef.remove(record.key());
      return;
    }
    try {
      byTokenRef.put(record.key(), Json.mapper().readValue(record.value(), DenylistEntry.class));
    } catch (IOException e) {
      throw new UncheckedIOException("denylist value of " + record.key() + " is not a DenylistEntry", e);
    }
  }

  /** The entry of the token reference ({@code k8s:<cluster>:token/<jti>}), if it is on the list. */
  public Optional<DenylistEntry> find(String tokenRef) {
    return Optional.ofNullable(byTokenRef.get(tokenRef));
  }

  public int size() {
    return byTokenRef.size();
  }
}
