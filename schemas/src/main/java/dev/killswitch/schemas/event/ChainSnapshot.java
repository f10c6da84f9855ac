package dev.killswitch.schemas.event;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@code dev.killswitch.chain.v1}: everything reachable downstream from one root identity.
 *
 * @param chainId stable id derived from the root reference
 * @param status {@code active}, {@code completed} (the root run ended) or {@code revoked}
 */
public record ChainSnapshot(
    String chainId,
    String root,
    String status,
    List<Node> nodes,
    List<Edge> edges,
    Instant updatedAt) {

  /**
   * One identity in the chain, with its revocation state ({@code none}, {@code requested}, or an outcome).
   *
   * @param kind {@link dev.killswitch.schemas.IdentityRef.Kind#wireName()} of {@code ref}, e.g. {@code k8s-token}
   */
  public record Node(String ref, String kind, Instant firstSeen, Instant lastSeen, String revocation) {}

  /**
   * One relation: {@code authenticated-as}, {@code minted}, {@code credential-of}, {@code assumed},
   * {@code impersonated} or {@code used}.
   *
   * @param confidence 1.0 for an exact key join, less for a window-plus-subject match
   * @param evidence the CloudEvent ids the edge was learned from
   * @param verbs for {@code used}: the distinct verbs; null otherwise (likewise resources and source IPs)
   */
  public record Edge(String from, String to, String kind, double confidence, List<String> evidence,
                     Instant firstSeen, Instant lastSeen, long count, List<String> verbs, List<String> resources,
                     List<String> sourceIps) {

    /** An edge without usage detail (every kind but {@code used}). */
    public Edge(String from, String to, String kind, double confidence, List<String> evidence,
                Instant firstSeen, Instant lastSeen, long count) {
      this(from, to, kind, confidence, evidence, firstSeen, lastSeen, count, null, null, null);
    }
  }
}
