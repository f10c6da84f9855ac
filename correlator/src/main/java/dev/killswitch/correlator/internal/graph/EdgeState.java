package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * An edge aggregated over every observation of it. Merging is commutative and idempotent per event id (as long as
 * the event is still among the kept evidence), so the same observations in any order give the same state: times
 * are min/max, sets are unions kept sorted and capped at their smallest members, evidence is the earliest events.
 *
 * @param roots the chain roots observations named for this edge (see {@link EdgeFact#root()})
 * @param evidence the earliest {@value #MAX_EVIDENCE} events, by time then id
 * @param count how many observations counted as a use (see {@link EdgeFact#count()})
 */
public record EdgeState(String from, String to, String kind, double confidence, List<String> roots,
                        List<Evidence> evidence, Instant firstSeen, Instant lastSeen, long count,
                        List<String> verbs, List<String> resources, List<String> sourceIps) {

  public static final int MAX_EVIDENCE = 20;
  public static final int MAX_DISTINCT = 32;

  public EdgeState {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(kind, "kind");
    roots = roots == null ? List.of() : List.copyOf(roots);
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
    verbs = verbs == null ? List.of() : List.copyOf(verbs);
    resources = resources == null ? List.of() : List.copyOf(resources);
    sourceIps = sourceIps == null ? List.of() : List.copyOf(sourceIps);
  }

  /** {@code <from> <kind> <to>}: identity references hold no white space, so the key is unambiguous. */
  public static String key(String from, String kind, String to) {
    return from + " " + kind + " " + to;
  }

  public String key() {
    return key(from, kind, to);
  }

  /** The state after one observation. */
  public static EdgeState of(EdgeFact fact) {
    return new EdgeState(fact.from(), fact.to(), fact.kind(), fact.confidence(), List.of(), List.of(),
        fact.at(), fact.at(), 0, List.of(), List.of(), List.of()).merge(fact);
  }

  /** This state with one more observation; the same state when the observation is already part of it. */
  public EdgeState merge(EdgeFact fact) {
    if (!fact.key().equals(key())) {
      throw new IllegalArgumentException("edge " + fact.key() + " merged into " + key());
    }
    Evidence seen = new Evidence(fact.eventId(), fact.at());
    if (evidence.contains(seen)) {
      return this;
    }
    TreeSet<Evidence> ev = new TreeSet<>(Evidence.ORDER);
    ev.addAll(evidence);
    ev.add(seen);
    while (ev.size() > MAX_EVIDENCE) {
      ev.pollLast();
    }
    return new EdgeState(from, to, kind, Math.max(confidence, fact.confidence()),
        union(roots, fact.root()), new ArrayList<>(ev),
        min(firstSeen, fact.at()), max(lastSeen, fact.at()), count + fact.count(),
        union(verbs, fact.verb()), union(resources, fact.resource()), union(sourceIps, fact.sourceIps()));
  }

  /** As it appears in chain snapshots. */
  public ChainSnapshot.Edge toSnapshotEdge() {
    return new ChainSnapshot.Edge(from, to, kind, confidence, evidence.stream().map(Evidence::id).toList(),
        firstSeen, lastSeen, count, emptyToNull(verbs), emptyToNull(resources), emptyToNull(sourceIps));
  }

  private static List<String> emptyToNull(List<String> values) {
    return values.isEmpty() ? null : values;
  }

  private static List<String> union(List<String> have, String value) {
    return value == null ? have : union(have, List.of(value));
  }

  private static List<String> union(List<String> have, Collection<String> values) {
    if (values.isEmpty() || have.containsAll(values)) {
      return have;
    }
    TreeSet<String> all = new TreeSet<>(have);
    all.addAll(values);
    while (all.size() > MAX_DISTINCT) {
      all.pollLast();
    }
    return new ArrayList<>(all);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
