package dev.killswitch.ingest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids published recently by this process, bounded (least recently seen dropped first). A first line of
 * deduplication for webhook redeliveries; the deterministic CloudEvent id is the one that holds across
 * processes and restarts.
 */
public final class RecentIds {

  private final Map<String, Boolean> ids;

  public RecentIds(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.ids = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** True when the id was {@link #remember remembered} and not yet evicted. */
  public synchronized boolean contains(String id) {
    return ids.get(id) != null;
  }

  /** Remember an id once its events are acknowledged by Kafka (never before: a failed publish must be retried). */
  public synchronized void remember(String id) {
    ids.put(id, Boolean.TRUE);
  }

  public synchronized int size() {
    return ids.size();
  }
}
