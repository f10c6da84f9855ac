package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
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
 * @param more messages to the same node that came after this one, handled in order after it: intake sends a
 *     node's messages of one commit as one record (absent in the records of earlier versions, and of the loop)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NodeMessage(String node, List<String> roots, EdgeFact outbound, EdgeFact inbound,
                          RevocationMark revocation, CiFact ci, EdgeFact attribute, CandidateFact candidate,
                          List<NodeMessage> more) {

  public NodeMessage {
    Objects.requireNonNull(node, "node");
    roots = roots == null ? List.of() : List.copyOf(roots);
    more = more == null ? List.of() : List.copyOf(more);
  }

  /** One message (nothing after it). */
  public NodeMessage(String node, List<String> roots, EdgeFact outbound, EdgeFact inbound,
                     RevocationMark revocation, CiFact ci, EdgeFact attribute, CandidateFact candidate) {
    this(node, roots, outbound, inbound, revocation, ci, attribute, candidate, List.of());
  }

  /** {@code messages} (at least one, all to the same node), as one message: the first, and the rest after it. */
  public static NodeMessage inOrder(List<NodeMessage> messages) {
    NodeMessage first = messages.get(0);
    if (messages.size() == 1) {
      return first;
    }
    for (NodeMessage m : messages) {
      if (!m.node().equals(first.node()) || !m.more().isEmpty()) {
        throw new IllegalArgumentException("messages to one node, each on its own, expected");
      }
    }
    return new NodeMessage(first.node(), first.roots(), first.outbound(), first.inbound(), first.revocation(),
        first.ci(), first.attribute(), first.candidate(), messages.subList(1, messages.size()));
  }

  /** This message and those after it, each on its own, in order. */
  public List<NodeMessage> each() {
    if (more.isEmpty()) {
      return List.of(this);
    }
    List<NodeMessage> all = new ArrayList<>(more.size() + 1);
    all.add(new NodeMessage(node, roots, outbound, inbound, revocation, ci, attribute, candidate));
    all.addAll(more);
    return all;
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
