package dev.killswitch.revoker.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Turns the two accepted bodies of POST /v1/revocations into a request, or says what is wrong. */
final class RevocationRequests {

  private static final List<String> FIELDS =
      List.of("target", "reason", "cascade", "mode", "expiresAt", "requestId", "override", "requestedBy");

  private final Clock clock;
  private final Mode defaultMode;

  RevocationRequests(Clock clock, Mode defaultMode) {
    this.clock = clock;
    this.defaultMode = defaultMode;
  }

  /** A 400 answer: a short code and the problems. */
  static final class BadRequest extends Exception {
    private final String code;

    BadRequest(String code, String message) {
      super(message);
      this.code = code;
    }

    String code() {
      return code;
    }
  }

  /** {@code {target, reason, cascade?, mode?, expiresAt?, requestId?, override?, requestedBy?}}. */
  RevocationRequested fromJson(byte[] bytes, String caller) throws BadRequest {
    JsonNode body;
    try {
      body = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new BadRequest("malformed-json", "body is not JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (body == null || !body.isObject()) {
      throw new BadRequest("invalid-request", "body must be a JSON object");
    }
    Problems p = new Problems();
    body.fieldNames().forEachRemaining(name -> {
      if (!FIELDS.contains(name)) {
        p.add("unknown field '" + name + "' (expected " + FIELDS + ")");
      }
    });
    String target = p.text(body, "target", true);
    String reason = p.text(body, "reason", true);
    String cascade = p.text(body, "cascade", false);
    String mode = p.text(body, "mode", false);
    String expiresAt = p.text(body, "expiresAt", false);
    String requestId = p.text(body, "requestId", false);
    String requestedBy = p.text(body, "requestedBy", false);
    JsonNode override = body.get("override");
    if (override != null && !override.isBoolean()) {
      p.add("override must be true or false");
    }
    RevocationRequested request = new RevocationRequested(
        requestId != null ? requestId : UUID.randomUUID().toString(), target, p.cascade(cascade), reason,
        requestedBy != null ? requestedBy : caller, p.mode(mode, defaultMode), clock.instant(),
        p.instant("expiresAt", expiresAt), override != null && override.asBoolean());
    validate(request, requestedBy != null, p);
    return request;
  }

  /** A structured-mode CloudEvent of type revocation.requested; its id is kept. */
  Envelope<RevocationRequested> fromCloudEvent(byte[] bytes, String caller) throws BadRequest {
    Envelope<?> event;
    try {
      event = CloudEventCodec.fromStructuredJson(bytes);
    } catch (CloudEventCodec.CodecException e) {
      throw new BadRequest("not-a-cloudevent", e.getMessage());
    }
    if (event.type() != EventType.REVOCATION_REQUESTED) {
      throw new BadRequest("unexpected-type",
          "expected " + EventType.REVOCATION_REQUESTED.type() + ", got " + event.type().type());
    }
    RevocationRequested d = event.dataAs(RevocationRequested.class);
    Instant now = clock.instant();
    RevocationRequested request = new RevocationRequested(
        d.requestId() != null ? d.requestId() : event.id(), d.target(),
        d.cascade() != null ? d.cascade() : Cascade.DOWNSTREAM, d.reason(),
        d.requestedBy() != null ? d.requestedBy() : caller, d.mode() != null ? d.mode() : defaultMode,
        d.requestedAt() != null ? d.requestedAt() : now, d.expiresAt(), d.override());
    Problems p = new Problems();
    validate(request, d.requestedBy() != null, p);
    return new Envelope<>(event.id(), event.source(), EventType.REVOCATION_REQUESTED, request.target(),
        event.time() != null ? event.time() : now.atOffset(ZoneOffset.UTC), request.target(), request);
  }

  private void validate(RevocationRequested r, boolean requestedByGiven, Problems p) throws BadRequest {
    if (r.target() != null) {
      try {
        IdentityRef.parse(r.target());
      } catch (InvalidIdentityRefException e) {
        p.add(e.getMessage());
      }
    } else if (p.isEmpty()) {
      p.add("target is required");
    }
    if (r.reason() == null || r.reason().isBlank()) {
      p.addOnce("reason is required");
    }
    if (!r.requestId().matches("[\\x21-\\x7e]{1,200}")) {
      p.add("requestId must be 1 to 200 printable characters without spaces");
    }
    if (requestedByGiven && !r.requestedBy().matches("playbook:[\\x21-\\x7e]{1,200}")) {
      p.add("requestedBy may only name a playbook (playbook:<id>); without it the caller's token is recorded");
    }
    if (r.expiresAt() != null && !r.expiresAt().isAfter(clock.instant())) {
      p.add("expiresAt must be in the future");
    }
    p.throwIfAny();
  }

  /** Every problem of a body, reported together. */
  private static final class Problems {
    private final List<String> list = new ArrayList<>();

    void add(String problem) {
      list.add(problem);
    }

    void addOnce(String problem) {
      if (!list.contains(problem)) {
        list.add(problem);
      }
    }

    boolean isEmpty() {
      return list.isEmpty();
    }

    String text(JsonNode body, String field, boolean required) {
      JsonNode v = body.get(field);
      if (v == null || v.isNull()) {
        if (required) {
          add(field + " is required");
        }
        return null;
      }
      if (!v.isTextual()) {
        add(field + " must be a string");
        return null;
      }
      return v.asText();
    }

    Cascade cascade(String text) {
      if (text == null) {
        return Cascade.DOWNSTREAM;
      }
      for (Cascade c : Cascade.values()) {
        if (c.wire().equals(text)) {
          return c;
        }
      }
      add("cascade must be downstream or none, got '" + text + "'");
      return Cascade.DOWNSTREAM;
    }

    Mode mode(String text, Mode fallback) {
      if (text == null) {
        return fallback;
      }
      for (Mode m : Mode.values()) {
        if (m.wire().equals(text)) {
          return m;
        }
      }
      add("mode must be enforce, dry-run or shadow, got '" + text + "'");
      return fallback;
    }

    Instant instant(String field, String text) {
      if (text == null) {
        return null;
      }
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        add(field + " must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, got '" + text + "'");
        return null;
      }
    }

    void throwIfAny() throws BadRequest {
      if (!list.isEmpty()) {
        throw new BadRequest("invalid-request", String.join("; ", list));
      }
    }
  }
}
