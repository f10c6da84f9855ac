package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Json;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writing JSON answers, with Killswitch's error shape {@code {"error": <code>, "message": <text>}}. */
public final class Answers {

  /** Seconds a sender should wait after a 503 before retrying. */
  public static final String RETRY_AFTER_SECONDS = "5";

  private Answers() {}

  public static void json(Context ctx, int status, Object body) {
    byte[] bytes;
    try {
      bytes = Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an answer", e);
    }
    ctx.status(status).contentType("application/json").result(bytes);
  }

  public static void error(Context ctx, IngestException e) {
    error(ctx, e, Map.of());
  }

  /** The error answer with extra fields (e.g. the rejected events of a batch). */
  public static void error(Context ctx, IngestException e, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", e.reason().code());
    body.put("message", e.getMessage());
    body.putAll(extra);
    if (e.reason() == IngestException.Reason.UNAUTHORIZED) {
      ctx.header("WWW-Authenticate", "Bearer");
    } else if (e.reason() == IngestException.Reason.KAFKA_UNAVAILABLE) {
      ctx.header("Retry-After", RETRY_AFTER_SECONDS);
    }
    json(ctx, e.reason().status(), body);
  }
}
