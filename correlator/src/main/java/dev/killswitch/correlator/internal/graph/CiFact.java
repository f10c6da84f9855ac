package dev.killswitch.correlator.internal.graph;

import java.time.Instant;
import java.util.Objects;

/**
 * A CI run or job status learned from one ci.run or ci.job event.
 *
 * @param job the job reference, or null for a run-level status
 * @param status {@code queued}, {@code waiting}, {@code in_progress} or {@code completed}
 */
public record CiFact(String run, String job, String status, String conclusion, Integer attempt, Instant at,
                     String eventId) {

  public static final String COMPLETED = "completed";

  public CiFact {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
  }
}
