package dev.killswitch.correlator.internal.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A time index over the rows of other stores, so that finding what is due or expired reads only that, not whole
 * stores. Index keys are {@code <bucket start, 13-digit epoch ms> <tag> <row key>}: their byte order is time
 * order. A row's entry moves only when its time moves to another bucket, so with coarse buckets (a sixteenth of
 * the retention) touching a row rarely writes the index; with 1 ms buckets it is an exact schedule.
 */
final class TimeIndex {

  /** An indexed row: the tag says which store it is in. */
  record Entry(String tag, String key) {}

  private final KeyValueStore<String, Long> index;
  private final long bucketMs;

  TimeIndex(KeyValueStore<String, Long> index, Duration bucket) {
    this.index = index;
    this.bucketMs = Math.max(1, bucket.toMillis());
  }

  /** Buckets for retention: a sixteenth of it, at least a second; rows live up to one bucket longer. */
  static Duration bucketFor(Duration retention) {
    Duration b = retention.dividedBy(16);
    return b.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : b;
  }

  /** The row's time moved from {@code before} (null: a new row) to {@code after} (null: the row is gone). */
  void moved(String tag, String key, Instant before, Instant after) {
    Long from = before == null ? null : bucket(before);
    Long to = after == null ? null : bucket(after);
    if (from != null && from.equals(to)) {
      return;
    }
    if (from != null) {
      index.delete(key(from, tag, key));
    }
    if (to != null) {
      index.put(key(to, tag, key), after.toEpochMilli());
    }
  }

  /** True when a row at {@code before} and one at {@code after} have the same entry. */
  boolean sameBucket(Instant before, Instant after) {
    return before != null && after != null && bucket(before) == bucket(after);
  }

  /** Removes and returns the entries of every bucket that ended at or before {@code cutoff}. */
  List<Entry> takeUntil(Instant cutoff) {
    long end = Math.floorDiv(cutoff.toEpochMilli(), bucketMs) * bucketMs; // buckets starting before this ended
    List<String> keys = new ArrayList<>();
    List<Entry> out = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = index.range(pad(0), pad(end))) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (kv.key.compareTo(pad(end)) >= 0) {
          break;
        }
        keys.add(kv.key);
        int a = kv.key.indexOf(' ');
        int b = kv.key.indexOf(' ', a + 1);
        out.add(new Entry(kv.key.substring(a + 1, b), kv.key.substring(b + 1)));
      }
    }
    keys.forEach(index::delete);
    return out;
  }

  private long bucket(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), bucketMs) * bucketMs;
  }

  private static String key(long bucket, String tag, String key) {
    return pad(bucket) + " " + tag + " " + key;
  }

  private static String pad(long ms) {
    return StoreKeys.pad13(ms);
  }
}
