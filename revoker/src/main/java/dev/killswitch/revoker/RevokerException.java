package dev.killswitch.revoker;

/** The one exception type of the revoker, with a reason callers can act on. */
public final class RevokerException extends RuntimeException {

  /** What went wrong. */
  public enum Reason {
    /** The configuration has problems; the message lists all of them. */
    INVALID_CONFIG,
    /** Kafka did not answer or did not acknowledge a write in time. */
    KAFKA_UNAVAILABLE,
    /** A local view (chains, ledger, denylist) did not reach the offsets it was asked to reach in time. */
    CATCH_UP_TIMEOUT,
    /** The thread was interrupted or the revoker is closing. */
    INTERRUPTED
  }

  private final Reason reason;

  private RevokerException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public static RevokerException invalidConfig(java.util.List<String> problems) {
    return new RevokerException(Reason.INVALID_CONFIG,
        "invalid revoker configuration:\n  - " + String.join("\n  - ", problems), null);
  }

  public static RevokerException kafkaUnavailable(String what, Throwable cause) {
    return new RevokerException(Reason.KAFKA_UNAVAILABLE, what + ": " + (cause == null ? "timed out" : cause), cause);
  }

  public static RevokerException catchUpTimeout(String view, Object target) {
    return new RevokerException(Reason.CATCH_UP_TIMEOUT, view + " did not reach " + target + " in time", null);
  }

  public static RevokerException interrupted(String what, Throwable cause) {
    return new RevokerException(Reason.INTERRUPTED, "interrupted while " + what, cause);
  }

  public Reason reason() {
    return reason;
  }
}
