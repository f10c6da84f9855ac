package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.event.RevocationResult;
import java.time.Instant;
import java.util.Comparator;

/**
 * What the results ledger says about one action on one node.
 *
 * @param outcome the wire outcome: {@code revoked}, {@code dry-run}, {@code failed}, ...
 */
public record RevocationMark(String actionId, String requestId, String action, String target, String outcome,
                             String detail, Instant recordedAt) {

  /** The latest mark wins; ties are broken by action id so that any order agrees. */
  public static final Comparator<RevocationMark> LATEST = Comparator
      .comparing(RevocationMark::recordedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(RevocationMark::actionId);

  public static RevocationMark of(RevocationResult result) {
    return new RevocationMark(result.actionId(), result.requestId(), result.action(), result.target(),
        result.outcome() == null ? "unknown" : result.outcome().wire(), result.detail(), result.recordedAt());
  }
}
