package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/ingest/gcp/audit}, authenticated with a bearer token holding {@link Role#INGEST} for
 * {@code gcp-audit} or, when configured, the OIDC token of a Pub/Sub push subscription ({@link PushTokens}). Accepts a
 * Pub/Sub push envelope ({@code {"message":{"data":"<base64 LogEntry>",...},"subscription":...}}, what a log
 * sink's topic pushes), one LogEntry (a push subscription with payload unwrapping, or a hand-posted entry), or
 * a JSON array of LogEntries ({@code gcloud logging read --format=json}). Publishes one {@code gcp.audit} event
 * per entry to the cloud topic (see {@link GcpAuditNormalizer}).
 */
public final class GcpAuditRoute implements Handler {

  public static final String PATH = "/v1/ingest/gcp/audit";
  public static final String SOURCE = "gcp-audit";

  /** One entry of the request; {@code push}: the node is a push envelope whose message.data holds the entry. */
  record Item(JsonNode node, boolean push) {}

  private final ApiAccess access;
  private final PushTokens pushTokens;
  private final long maxRequestBytes;
  private final String topic;
  private final GcpAuditNormalizer normalizer;
  private final Flow flow;

  /** @param pushTokens verifies Pub/Sub push OIDC tokens; null: only bearer tokens of {@code access} are accepted */
  public GcpAuditRoute(ApiAccess access, PushTokens pushTokens, long maxRequestBytes, String topic,
                       GcpAuditNormalizer normalizer, Flow flow) {
    this.access = access;
    this.pushTokens = pushTokens;
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.normalizer = normalizer;
    this.flow = flow;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (!authenticate(ctx)) {
      return;
    }
    byte[] body = flow.body(ctx, SOURCE, maxRequestBytes);
    if (body == null) {
      return;
    }
    JsonNode root;
    try {
      Bodies.media(ctx.contentType(), false);
      root = Bodies.json(body);
      if (!root.isObject() && !root.isArray()) {
        throw IngestException.invalidEvent("expected a Pub/Sub push envelope, a LogEntry or an array of LogEntries");
      }
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(body));
      return;
    }
    List<Item> items = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(n -> items.add(new Item(n, false)));
    } else {
      items.add(new Item(root, isPush(root)));
    }
    flow.batch(ctx, SOURCE, topic, items, this::normalize, this::redactedSource, root.isObject());
  }

  /**
   * A configured bearer token for this source, or (when push authentication is configured) a Pub/Sub push OIDC
   * token: one that has the shape of a JWT and is no configured token is verified as one, and refused 401 when it
   * does not verify.
   */
  private boolean authenticate(Context ctx) {
    String authorization = ctx.header("Authorization");
    String bearer = ApiAccess.bearerToken(authorization);
    if (pushTokens == null || !PushTokens.isJwt(bearer) || access.allows(authorization, Role.INGEST, SOURCE)) {
      return flow.authorize(ctx, SOURCE, access, Role.INGEST);
    }
    String refusal = pushTokens.refusal(bearer);
    if (refusal == null) {
      return true;
    }
    flow.reject(ctx, SOURCE, IngestException.of(Reason.UNAUTHORIZED, "Pub/Sub push token refused: " + refusal), null);
    return false;
  }

  private Normalized normalize(Item item) {
    return normalizer.normalize(item.push() ? pushedEntry(item.node()) : item.node());
  }

  static boolean isPush(JsonNode root) {
    return root.path("message").isObject() && !root.has("protoPayload");
  }

  /** The LogEntry a push envelope carries base64-encoded in {@code message.data}. */
  static JsonNode pushedEntry(JsonNode envelope) {
    JsonNode data = envelope.path("message").get("data");
    if (data == null || !data.isTextual() || data.textValue().isEmpty()) {
      throw IngestException.invalidEvent("the Pub/Sub message carries no data");
    }
    byte[] decoded = decode(data.textValue());
    try {
      return Bodies.json(decoded);
    } catch (IngestException e) {
      throw IngestException.invalidEvent("the Pub/Sub message data is not a JSON LogEntry: " + e.getMessage());
    }
  }

  /**
   * A rejected item for the dead letter topic: a pushed entry is decoded first, so that the redactor sees it
   * (base64 would hide a secret from it); data that is not base64 cannot be inspected and is replaced.
   */
  private byte[] redactedSource(Item item) {
    if (!item.push()) {
      return flow.redactor().redactToBytes(item.node());
    }
    JsonNode data = item.node().path("message").get("data");
    byte[] decoded;
    try {
      decoded = data != null && data.isTextual() ? decode(data.textValue()) : null;
    } catch (IngestException e) {
      decoded = null;
    }
    if (decoded == null) {
      ObjectNode copy = item.node().deepCopy();
      if (data != null) {
        ((ObjectNode) copy.path("message")).put("data", Redactor.MARK);
      }
      return flow.redactor().redactToBytes(copy);
    }
    try {
      return flow.redactor().redactToBytes(Bodies.json(decoded));
    } catch (IngestException e) {
      return flow.redactor().redactText(decoded);
    }
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(base64);
      } catch (IllegalArgumentException e2) {
        throw IngestException.invalidEvent("the Pub/Sub message data is not base64: " + e.getMessage());
      }
    }
  }
}
