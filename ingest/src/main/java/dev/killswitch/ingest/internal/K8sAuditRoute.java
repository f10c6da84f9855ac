package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/ingest/k8s-audit/{cluster}}: the apiserver's audit webhook backend (an EventList batch, in
 * batch or blocking mode) or one audit Event, authenticated with a bearer token holding {@link Role#INGEST} for
 * {@code k8s-audit}, or with a TLS client certificate whose name is on the configured allow-list.
 * Publishes one {@code k8s.audit} event per audit event and stage (see {@link K8sAuditNormalizer}).
 */
public final class K8sAuditRoute implements Handler {

  public static final String PATH = "/v1/ingest/k8s-audit/{cluster}";
  public static final String SOURCE = "k8s-audit";
  /** Cluster names become the scope of identity references and the host of {@code k8s://}: DNS-like only. */
  private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

  private final ApiAccess access;
  private final Set<String> clientNames;
  private final long maxRequestBytes;
  private final String topic;
  private final K8sAuditNormalizer normalizer;
  private final Flow flow;

  /** @param clientNames client certificate names admitted without a bearer token (see {@link ClientCertificates}) */
  public K8sAuditRoute(ApiAccess access, Set<String> clientNames, long maxRequestBytes, String topic,
                       K8sAuditNormalizer normalizer, Flow flow) {
    this.access = access;
    this.clientNames = Set.copyOf(clientNames);
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.normalizer = normalizer;
    this.flow = flow;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (!ClientCertificates.admitted(ctx, clientNames) && !flow.authorize(ctx, SOURCE, access, Role.INGEST)) {
      return;
    }
    byte[] body = flow.body(ctx, SOURCE, maxRequestBytes);
    if (body == null) {
      return;
    }
    String cluster = ctx.pathParam("cluster");
    JsonSpans parsed;
    try {
      if (!CLUSTER.matcher(cluster).matches()) {
        throw IngestException.of(Reason.INVALID_CLUSTER,
            "the cluster name must be letters, digits, '.', '_' or '-', got " + cluster);
      }
      Bodies.media(ctx.contentType(), false);
      parsed = JsonSpans.parse(body);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(body));
      return;
    }
    JsonNode root = parsed.root();
    List<JsonNode> events;
    boolean single;
    try {
      single = !isEventList(root);
      events = single ? List.of(root) : items(root);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, redactedBytes(root));
      return;
    }
    // Redaction happens inside the normalizer after the fields are read; a rejected event is redacted here.
    flow.batch(ctx, SOURCE, topic, events, ev -> normalizer.normalize(cluster, ev, parsed.source(ev)),
        this::redactedBytes, single);
  }

  /** True for a cluster name the routes accept (letters, digits, '.', '_', '-'); the audit-log tailer checks it too. */
  public static boolean validCluster(String cluster) {
    return cluster != null && CLUSTER.matcher(cluster).matches();
  }

  private static boolean isEventList(JsonNode root) {
    if (!root.isObject()) {
      throw IngestException.invalidEvent("expected an audit.k8s.io EventList or Event object");
    }
    String kind = Fields.text(root, "kind");
    return "EventList".equals(kind) || (kind == null && root.has("items"));
  }

  private static List<JsonNode> items(JsonNode list) {
    String apiVersion = Fields.text(list, "apiVersion");
    if (apiVersion != null && !K8sAuditNormalizer.API_VERSIONS.contains(apiVersion)) {
      throw IngestException.of(Reason.UNSUPPORTED_VERSION,
          "apiVersion " + apiVersion + " is not one of " + K8sAuditNormalizer.API_VERSIONS);
    }
    JsonNode items = list.get("items");
    if (items == null || items.isNull()) {
      return List.of();
    }
    if (!items.isArray()) {
      throw IngestException.invalidEvent("the EventList's items must be an array");
    }
    List<JsonNode> out = new ArrayList<>(items.size());
    items.forEach(out::add);
    return out;
  }

  private byte[] redactedBytes(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(flow.redactor().redact(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    }
  }
}
