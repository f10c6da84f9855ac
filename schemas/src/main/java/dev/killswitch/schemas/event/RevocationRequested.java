package dev.killswitch.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * Data of {@code dev.killswitch.revocation.requested.v1}: somebody (a playbook, a user, a trigger) asks that an
 * identity lose its access.
 *
 * @param requestId idempotency key: the same id twice is one request
 * @param target identity reference to revoke
 * @param requestedBy {@code playbook:<id>}, {@code user:<name>} or {@code trigger:<name>}
 * @param expiresAt when set, the revocation is a temporary lock lifted at that time
 * @param override true to act on a protected identity
 */
public record RevocationRequested(
    String requestId,
    String target,
    Cascade cascade,
    String reason,
    String requestedBy,
    Mode mode,
    Instant requestedAt,
    Instant expiresAt,
    boolean override) {

  /** Whether everything downstream of the target is revoked too. */
  public enum Cascade {
    DOWNSTREAM("downstream"),
    NONE("none");

    private final String wire;

    Cascade(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** enforce: call the provider; dry-run: plan, record, do not call; shadow: like dry-run, silently. */
  public enum Mode {
    ENFORCE("enforce"),
    DRY_RUN("dry-run"),
    SHADOW("shadow");

    private final String wire;

    Mode(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }
}
