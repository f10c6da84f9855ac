package dev.killswitch.cli;

/**
 * Why a verb failed, as the exit code a playbook sees (docs/cli.md). The one exception type of the cli module:
 * the command line's execution handler prints the message and exits with {@link Reason#exitCode()}.
 */
public final class CliException extends RuntimeException {

  /** Each reason is one documented exit code; keep the numbers stable. */
  public enum Reason {
    FAILED(Killswitch.EXIT_FAILED),
    USAGE(Killswitch.EXIT_USAGE),
    SETTINGS(Killswitch.EXIT_SETTINGS),
    NOT_FOUND(Killswitch.EXIT_NOT_FOUND),
    UNAUTHORIZED(Killswitch.EXIT_UNAUTHORIZED),
    UNREACHABLE(Killswitch.EXIT_UNREACHABLE);

    private final int exitCode;

    Reason(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Reason reason;

  private CliException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static CliException failed(String message) {
    return new CliException(Reason.FAILED, message, null);
  }

  public static CliException usage(String message) {
    return new CliException(Reason.USAGE, message, null);
  }

  public static CliException settings(String message) {
    return new CliException(Reason.SETTINGS, message, null);
  }

  public static CliException notFound(String message) {
    return new CliException(Reason.NOT_FOUND, message, null);
  }

  public static CliException unauthorized(String message) {
    return new CliException(Reason.UNAUTHORIZED, message, null);
  }

  public static CliException unreachable(String message, Throwable cause) {
    return new CliException(Reason.UNREACHABLE, message, cause);
  }
}
