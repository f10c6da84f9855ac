package dev.killswitch.correlator.internal.graph;

import java.util.List;
import java.util.Objects;

/**
 * A change to one node of the graph, keyed (and partitioned) by the node's reference on the {@code node-updates}
 * repartition topic. Any combination of the parts may be set.
 *
 * @param roots chain roots the node is part of (a run is part of its own chain, a job of its run's)
 * @param outbound an observation of an edge leaving the node
 * @param inbound an observation of an edge reaching the node
 * @param revocation a revocation result about the node
 * @param ci a status of the run this node is (run-level, or one of its jobs), passed on to the run's chain
 */
public record NodeMessage(String node, List<String> roots, EdgeFact outbound, EdgeFact inbound,
                          RevocationMark revocation, CiFact ci) {

  public NodeMessage {
    Objects.requireNonNull(node, "node");
    roots = roots == null ? List.of() : List.copyOf(roots);
  }

  public static NodeMessage member(String node, String root) {
    return new NodeMessage(node, List.of(root), null, null, null, null);
  }

  /** A run, part of its own chain, with a status of the run or of one of its jobs. */
  public static NodeMessage runStatus(CiFact fact) {
    return new NodeMessage(fact.run(), List.of(fact.run()), null, null, null, fact);
  }

  public static NodeMessage outbound(EdgeFact edge) {
    return new NodeMessage(edge.from(), List.of(), edge, null, null, null);
  }

  public static NodeMessage inbound(EdgeFact edge) {
    return new NodeMessage(edge.to(), List.of(), null, edge, null, null);
  }

  public static NodeMessage revocation(RevocationMark mark) {
    return new NodeMessage(mark.target(), List.of(), null, null, mark, null);
  }
}
