package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One observation of an edge, learned from one event (or derived from one event by a join).
 *
 * @param root the chain root the observation is attributed to (a CI run carried in user.extra, a root identity, or
 *     a run a join matched), or null when nothing says; an edge with a root belongs to that chain whatever else its
 *     endpoints are part of
 * @param confidence 1.0 for an exact key join, {@code weakConfidence} (configurable, 0.7 by default) for a
 *     window-plus-subject match; for an attributed observation it is the confidence of the attribution
 * @param eventId the CloudEvent id, kept as evidence
 * @param at when it happened at the source
 * @param count 1 when the event counts as one use, 0 when it only adds detail (e.g. an audit ResponseStarted
 *     stage whose ResponseComplete will count)
 * @param verb for {@code used}: the API verb (Kubernetes verb, CloudTrail eventName, GCP methodName), else null
 * @param resource for {@code used}: what was acted on, else null
 * @param sourceIps where the call came from
 * @param succeeded whether the call succeeded (null: not a call, or not known)
 * @param scope for {@code used}: the cluster, AWS account or GCP project the call was made in
 * @param basis how the edge was learned: {@code exact:<key>} or {@code window:<key>} (see docs/correlation.md)
 * @param attributedOnly true for a copy of an observation already counted, sent again only to attribute it to
 *     {@code root}: it adds the root, never counts or evidence, to the node's own aggregate
 * @param fromAttributes what the event said about {@code from} that its reference does not hold (an STS session's
 *     role ARN and id, session name, source identity and expiry, on its {@code credential-of} edge; see
 *     {@link dev.killswitch.schemas.event.ChainSnapshot.Node#attributes()}); empty for most edges
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record EdgeFact(String from, String to, String kind, String root, double confidence, String eventId,
                       Instant at, long count, String verb, String resource, List<String> sourceIps,
                       Boolean succeeded, String scope, String basis, boolean attributedOnly,
                       Map<String, String> fromAttributes) {

  public EdgeFact {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(at, "at");
    sourceIps = sourceIps == null ? List.of() : List.copyOf(sourceIps);
    fromAttributes = fromAttributes == null || fromAttributes.isEmpty() ? Map.of()
        : Collections.unmodifiableSortedMap(new TreeMap<>(fromAttributes));
  }

  /** An observation that says nothing about its source node beyond the reference. */
  public EdgeFact(String from, String to, String kind, String root, double confidence, String eventId, Instant at,
                  long count, String verb, String resource, List<String> sourceIps, Boolean succeeded, String scope,
                  String basis, boolean attributedOnly) {
    this(from, to, kind, root, confidence, eventId, at, count, verb, resource, sourceIps, succeeded, scope, basis,
        attributedOnly, null);
  }

  /** An observation without call details (succeeded, scope), learned by an exact join. */
  public EdgeFact(String from, String to, String kind, String root, double confidence, String eventId, Instant at,
                  long count, String verb, String resource, List<String> sourceIps) {
    this(from, to, kind, root, confidence, eventId, at, count, verb, resource, sourceIps, null, null, null, false);
  }

  /** An exact structural edge (authenticated-as, minted, credential-of) learned from one event. */
  public static EdgeFact exact(String from, String kind, String to, String root, String eventId, Instant at) {
    return new EdgeFact(from, to, kind, root, 1.0, eventId, at, 1, null, null, List.of());
  }

  /** An exact structural edge, with the basis of the join and where the request came from. */
  public static EdgeFact exact(String from, String kind, String to, String root, String eventId, Instant at,
                               String basis, List<String> sourceIps) {
    return new EdgeFact(from, to, kind, root, 1.0, eventId, at, 1, null, null, sourceIps, null, null, basis, false);
  }

  /** The key that identifies the edge whatever its observations: {@code <from> <kind> <to>}. */
  public String key() {
    return EdgeState.key(from, kind, to);
  }

  /**
   * This observation attributed to {@code chainRoot} by a join: counted already, so only the attribution travels.
   *
   * @param atMost the join's confidence; the attribution is no stronger than the observation itself
   */
  public EdgeFact attributedTo(String chainRoot, double atMost, String joinBasis) {
    return new EdgeFact(from, to, kind, chainRoot, Math.min(confidence, atMost), eventId, at, count, verb, resource,
        sourceIps, succeeded, scope, joinBasis, true, fromAttributes);
  }

  /** This attribution as an observation of its own, for the aggregate kept per chain root. */
  public EdgeFact asObservation() {
    return attributedOnly ? new EdgeFact(from, to, kind, root, confidence, eventId, at, count, verb, resource,
        sourceIps, succeeded, scope, basis, false, fromAttributes) : this;
  }

  /** The same observation with another root (an event attributed it directly; it is counted with it). */
  public EdgeFact withRoot(String chainRoot) {
    return new EdgeFact(from, to, kind, chainRoot, confidence, eventId, at, count, verb, resource, sourceIps,
        succeeded, scope, basis, attributedOnly, fromAttributes);
  }

  /** The same observation, saying these things about its source node. */
  public EdgeFact withFromAttributes(Map<String, String> attributes) {
    return new EdgeFact(from, to, kind, root, confidence, eventId, at, count, verb, resource, sourceIps, succeeded,
        scope, basis, attributedOnly, attributes);
  }
}
