package dev.killswitch.correlator.internal.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One chain's edges indexed by the node they leave and the node they reach (in the chain's edge order), and its
 * {@linkplain ChainState#credentials credentials}, computed once: the triggers ask for them per credential, several
 * times per decision, and deciding never changes the edges.
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
    this.credentials = List.copyOf(chain.credentials());
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
