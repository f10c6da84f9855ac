package dev.killswitch.correlator;

import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.InvalidIdentityRefException;

/** The correlator's one exception type: an input it cannot use, or state it cannot reach. */
public final class CorrelatorException extends RuntimeException {

  /** Why; {@link #code()} is the short code used in dead-letter headers and HTTP errors. */
  public enum Reason {
    UNEXPECTED_TYPE("unexpected-type"),
    INVALID_IDENTITY_REF("invalid-identity-ref"),
    MISSING_FIELD("missing-field"),
    STORES_UNAVAILABLE("stores-unavailable"),
    OWNER_UNREACHABLE("owner-unreachable");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;

  private CorrelatorException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public static CorrelatorException unexpectedType(EventType type) {
    return new CorrelatorException(Reason.UNEXPECTED_TYPE, type.type() + " is not an event the correlator reads", null);
  }

  public static CorrelatorException invalidRef(String field, InvalidIdentityRefException e) {
    return new CorrelatorException(Reason.INVALID_IDENTITY_REF, field + ": " + e.getMessage(), e);
  }

  public static CorrelatorException missingField(String type, String field) {
    return new CorrelatorException(Reason.MISSING_FIELD, type + " has no " + field, null);
  }

  public static CorrelatorException storesUnavailable(String why) {
    return new CorrelatorException(Reason.STORES_UNAVAILABLE, "state stores are not queryable now: " + why, null);
  }

  public static CorrelatorException ownerUnreachable(String owner, Throwable cause) {
    return new CorrelatorException(Reason.OWNER_UNREACHABLE, "the instance holding the key (" + owner
        + ") did not answer: " + cause.getMessage(), cause);
  }

  public Reason reason() {
    return reason;
  }
}
