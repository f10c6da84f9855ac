package dev.killswitch.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Ids derived from their inputs, so that a replay or a second instance computes the same id. */
public final class DeterministicIds {

  private DeterministicIds() {}

  /** Lower-case hex SHA-256 of the UTF-8 text. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** A 32-hex-digit id from parts joined by a separator that cannot occur in them ({@code \u0000}). */
  public static String of(String... parts) {
    return sha256Hex(String.join("\u0000", parts)).substring(0, 32);
  }

  /** Action id = hash(request id, action, target) (DESIGN.md "Revocation"). */
  public static String actionId(String requestId, String action, String target) {
    return of("action", requestId, action, target);
  }

  /** Chain id of the chain rooted at this reference. */
  public static String chainId(String rootRef) {
    return of("chain", rootRef);
  }
}
