package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * A change to one node of the graph, keyed (and partitioned) by the node's reference on the {@code node-updates}
 * repartition topic, which the graph step also feeds back into (the loop). Any combination of the parts may be set.
 *
 * @param roots chain roots the node is part of (a run is part of its own chain, a job of its run's, a credential
 *     of the chains of the credential it was derived from)
 * @param outbound an observation of an edge leaving the node
 * @param inbound an observation of an edge reaching the node
 * @param revocation a revocation result about the node
 * @param ci a status of the run this node is (run-level, or one of its jobs), passed on to the run's chain
 * @param attribute an observation this node is the join key of: kept here until what it joins with is known
 *     (see {@link Joins}), then sent on attributed, derived or released
 * @param candidate a CI run that may have acted as this node (an OIDC subject) at a time
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NodeMessage(String node, List<String> roots, EdgeFact outbound, EdgeFact inbound,
                          RevocationMark revocation, CiFact ci, EdgeFact attribute, CandidateFact candidate) {

  public NodeMessage {
    Objects.requireNonNull(node, "node");
    roots = roots == null ? List.of() : List.copyOf(roots);
  }

  public static NodeMessage member(String node, String root) {
    return new NodeMessage(node, List.of(root), null, null, null, null, null, null);
  }

  /** A run, part of its own chain, with a status of the run or of one of its jobs. */
  public static NodeMessage runStatus(CiFact fact) {
    return new NodeMessage(fact.run(), List.of(fact.run()), null, null, null, fact, null, null);
  }

  public static NodeMessage outbound(EdgeFact edge) {
    return new NodeMessage(edge.from(), List.of(), edge, null, null, null, null, null);
  }

  public static NodeMessage inbound(EdgeFact edge) {
    return new NodeMessage(edge.to(), List.of(), null, edge, null, null, null, null);
  }

  public static NodeMessage revocation(RevocationMark mark) {
    return new NodeMessage(mark.target(), List.of(), null, null, mark, null, null, null);
  }

  /** An observation for {@code keyNode} to join (see {@link Joins}). */
  public static NodeMessage attribute(String keyNode, EdgeFact edge) {
    return new NodeMessage(keyNode, List.of(), null, null, null, null, edge, null);
  }

  public static NodeMessage candidate(String keyNode, CandidateFact candidate) {
    return new NodeMessage(keyNode, List.of(), null, null, null, null, null, candidate);
  }

  /** Both ends of the edge, each told its side. */
  public static List<NodeMessage> bothEnds(EdgeFact edge) {
    return List.of(outbound(edge), inbound(edge));
  }
}
