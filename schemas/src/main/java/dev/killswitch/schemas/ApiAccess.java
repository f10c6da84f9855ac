package dev.killswitch.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Bearer-token checks for the HTTP API. Tokens are compared in constant time and never kept in logs:
 * {@link #fingerprint(String)} is what may be logged.
 */
public final class ApiAccess {

  /**
   * One configured token and the roles it holds.
   *
   * @param sources the ingest sources (as ingest names them: {@code k8s-audit}, {@code aws-cloudtrail},
   *     {@code gcp-audit}, {@code cloudevents}) the {@link Role#INGEST} role is limited to; empty: every source
   */
  public record Grant(String token, Set<Role> roles, Set<String> sources) {
    public Grant {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("an API token must not be blank");
      }
      roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
      sources = Set.copyOf(sources);
    }

    /** A token whose roles hold for every ingest source. */
    public Grant(String token, Set<Role> roles) {
      this(token, roles, Set.of());
    }

    boolean covers(Role role, String source) {
      return roles.contains(role) && (role != Role.INGEST || sources.isEmpty() || sources.contains(source));
    }

    @Override
    public String toString() {
      return "Grant[" + fingerprint(token) + " " + roles + (sources.isEmpty() ? "" : " sources=" + sources) + "]";
    }
  }

  private final List<Grant> grants;

  public ApiAccess(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** True when the {@code Authorization: Bearer <token>} header value names a token holding the role. */
  public boolean allows(String authorizationHeader, Role role) {
    return allows(authorizationHeader, role, null);
  }

  /**
   * True when the header names a token holding the role for this ingest source: a token limited to other
   * sources does not admit it (a null source asks for the role on any source).
   */
  public boolean allows(String authorizationHeader, Role role, String source) {
    String presented = bearer(authorizationHeader);
    if (presented == null) {
      return false;
    }
    boolean allowed = false;
    for (Grant g : grants) {
      // Compare against every grant so that the time taken does not tell which one matched.
      if (constantTimeEquals(presented, g.token()) && (source == null ? g.roles().contains(role) : g.covers(role, source))) {
        allowed = true;
      }
    }
    return allowed;
  }

  /** The bearer token of an {@code Authorization} header value, or null when it names none. */
  public static String bearerToken(String authorizationHeader) {
    return bearer(authorizationHeader);
  }

  /** True when some header was presented at all (to tell 401 from 403). */
  public static boolean presented(String authorizationHeader) {
    return bearer(authorizationHeader) != null;
  }

  private static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Constant-time comparison of two secrets. */
  public static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** A short, non-reversible name for a secret, safe to log: {@code sha256:} and the first 12 hex digits. */
  public static String fingerprint(String secret) {
    return "sha256:" + DeterministicIds.sha256Hex(secret).substring(0, 12);
  }
}
