package dev.killswitch.schemas.event;

import java.time.Instant;
import java.util.Map;

/**
 * Data of {@code dev.killswitch.revocation.action.v1}: one planned provider call.
 *
 * @param actionId hash of request id, action and target: the idempotency key of the provider call
 * @param action the action id from DESIGN.md, e.g. {@code k8s.deny-token}
 * @param target the identity reference the action works on
 * @param params action parameters (never secrets)
 */
public record RevocationAction(
    String actionId,
    String requestId,
    String action,
    String target,
    Map<String, String> params,
    RevocationRequested.Mode mode,
    String reason,
    String requestedBy,
    Instant plannedAt,
    Instant expiresAt) {}
