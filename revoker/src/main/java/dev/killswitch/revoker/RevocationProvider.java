package dev.killswitch.revoker;

import dev.killswitch.schemas.event.RevocationAction;

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

  /** Performs the action. */
  Outcome execute(RevocationAction action);

  /** What became of one provider call. */
  sealed interface Outcome {
    /** Human-readable detail for the ledger (never a secret). */
    String detail();

    /** Access ended by this call. */
    record Revoked(String detail) implements Outcome {}

    /** Access had already ended (the key was inactive, the subject gone, ...). */
    record AlreadyRevoked(String detail) implements Outcome {}

    /** Throttling, 5xx, timeouts: worth another attempt later (scheduling retries arrives with issue 5). */
    record RetriableFailure(String detail) implements Outcome {}

    /** Will not succeed by trying again (not found, access denied, malformed target). */
    record PermanentFailure(String detail) implements Outcome {}
  }
}
