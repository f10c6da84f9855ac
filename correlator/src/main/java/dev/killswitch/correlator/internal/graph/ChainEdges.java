package dev.killswitch.correlator.internal.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One chain's edges indexed by node, and its credentials, as {@link ChainState#outbound}, {@link ChainState#inbound}
 * and {@link ChainState#credentials} give them (same contents, same order), computed once: the triggers ask for them
 * per credential, several times per decision, and deciding never changes the edges.
 */
final class ChainEdges {

  private final Map<String, EdgeState> edges;
  private final Map<String, List<EdgeState>> outbound = new HashMap<>();
  private final Map<String, List<EdgeState>> inbound = new HashMap<>();
  private final List<String> credentials;

  ChainEdges(ChainState chain) {
    this.edges = chain.edges();
    for (EdgeState e : edges.values()) {
      outbound.computeIfAbsent(e.from(), k -> new ArrayList<>(2)).add(e);
      inbound.computeIfAbsent(e.to(), k -> new ArrayList<>(2)).add(e);
    }
    TreeSet<String> revocable = new TreeSet<>();
    for (String ref : outbound.keySet()) {
      if (Nodes.isRevocable(Nodes.kindOf(ref))) {
        revocable.add(ref);
      }
    }
    for (String ref : inbound.keySet()) {
      if (Nodes.isRevocable(Nodes.kindOf(ref))) {
        revocable.add(ref);
      }
    }
    this.credentials = List.copyOf(revocable);
  }

  /** True when these are the edges of {@code chain} (its edge map is the one indexed). */
  boolean of(ChainState chain) {
    return chain.edges() == edges;
  }

  List<String> credentials() {
    return credentials;
  }

  List<EdgeState> outbound(String ref) {
    return outbound.getOrDefault(ref, List.of());
  }

  List<EdgeState> inbound(String ref) {
    return inbound.getOrDefault(ref, List.of());
  }

  /** The edges of kind {@code used} leaving {@code ref}. */
  List<EdgeState> used(String ref) {
    List<EdgeState> out = outbound(ref);
    List<EdgeState> used = new ArrayList<>(out.size());
    for (EdgeState e : out) {
      if (e.kind().equals(EdgeKind.USED)) {
        used.add(e);
      }
    }
    return used;
  }

  /** The best confidence of the edges reaching {@code ref}; 1.0 when none does. */
  double inboundConfidence(String ref) {
    List<EdgeState> in = inbound(ref);
    if (in.isEmpty()) {
      return 1.0;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (EdgeState e : in) {
      max = Math.max(max, e.confidence());
    }
    return max;
  }
}
