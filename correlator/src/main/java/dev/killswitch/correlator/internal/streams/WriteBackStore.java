package dev.killswitch.correlator.internal.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store that keeps the rows written since the last commit as objects and writes (serializes) each of
 * them once, when Kafka Streams flushes the caches before it commits: a chain changed by every event of its run is
 * encoded once per commit instead of once per change. Under exactly-once nothing is lost by waiting: what was not
 * written when a transaction aborts was not committed either, and the task restarts from the changelog.
 *
 * <p>The hook is Kafka Streams' {@code CachedStateStore.flushCache}, which the task calls on its outermost stores
 * before every commit (an internal interface of Kafka Streams, checked against the version in the parent pom).
 * Reads see the pending rows. Scans on the stream thread write the pending rows they cover first (they are served
 * by the store below); scans from other threads (interactive queries) see the rows as of the last commit.
 */
final class WriteBackStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

  private final KeyValueStore<String, V> inner;
  private final NavigableMap<String, Optional<V>> pending = new ConcurrentSkipListMap<>();
  /** The thread that writes (the task's); only it moves pending rows down. */
  private volatile Thread writer;

  WriteBackStore(KeyValueStore<String, V> inner) {
    this.inner = inner;
  }

  /** Wraps what {@code builder} builds, keeping its settings (caching, logging). */
  static <V> StoreBuilder<KeyValueStore<String, V>> builder(StoreBuilder<KeyValueStore<String, V>> builder) {
    return new Builder<>(builder);
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    pending.clear();
    inner.init(context, root);
  }

  @Override
  public V get(String key) {
    Optional<V> p = pending.get(key);
    return p != null ? p.orElse(null) : inner.get(key);
  }

  @Override
  public void put(String key, V value) {
    writer = Thread.currentThread();
    pending.put(key, Optional.ofNullable(value));
  }

  @Override
  public V putIfAbsent(String key, V value) {
    V have = get(key);
    if (have == null) {
      put(key, value);
    }
    return have;
  }

  @Override
  public void putAll(List<KeyValue<String, V>> entries) {
    entries.forEach(kv -> put(kv.key, kv.value));
  }

  @Override
  public V delete(String key) {
    V have = get(key);
    writer = Thread.currentThread();
    pending.put(key, Optional.empty());
    return have;
  }

  @Override
  public KeyValueIterator<String, V> range(String from, String to) {
    writePending();
    return inner.range(from, to);
  }

  @Override
  public KeyValueIterator<String, V> reverseRange(String from, String to) {
    writePending();
    return inner.reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<String, V> all() {
    writePending();
    return inner.all();
  }

  @Override
  public KeyValueIterator<String, V> reverseAll() {
    writePending();
    return inner.reverseAll();
  }

  @Override
  public <S extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, S prefixKeySerializer) {
    // Only the pending rows the scan can see: a node's edges are scanned when it joins a chain, which must not
    // write every other pending row of the commit.
    writePending(prefix instanceof String p ? pending.subMap(p, true, p + Character.MAX_VALUE, false) : pending);
    return inner.prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return inner.approximateNumEntries() + pending.size();
  }

  private void writePending() {
    writePending(pending);
  }

  private void writePending(NavigableMap<String, Optional<V>> rows) {
    if (Thread.currentThread() == writer) {
      write(rows);
    }
  }

  /**
   * Writes these pending rows to the store below. Scans do so only on the thread that wrote them: a scan from
   * another thread (an interactive query) must not write into the task's store and record cache. Flushing before a
   * commit always does (Kafka Streams calls it on the task's thread).
   */
  private void write(NavigableMap<String, Optional<V>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(rows.keySet());
    for (String key : keys) {
      Optional<V> value = pending.get(key);
      if (value.isPresent()) {
        inner.put(key, value.get());
      } else {
        inner.delete(key);
      }
      pending.remove(key); // after the write: a concurrent reader sees the row in one place or the other
    }
  }

  @Override
  public void flushCache() {
    write(pending);
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.flushCache();
    }
  }

  @Override
  public void clearCache() {
    pending.clear();
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.clearCache();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
    return inner instanceof CachedStateStore<?, ?> cached
        && ((CachedStateStore<String, V>) cached).setFlushListener(listener, sendOldValues);
  }

  @Override
  public void commit(Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
    inner.commit(changelogOffsets);
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void close() {
    pending.clear();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    return inner.query(query, positionBound, config);
  }

  @Override
  public org.apache.kafka.streams.query.Position getPosition() {
    return inner.getPosition();
  }

  private record Builder<V>(StoreBuilder<KeyValueStore<String, V>> delegate)
      implements StoreBuilder<KeyValueStore<String, V>> {

    @Override
    public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
      delegate.withCachingEnabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
      delegate.withCachingDisabled();
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
      delegate.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
      delegate.withLoggingDisabled();
      return this;
    }

    @Override
    public KeyValueStore<String, V> build() {
      return new WriteBackStore<>(delegate.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return delegate.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return delegate.loggingEnabled();
    }

    @Override
    public String name() {
      return delegate.name();
    }
  }
}
