package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An edge aggregated over every observation of it. Merging is commutative and idempotent per event id (as long as
 * the event is still among the kept evidence), so the same observations in any order give the same state: times
 * are min/max, sets are unions kept sorted and capped at their smallest members, evidence is the earliest events,
 * the confidence is the best of any observation.
 *
 * @param roots the chain roots observations named for this edge (see {@link EdgeFact#root()})
 * @param evidence the earliest {@value #MAX_EVIDENCE} events, by time then id
 * @param count how many observations counted as a use (see {@link EdgeFact#count()})
 * @param scopes for {@code used}: the clusters, accounts or projects the calls were made in
 * @param lastSucceeded for {@code used}: when the latest successful call happened, null when none succeeded
 * @param basis how the edge was learned: the distinct join bases of its observations ({@code exact:...},
 *     {@code window:...})
 * @param latest the latest observation (by time, then id): the evidence of what happened last
 * @param fromAttributes what the observations said about {@code from} (see {@link EdgeFact#fromAttributes()}); a
 *     name two observations give different values keeps the smaller value, so that any order gives the same state
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record EdgeState(String from, String to, String kind, double confidence, List<String> roots,
                        List<Evidence> evidence, Instant firstSeen, Instant lastSeen, long count,
                        List<String> verbs, List<String> resources, List<String> sourceIps,
                        List<String> scopes, Instant lastSucceeded, List<String> basis, Evidence latest,
                        Map<String, String> fromAttributes) {

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
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
    basis = basis == null ? List.of() : List.copyOf(basis);
    fromAttributes = fromAttributes == null || fromAttributes.isEmpty() ? Map.of()
        : Collections.unmodifiableSortedMap(new TreeMap<>(fromAttributes));
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
    return empty(fact).merge(fact);
  }

  /** An aggregate of no observation yet; only attributions merged into it keep it from being one. */
  public static EdgeState empty(EdgeFact fact) {
    return new EdgeState(fact.from(), fact.to(), fact.kind(), 0.0, List.of(), List.of(), fact.at(), fact.at(), 0,
        List.of(), List.of(), List.of(), List.of(), null, List.of(), null, Map.of());
  }

  /**
   * This state with one more observation; the same state when the observation is already part of it. An
   * {@linkplain EdgeFact#attributedOnly() attribution} adds its root only.
   */
  public EdgeState merge(EdgeFact fact) {
    if (!fact.key().equals(key())) {
      throw new IllegalArgumentException("edge " + fact.key() + " merged into " + key());
    }
    Evidence seen = new Evidence(fact.eventId(), fact.at());
    if (fact.attributedOnly() || evidence.contains(seen)) {
      List<String> r = union(roots, fact.root());
      return r == roots ? this : new EdgeState(from, to, kind, confidence, r, evidence, firstSeen, lastSeen, count,
          verbs, resources, sourceIps, scopes, lastSucceeded, basis, latest, fromAttributes);
    }
    TreeSet<Evidence> ev = new TreeSet<>(Evidence.ORDER);
    ev.addAll(evidence);
    ev.add(seen);
    while (ev.size() > MAX_EVIDENCE) {
      ev.pollLast();
    }
    boolean first = evidence.isEmpty();
    Instant succeeded = Boolean.TRUE.equals(fact.succeeded()) ? max(lastSucceeded, fact.at()) : lastSucceeded;
    return new EdgeState(from, to, kind, Math.max(confidence, fact.confidence()),
        union(roots, fact.root()), new ArrayList<>(ev),
        first ? fact.at() : min(firstSeen, fact.at()), first ? fact.at() : max(lastSeen, fact.at()),
        count + fact.count(), union(verbs, fact.verb()), union(resources, fact.resource()),
        union(sourceIps, fact.sourceIps()), union(scopes, fact.scope()), succeeded, union(basis, fact.basis()),
        latest == null || Evidence.ORDER.compare(seen, latest) > 0 ? seen : latest,
        mergeAttributes(fromAttributes, fact.fromAttributes()));
  }

  /** Both sets of attributes; a name with two values keeps the smaller (commutative, idempotent). */
  public static Map<String, String> mergeAttributes(Map<String, String> have, Map<String, String> more) {
    if (more.isEmpty() || have.entrySet().containsAll(more.entrySet())) {
      return have;
    }
    TreeMap<String, String> all = new TreeMap<>(have);
    more.forEach((k, v) -> all.merge(k, v, (a, b) -> a.compareTo(b) <= 0 ? a : b));
    return all;
  }

  /** True until an observation (not only an attribution) was merged. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isEmpty() {
    return evidence.isEmpty();
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
    return a == null ? b : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : a.isAfter(b) ? a : b;
  }
}
