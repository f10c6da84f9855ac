package dev.killswitch.schemas;

/** A string that is not a well-formed identity reference; the message says which rule it broke. */
public final class InvalidIdentityRefException extends IllegalArgumentException {

  private final String input;

  private InvalidIdentityRefException(String message, String input) {
    super(message);
    this.input = input;
  }

  static InvalidIdentityRefException of(String problem, String input) {
    String shown = input == null ? "null" : input.length() > 200 ? input.substring(0, 200) + "..." : input;
    return new InvalidIdentityRefException("invalid identity reference '" + shown + "': " + problem, input);
  }

  /** The rejected text. */
  public String input() {
    return input;
  }
}
