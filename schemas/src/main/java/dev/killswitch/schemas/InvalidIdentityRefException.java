package dev.killswitch.schemas;

/** A string that is not a well-formed identity reference; the message says which rule it broke. */
public final class InvalidIdentityRefException extends IllegalArgumentException {

  private final String input;
  private final String problem;

  private InvalidIdentityRefException(String message, String input, String problem) {
    super(message);
    this.input = input;
    this.problem = problem;
  }

  static InvalidIdentityRefException of(String problem, String input) {
    String shown = input == null ? "null" : input.length() > 200 ? input.substring(0, 200) + "..." : input;
    return new InvalidIdentityRefException("invalid identity reference '" + shown + "': " + problem, input, problem);
  }

  /** The rejected text. */
  public String input() {
    return input;
  }

  /** The rule the text broke, without the text (e.g. {@code K8S_TOKEN: jti must not contain '/'}). */
  public String problem() {
    return problem;
  }
}
