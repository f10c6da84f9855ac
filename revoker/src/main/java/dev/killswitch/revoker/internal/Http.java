package dev.killswitch.revoker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers of the revoker's HTTP paths: JSON bodies, the team's error shape, bearer-token checks. */
final class Http {

  private Http() {}

  /** Writes the value as JSON with the status. */
  static void json(Context ctx, int status, Object value) {
    try {
      ctx.status(status).contentType("application/json").result(Json.mapper().writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the answer", e);
    }
  }

  /** {@code {"error": code, "message": message}}. */
  static void error(Context ctx, int status, String code, String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    json(ctx, status, body);
  }

  /** True when the bearer token holds one of the roles; otherwise answers 401 (no or unknown token) or 403. */
  static boolean authorized(Context ctx, ApiAccess access, Role... roles) {
    String header = ctx.header("Authorization");
    for (Role role : roles) {
      if (access.allows(header, role)) {
        return true;
      }
    }
    if (!ApiAccess.presented(header) || !knownToken(access, header)) {
      ctx.header("WWW-Authenticate", "Bearer");
      error(ctx, 401, "unauthorized", "a valid bearer token is required");
    } else {
      error(ctx, 403, "forbidden", "the token does not hold the " + roleNames(roles) + " role");
    }
    return false;
  }

  /** The presented token holds some role: it is known, just not allowed here. */
  private static boolean knownToken(ApiAccess access, String header) {
    for (Role role : Role.values()) {
      if (access.allows(header, role)) {
        return true;
      }
    }
    return false;
  }

  private static String roleNames(Role... roles) {
    StringBuilder out = new StringBuilder();
    for (Role r : roles) {
      out.append(out.isEmpty() ? "" : " or ").append(r.name().toLowerCase(java.util.Locale.ROOT));
    }
    return out.toString();
  }

  /** The bearer token's fingerprint (safe to log and to record), or null. */
  static String callerFingerprint(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return ApiAccess.fingerprint(header.substring(7).trim());
  }
}
