package dev.killswitch.correlator.internal.streams;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The deserialized values of a store's most recently used rows, in front of the store: reading a row again (a
 * chain changed by every event of its run, an edge used again) skips the JSON decoding. Writes go through to the
 * store (and its record cache and changelog) at once, so the store is always the truth; scans read the store.
 * Values are immutable records. A processor creates its cache in {@code init}, so a task that is closed, restored
 * or revived starts with an empty one.
 */
final class ObjectCache<V> {

  private final KeyValueStore<String, V> store;
  private final Map<String, Optional<V>> recent;

  ObjectCache(KeyValueStore<String, V> store, int capacity) {
    this.store = store;
    this.recent = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Optional<V>> eldest) {
        return size() > capacity;
      }
    };
  }

  V get(String key) {
    Optional<V> hit = recent.get(key);
    if (hit != null) {
      return hit.orElse(null);
    }
    V value = store.get(key);
    recent.put(key, Optional.ofNullable(value));
    return value;
  }

  void put(String key, V value) {
    store.put(key, value);
    recent.put(key, Optional.ofNullable(value));
  }

  void delete(String key) {
    store.delete(key);
    recent.put(key, Optional.empty());
  }

  /** The store itself, for scans. */
  KeyValueStore<String, V> store() {
    return store;
  }
}
