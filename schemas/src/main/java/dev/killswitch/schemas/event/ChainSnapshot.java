package dev.killswitch.schemas.event;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
   * @param attributes what the sources said about the node that its reference does not hold, null when nothing:
   *     for an AWS session (whose reference is its access key id, which no IAM condition can name) the
   *     {@value #ROLE_ARN}, {@value #ROLE_ID}, {@value #SESSION_NAME}, {@value #SOURCE_IDENTITY} and
   *     {@value #EXPIRES_AT} of its AssumeRole* record, which the revoker needs to deny that one session
   */
  public record Node(String ref, String kind, Instant firstSeen, Instant lastSeen, String revocation,
                     Map<String, String> attributes) {

    /** Attribute: the ARN of the role an AWS session is of. */
    public static final String ROLE_ARN = "roleArn";
    /** Attribute: the unique id ({@code AROA...}) of that role when the session was minted. */
    public static final String ROLE_ID = "roleId";
    /** Attribute: the session name; {@code <roleId>:<sessionName>} is the session's {@code aws:userid}. */
    public static final String SESSION_NAME = "sessionName";
    /** Attribute: the session's {@code sts:SourceIdentity}. */
    public static final String SOURCE_IDENTITY = "sourceIdentity";
    /** Attribute: when the session's credentials expire (ISO-8601 instant). */
    public static final String EXPIRES_AT = "expiresAt";

    public Node {
      attributes = attributes == null || attributes.isEmpty() ? null
          : Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
    }

    /** A node without attributes. */
    public Node(String ref, String kind, Instant firstSeen, Instant lastSeen, String revocation) {
      this(ref, kind, firstSeen, lastSeen, revocation, null);
    }
  }

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
