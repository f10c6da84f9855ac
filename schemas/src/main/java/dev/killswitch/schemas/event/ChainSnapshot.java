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
   * @param kind the {@link dev.killswitch.schemas.IdentityRef.Kind} name of {@code ref}, e.g. {@code K8S_TOKEN}
   */
  public record Node(String ref, String kind, Instant firstSeen, Instant lastSeen, String revocation) {}

  /**
   * One relation: {@code authenticated-as}, {@code minted}, {@code credential-of}, {@code assumed},
   * {@code impersonated} or {@code used}.
   *
   * @param confidence 1.0 for an exact key join, less for a window-plus-subject match
   * @param evidence the CloudEvent ids the edge was learned from
   */
  public record Edge(String from, String to, String kind, double confidence, List<String> evidence,
                     Instant firstSeen, Instant lastSeen, long count) {}
}
