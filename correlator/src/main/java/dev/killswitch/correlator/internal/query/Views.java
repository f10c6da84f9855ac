package dev.killswitch.correlator.internal.query;

import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.Evidence;
import dev.killswitch.correlator.internal.graph.RevocationMark;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.List;

/**
 * The JSON answers of the query API. A chain answer is a chain snapshot (same field names, so a ChainSnapshot
 * reader accepts it) plus, per edge, the usage detail (verbs, resources, source IPs) and the requests fired.
 */
public final class Views {

  private Views() {}

  /** One chain: nodes with revocation state, edges with evidence, status, and the revocation requests it caused. */
  public record ChainView(String chainId, String root, String status, List<ChainSnapshot.Node> nodes,
                          List<EdgeView> edges, List<Requested> revocations, Instant updatedAt) {}

  /** An edge with everything known about it. */
  public record EdgeView(String from, String to, String kind, double confidence, List<String> evidence,
                         Instant firstSeen, Instant lastSeen, long count, List<String> verbs,
                         List<String> resources, List<String> sourceIps) {

    static EdgeView of(EdgeState e) {
      return new EdgeView(e.from(), e.to(), e.kind(), e.confidence(), e.evidence().stream().map(Evidence::id).toList(),
          e.firstSeen(), e.lastSeen(), e.count(), e.verbs(), e.resources(), e.sourceIps());
    }
  }

  /** A revocation request a trigger emitted for a target of the chain, and that target's state now. */
  public record Requested(String target, String requestId, String requestedBy, String revocation) {}

  /** A chain a node is part of. */
  public record ChainRef(String chainId, String root) {}

  /**
   * One node: what it is, the chains it is in, what reached it (inbound: what minted it), what it reached
   * (outbound), and its revocation state (the latest result's outcome, or {@code none}).
   */
  public record IdentityView(String ref, String kind, Instant firstSeen, Instant lastSeen, List<ChainRef> chains,
                             List<EdgeView> inbound, List<EdgeView> outbound, String revocation,
                             List<RevocationMark> revocations) {}

  /** {@code {"chains":[...]}}. */
  public record ChainList(List<Object> chains) {}

  /** {@code {"error":"<code>","message":"<text>"}}. */
  public record Error(String error, String message) {}
}
