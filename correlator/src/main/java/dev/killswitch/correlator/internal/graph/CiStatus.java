package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The status of a run or job over all its events. The winning status is the greatest by (attempt, progress,
 * time, conclusion): a later attempt re-opens a run, and within one attempt a status never goes backwards, so a
 * {@code queued} that arrives after {@code completed} does not re-open it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CiStatus(String status, String conclusion, int attempt, Instant statusAt, Instant firstSeen,
                       Instant lastSeen) {

  private static final Comparator<CiStatus> PRECEDENCE = Comparator.comparingInt(CiStatus::attempt)
      .thenComparingInt(s -> progress(s.status()))
      .thenComparing(CiStatus::statusAt)
      .thenComparing(CiStatus::status)
      .thenComparing(CiStatus::conclusion, Comparator.nullsFirst(Comparator.naturalOrder()));

  public CiStatus {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(statusAt, "statusAt");
  }

  public static CiStatus of(CiFact fact) {
    return new CiStatus(fact.status(), fact.conclusion(), fact.attempt() == null ? 0 : fact.attempt(), fact.at(),
        fact.at(), fact.at());
  }

  public CiStatus merge(CiFact fact) {
    CiStatus other = of(fact);
    CiStatus winner = PRECEDENCE.compare(this, other) >= 0 ? this : other;
    return new CiStatus(winner.status, winner.conclusion, winner.attempt, winner.statusAt,
        firstSeen.isBefore(fact.at()) ? firstSeen : fact.at(), lastSeen.isAfter(fact.at()) ? lastSeen : fact.at());
  }

  public boolean completed() {
    return CiFact.COMPLETED.equals(status);
  }

  private static int progress(String status) {
    return switch (status) {
      case "queued", "requested", "pending" -> 0;
      case "waiting" -> 1;
      case "in_progress" -> 2;
      case CiFact.COMPLETED -> 3;
      default -> -1;
    };
  }
}
