package dev.killswitch.correlator.internal.graph;

import java.time.Instant;

/** A CI run that may have acted as an OIDC subject, and the span it was seen active in. */
public record Candidate(String ref, Instant firstSeen, Instant lastSeen) {

  public static Candidate of(CandidateFact fact) {
    return new Candidate(fact.ref(), fact.at(), fact.at());
  }

  public Candidate with(Instant at) {
    return new Candidate(ref, at.isBefore(firstSeen) ? at : firstSeen, at.isAfter(lastSeen) ? at : lastSeen);
  }
}
