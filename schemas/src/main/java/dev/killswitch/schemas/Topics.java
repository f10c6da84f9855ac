package dev.killswitch.schemas;

import dev.killswitch.schemas.TopicSpec.CleanupPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The topic catalogue: the one place Killswitch's topics are defined (DESIGN.md "Kafka topics").
 *
 * <p>Every topic name is {@code <prefix>.<suffix>}; the prefix is {@code killswitch} in every deployment and
 * something unique in tests, which is how tests sharing one broker stay apart.
 */
public record Topics(String prefix) {

  public static final String DEFAULT_PREFIX = "killswitch";
  private static final int EVENT_PARTITIONS = 6;
  private static final Duration WEEK = Duration.ofDays(7);
  private static final Duration MONTH = Duration.ofDays(30);

  public Topics {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isBlank() || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("topic prefix must be letters, digits, '.', '_' or '-': " + prefix);
    }
  }

  /** The names every deployment uses. */
  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX);
  }

  public String k8sEvents() {
    return prefix + ".events.k8s";
  }

  public String ciEvents() {
    return prefix + ".events.ci";
  }

  public String cloudEvents() {
    return prefix + ".events.cloud";
  }

  public String revocationRequests() {
    return prefix + ".revocation.requests";
  }

  public String revocationActions() {
    return prefix + ".revocation.actions";
  }

  public String revocationResults() {
    return prefix + ".revocation.results";
  }

  /** Compacted: the JTIs the authorization webhook denies (key: token reference; tombstone lifts it). */
  public String denylist() {
    return prefix + ".denylist";
  }

  public String chains() {
    return prefix + ".chains";
  }

  public String alerts() {
    return prefix + ".alerts";
  }

  public String deadletter() {
    return prefix + ".deadletter";
  }

  /** The topic CloudEvents of {@code type} are published on. */
  public String of(EventType type) {
    return switch (type) {
      case K8S_AUDIT -> k8sEvents();
      case CI_RUN, CI_JOB -> ciEvents();
      case AWS_CLOUDTRAIL, GCP_AUDIT -> cloudEvents();
      case REVOCATION_REQUESTED -> revocationRequests();
      case REVOCATION_ACTION -> revocationActions();
      case REVOCATION_RESULT -> revocationResults();
      case CHAIN -> chains();
      case ALERT -> alerts();
    };
  }

  /** Every topic with its settings, in the order they are created. */
  public List<TopicSpec> all() {
    return List.of(
        new TopicSpec(k8sEvents(), EVENT_PARTITIONS, CleanupPolicy.DELETE, WEEK),
        new TopicSpec(ciEvents(), EVENT_PARTITIONS, CleanupPolicy.DELETE, WEEK),
        new TopicSpec(cloudEvents(), EVENT_PARTITIONS, CleanupPolicy.DELETE, WEEK),
        new TopicSpec(revocationRequests(), EVENT_PARTITIONS, CleanupPolicy.DELETE, MONTH),
        new TopicSpec(revocationActions(), EVENT_PARTITIONS, CleanupPolicy.DELETE, MONTH),
        new TopicSpec(revocationResults(), EVENT_PARTITIONS, CleanupPolicy.COMPACT, null),
        new TopicSpec(denylist(), 1, CleanupPolicy.COMPACT, null),
        new TopicSpec(chains(), EVENT_PARTITIONS, CleanupPolicy.COMPACT, null),
        new TopicSpec(alerts(), EVENT_PARTITIONS, CleanupPolicy.DELETE, MONTH),
        new TopicSpec(deadletter(), 1, CleanupPolicy.DELETE, MONTH));
  }
}
