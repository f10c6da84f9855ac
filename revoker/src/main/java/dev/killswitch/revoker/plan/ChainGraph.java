package dev.killswitch.revoker.plan;

import dev.killswitch.schemas.event.ChainSnapshot;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of the access graph the planner may expand a target through: the edges of one or more chain
 * snapshots, and what the snapshots say about their nodes ({@link ChainSnapshot.Node#attributes()}, e.g. an AWS
 * session's name and role id). Immutable; the same edges and nodes in any order make an equal graph, which is what
 * keeps the planner deterministic.
 */
public final class ChainGraph {

  /** One relation of the access graph, {@code from -kind-> to} (DESIGN.md "The access graph and chains"). */
  public record Edge(String from, String to, String kind) implements Comparable<Edge> {
    private static final Comparator<Edge> ORDER =
        Comparator.comparing(Edge::from).thenComparing(Edge::to).thenComparing(Edge::kind);

    public Edge {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public int compareTo(Edge o) {
      return ORDER.compare(this, o);
    }
  }

  private static final ChainGraph EMPTY = new ChainGraph(List.of(), Map.of());

  private final NavigableSet<Edge> edges;
  private final Map<String, NavigableSet<Edge>> out = new TreeMap<>();
  private final Map<String, NavigableSet<Edge>> in = new TreeMap<>();
  private final Map<String, Map<String, String>> attributes;

  private ChainGraph(Collection<Edge> edges, Map<String, Map<String, String>> attributes) {
    this.edges = new TreeSet<>(edges);
    this.attributes = new TreeMap<>();
    attributes.forEach((ref, a) -> {
      if (a != null && !a.isEmpty()) {
        this.attributes.put(ref, Collections.unmodifiableSortedMap(new TreeMap<>(a)));
      }
    });
    for (Edge e : this.edges) {
      out.computeIfAbsent(e.from(), k -> new TreeSet<>()).add(e);
      in.computeIfAbsent(e.to(), k -> new TreeSet<>()).add(e);
    }
  }

  public static ChainGraph empty() {
    return EMPTY;
  }

  public static ChainGraph of(Collection<Edge> edges) {
    return new ChainGraph(edges, Map.of());
  }

  /** These edges, and these attributes of nodes (by reference). */
  public static ChainGraph of(Collection<Edge> edges, Map<String, Map<String, String>> attributes) {
    return new ChainGraph(edges, attributes);
  }

  /**
   * The union of the snapshots' edges (edges without both ends are left out) and of their nodes' attributes; when
   * two snapshots give a node's attribute different values, the smaller is kept, whatever their order.
   */
  public static ChainGraph ofSnapshots(Collection<ChainSnapshot> snapshots) {
    List<Edge> all = snapshots.stream()
        .filter(s -> s.edges() != null)
        .flatMap(s -> s.edges().stream())
        .filter(e -> e != null && e.from() != null && e.to() != null)
        .map(e -> new Edge(e.from(), e.to(), e.kind() == null ? "" : e.kind()))
        .toList();
    Map<String, Map<String, String>> attributes = new TreeMap<>();
    snapshots.stream().filter(s -> s.nodes() != null).flatMap(s -> s.nodes().stream())
        .filter(n -> n != null && n.ref() != null && n.attributes() != null)
        .forEach(n -> n.attributes().forEach((k, v) -> attributes.computeIfAbsent(n.ref(), r -> new TreeMap<>())
            .merge(k, v, (a, b) -> a.compareTo(b) <= 0 ? a : b)));
    return new ChainGraph(all, attributes);
  }

  /** What the snapshots say about the node beyond its reference; empty when nothing. */
  public Map<String, String> attributes(String ref) {
    return attributes.getOrDefault(ref, Map.of());
  }

  /** Edges leaving the node, ordered by target then kind. */
  public NavigableSet<Edge> outgoing(String ref) {
    return out.getOrDefault(ref, java.util.Collections.emptyNavigableSet());
  }

  /** Edges arriving at the node, ordered by source then kind. */
  public NavigableSet<Edge> incoming(String ref) {
    return in.getOrDefault(ref, java.util.Collections.emptyNavigableSet());
  }

  public Set<Edge> edges() {
    return java.util.Collections.unmodifiableNavigableSet(edges);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainGraph g && g.edges.equals(edges) && g.attributes.equals(attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(edges, attributes);
  }

  @Override
  public String toString() {
    return "ChainGraph" + edges + (attributes.isEmpty() ? "" : " " + attributes);
  }
}
