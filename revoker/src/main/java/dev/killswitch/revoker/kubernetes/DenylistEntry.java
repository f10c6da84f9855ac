package dev.killswitch.revoker.kubernetes;

import java.time.Instant;

/**
 * Value of a {@code killswitch.denylist} record (plain JSON; key = the token's identity reference
 * {@code k8s:<cluster>:token/<jti>}; a tombstone lifts the denial).
 *
 * @param at when the token was denied
 * @param expiresAt when a temporary lock ends (the request's {@code expiresAt}); null for a permanent denial
 */
public record DenylistEntry(String jti, String cluster, String actionId, String requestId, Instant at,
                            Instant expiresAt) {

  /** True while the denial holds. */
  public boolean activeAt(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }
}
