package dev.killswitch.schemas;

import java.time.Duration;
import java.util.Map;

/**
 * One Kafka topic of the catalogue: its name, partition count, cleanup policy and retention.
 *
 * @param retention how long records are kept; null for compacted topics that keep the latest value forever
 */
public record TopicSpec(String name, int partitions, CleanupPolicy cleanupPolicy, Duration retention) {

  /** Kafka's {@code cleanup.policy}. */
  public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact");

    private final String config;

    CleanupPolicy(String config) {
      this.config = config;
    }

    public String config() {
      return config;
    }
  }

  /** The topic-level configs to create the topic with. */
  public Map<String, String> configs() {
    if (cleanupPolicy == CleanupPolicy.COMPACT) {
      return Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000");
    }
    return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
  }
}
