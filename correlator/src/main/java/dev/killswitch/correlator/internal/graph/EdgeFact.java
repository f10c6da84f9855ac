package dev.killswitch.correlator.internal.graph;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One observation of an edge, learned from one event.
 *
 * @param root the chain root the event itself names (a CI run carried in user.extra), or null when the event
 *     does not say; an edge with a root belongs to that chain whatever else its endpoints are part of
 * @param confidence 1.0 for an exact key join
 * @param eventId the CloudEvent id, kept as evidence
 * @param at when it happened at the source
 * @param count 1 when the event counts as one use, 0 when it only adds detail (e.g. an audit ResponseStarted
 *     stage whose ResponseComplete will count)
 * @param verb for {@code used}: the API verb, else null
 * @param resource for {@code used}: what was acted on, else null
 * @param sourceIps for {@code used}: where the call came from
 */
public record EdgeFact(String from, String to, String kind, String root, double confidence, String eventId,
                       Instant at, long count, String verb, String resource, List<String> sourceIps) {

  public EdgeFact {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(at, "at");
    sourceIps = sourceIps == null ? List.of() : List.copyOf(sourceIps);
  }

  /** An exact structural edge (authenticated-as, minted, credential-of) learned from one event. */
  public static EdgeFact exact(String from, String kind, String to, String root, String eventId, Instant at) {
    return new EdgeFact(from, to, kind, root, 1.0, eventId, at, 1, null, null, List.of());
  }

  /** The key that identifies the edge whatever its observations: {@code <from> <kind> <to>}. */
  public String key() {
    return EdgeState.key(from, kind, to);
  }
}
