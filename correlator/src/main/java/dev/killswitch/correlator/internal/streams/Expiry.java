package dev.killswitch.correlator.internal.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Retention of key-value stores: a periodic sweep that deletes expired rows. */
final class Expiry {

  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofHours(1);

  private Expiry() {}

  /** How often to sweep: a tenth of the retention, between a second and an hour. */
  static Duration interval(Duration retention) {
    Duration tenth = retention.dividedBy(10);
    return tenth.compareTo(MIN) < 0 ? MIN : tenth.compareTo(MAX) > 0 ? MAX : tenth;
  }

  /** Deletes every row whose value matches; returns the keys deleted. */
  static <V> List<String> sweepKeys(KeyValueStore<String, V> store, Predicate<V> expired) {
    List<String> doomed = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, V> kv = it.next();
        if (kv.value != null && expired.test(kv.value)) {
          doomed.add(kv.key);
        }
      }
    }
    doomed.forEach(store::delete);
    return doomed;
  }

  static <V> long sweep(KeyValueStore<String, V> store, Predicate<V> expired) {
    return sweepKeys(store, expired).size();
  }
}
