package dev.killswitch.correlator.internal.graph;

import java.time.Instant;
import java.util.Objects;

/**
 * A CI run seen active at a time, told to the OIDC subject its jobs authenticate as by default
 * ({@code repo:<owner>/<repo>:ref:<ref>} on GitHub, {@code project_path:<path>:ref_type:branch:ref:<ref>} on GitLab),
 * for the window-plus-subject join of that subject's federations.
 */
public record CandidateFact(String ref, Instant at) {

  public CandidateFact {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(at, "at");
  }
}
