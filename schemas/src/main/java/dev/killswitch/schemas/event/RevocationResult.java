package dev.killswitch.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * Data of {@code dev.killswitch.revocation.result.v1}: what became of one action. The compacted results topic
 * keyed by action id is the ledger of every revocation.
 */
public record RevocationResult(
    String actionId,
    String requestId,
    String action,
    String target,
    Outcome outcome,
    String detail,
    int attempts,
    Instant recordedAt) {

  /** How an action ended (DESIGN.md "Revocation"), plus {@code pending} while it waits for approval or a retry. */
  public enum Outcome {
    REVOKED("revoked"),
    ALREADY_REVOKED("already-revoked"),
    DRY_RUN("dry-run"),
    SKIPPED("skipped"),
    FAILED("failed"),
    PENDING("pending"),
    LIFTED("lifted");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    /** True once nothing more will happen to the action. */
    public boolean isFinal() {
      return this != PENDING;
    }
  }
}
