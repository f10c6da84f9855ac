package dev.killswitch.correlator.internal.graph;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A row of the {@code node-revocations} store (key: node reference): the latest result of each revocation action
 * that targeted the node, materialized from killswitch.revocation.results re-keyed by target.
 */
public record NodeRevocations(Map<String, RevocationMark> actions, Instant touchedAt) {

  public NodeRevocations {
    actions = actions == null ? new TreeMap<>() : new TreeMap<>(actions);
  }

  /** With this result recorded (a later result of the same action replaces the earlier one). */
  public NodeRevocations with(RevocationMark mark, Instant now) {
    Map<String, RevocationMark> a = new TreeMap<>(actions);
    a.merge(mark.actionId(), mark, (old, m) -> RevocationMark.LATEST.compare(m, old) >= 0 ? m : old);
    return new NodeRevocations(a, now);
  }

  /** The most recent result over all actions, or null. */
  public RevocationMark latest() {
    return actions.values().stream().max(RevocationMark.LATEST).orElse(null);
  }
}
