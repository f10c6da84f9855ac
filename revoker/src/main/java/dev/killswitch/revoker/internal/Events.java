package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.plan.Plan;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The CloudEvents the revoker writes, and the results it records, built in one place. */
public final class Events {

  /** CloudEvents {@code source} of everything the revoker writes. */
  public static final URI REVOKER = URI.create("killswitch://revoker");
  /** CloudEvents {@code source} of requests made through {@code POST /v1/revocations} as plain JSON. */
  public static final URI API = URI.create("killswitch://api");

  /** Ledger detail of a broad action held until someone with the approver role approves it. */
  public static final String AWAITING_APPROVAL = "awaiting approval";
  /** Action parameters recording the approval. */
  public static final String PARAM_APPROVED_BY = "approvedBy";
  public static final String PARAM_APPROVED_AT = "approvedAt";

  private Events() {}

  /** The ledger entry of a broad action held for approval. */
  public static RevocationResult awaitingApproval(RevocationAction a, Instant now) {
    return new RevocationResult(a.actionId(), a.requestId(), a.action(), a.target(), Outcome.PENDING,
        AWAITING_APPROVAL, 0, now);
  }

  /** A request from the HTTP API; the id derives from the request id, so a resent POST dedupes downstream. */
  public static Envelope<RevocationRequested> request(RevocationRequested r) {
    return new Envelope<>(DeterministicIds.of("revocation.requested", r.requestId()), API,
        EventType.REVOCATION_REQUESTED, r.target(), utc(r.requestedAt()), r.target(), r);
  }

  /** An action for the executors, keyed by target so that actions on one target run in order. */
  public static Envelope<RevocationAction> action(RevocationAction a) {
    return new Envelope<>(a.actionId(), REVOKER, EventType.REVOCATION_ACTION, a.target(), utc(a.plannedAt()),
        a.target(), a);
  }

  /** A ledger entry, keyed by action id (the compaction key). */
  public static Envelope<RevocationResult> result(RevocationResult r) {
    String id = DeterministicIds.of("revocation.result", r.actionId(), r.outcome().wire(),
        Integer.toString(r.attempts()));
    return new Envelope<>(id, REVOKER, EventType.REVOCATION_RESULT, r.target(), utc(r.recordedAt()),
        r.actionId(), r);
  }

  /** The ledger entry of a planned action that has not run yet. */
  public static RevocationResult pending(RevocationAction a, Instant now) {
    return new RevocationResult(a.actionId(), a.requestId(), a.action(), a.target(), Outcome.PENDING,
        "planned", 0, now);
  }

  public static RevocationResult skipped(String requestId, Plan.Skip s, Instant now) {
    return new RevocationResult(s.actionId(), requestId, s.action(), s.target(), Outcome.SKIPPED, s.reason(), 0, now);
  }

  public static RevocationResult outcome(RevocationAction a, Outcome outcome, String detail, int attempts,
                                         Instant now) {
    return new RevocationResult(a.actionId(), a.requestId(), a.action(), a.target(), outcome, detail, attempts, now);
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
