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

  /**
   * One chain: nodes with revocation state, edges with evidence, status, the revocation requests it caused and
   * every trigger occurrence (requests and alerts).
   */
  public record ChainView(String chainId, String root, String status, List<ChainSnapshot.Node> nodes,
                          List<EdgeView> edges, List<Requested> revocations, List<Fired> triggers,
                          Instant updatedAt) {}

  /**
   * An edge with everything known about it.
   *
   * @param confidence 1.0 for an exact join; the configured weak confidence (0.7) for a window-plus-subject match
   * @param basis which joins the edge was learned by: {@code exact:<key>} or {@code window:<key>}
   * @param scopes for {@code used}: the clusters, accounts or projects the calls were made in
   * @param lastSucceeded for {@code used}: the latest successful call
   */
  public record EdgeView(String from, String to, String kind, double confidence, List<String> basis,
                         List<String> evidence, Instant firstSeen, Instant lastSeen, long count, List<String> verbs,
                         List<String> resources, List<String> sourceIps, List<String> scopes,
                         Instant lastSucceeded) {

    static EdgeView of(EdgeState e) {
      return new EdgeView(e.from(), e.to(), e.kind(), e.confidence(), e.basis(),
          e.evidence().stream().map(Evidence::id).toList(), e.firstSeen(), e.lastSeen(), e.count(), e.verbs(),
          e.resources(), e.sourceIps(), e.scopes(), e.lastSucceeded());
    }
  }

  /** A revocation request a trigger emitted for a target of the chain, and that target's state now. */
  public record Requested(String target, String requestId, String requestedBy, String revocation) {}

  /** A trigger occurrence: what fired, about what, and the request and alert it emitted. */
  public record Fired(String trigger, String target, String requestId, String alertId, Instant at) {}

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
