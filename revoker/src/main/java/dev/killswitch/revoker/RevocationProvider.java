package dev.killswitch.revoker;

import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.util.Optional;

/**
 * A plug-in that performs one action of DESIGN.md "Revocation" against one system (the Killswitch denylist,
 * a Kubernetes cluster, AWS IAM, Google IAM). Providers are registered explicitly at start-up in a
 * {@link ProviderRegistry}.
 *
 * <p>The executor calls a provider only in {@code enforce} mode and only when the ledger holds no final
 * result for the action id, so a provider sees each action at most once per attempt; it must still be
 * idempotent (a crash between the call and the recorded result repeats the call). A provider classifies its
 * own errors as retriable or permanent and returns them as an {@link Outcome}; an exception escaping
 * {@link #execute} is recorded as a retriable failure.
 */
public interface RevocationProvider {

  /** The action this provider performs, e.g. {@code k8s.deny-token} (one of {@code Actions.ALL}). */
  String actionId();

  /**
   * Checks the live target before the call: empty to go ahead, or the outcome to record instead (a guardrail
   * found on the object, such as the {@code killswitch.dev/protected=true} label, is {@link Outcome.Skipped};
   * a target already gone is {@link Outcome.AlreadyRevoked}). A request's {@code override} is in
   * {@code action.params().get("override")}. The default checks nothing.
   */
  default Optional<Outcome> preflight(RevocationAction action) {
    return Optional.empty();
  }

  /** Performs the action. */
  Outcome execute(RevocationAction action);

  /**
   * Undoes the action when its temporary lock ends ({@code expiresAt}): removes the denylist entry, restores the
   * binding subject, re-enables the key. {@code revoked} is the recorded result of {@link #execute}, whose detail
   * holds what a restore needs. Must be idempotent. {@link Outcome.Revoked} here means "lifted". The default
   * refuses: the planner plans only reversible actions ({@code Actions.REVERSIBLE}) for a temporary lock.
   */
  default Outcome lift(RevocationAction action, RevocationResult revoked) {
    return new Outcome.PermanentFailure(actionId() + " cannot be lifted");
  }

  /** What became of one provider call. */
  sealed interface Outcome {
    /** Human-readable detail for the ledger (never a secret). */
    String detail();

    /** Access ended by this call. */
    record Revoked(String detail) implements Outcome {}

    /** Access had already ended (the key was inactive, the subject gone, ...). */
    record AlreadyRevoked(String detail) implements Outcome {}

    /** Not done because of a guardrail the preflight found on the live object. */
    record Skipped(String detail) implements Outcome {}

    /** Throttling, 5xx, timeouts: worth another attempt after a backoff ({@link RetryPolicy}). */
    record RetriableFailure(String detail) implements Outcome {}

    /** Will not succeed by trying again (access denied, malformed target, conflicting object). */
    record PermanentFailure(String detail) implements Outcome {}
  }
}
