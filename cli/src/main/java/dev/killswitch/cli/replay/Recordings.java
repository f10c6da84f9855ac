package dev.killswitch.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Recognizes a recorded event file by its content (never by its name) and turns it into the request(s) that
 * the matching ingest path takes. Pure: reads the file, does no I/O beyond it.
 *
 * <ul>
 *   <li>GitHub {@code workflow_job} / {@code workflow_run} payloads (and {@code ping}): {@code X-GitHub-Event}
 *       from the payload's shape, {@code X-GitHub-Delivery} derived from the bytes (a replay of the same file
 *       is deduplicated by ingest, as a GitHub redelivery is);</li>
 *   <li>GitLab Job and Pipeline Hooks ({@code object_kind} build / pipeline);</li>
 *   <li>Kubernetes audit: an {@code audit.k8s.io} Event or EventList, or an apiserver audit log (one Event per
 *       line), sent as EventLists of at most {@value #AUDIT_CHUNK} events;</li>
 *   <li>AWS CloudTrail: a log file {@code {"Records":[...]}} (plain or gzip), an EventBridge event,
 *       {@code lookup-events} output, one record or an array of them;</li>
 *   <li>GCP: a Pub/Sub push envelope, one LogEntry or an array of them;</li>
 *   <li>CloudEvents: one structured event, or an array (batch mode) — CDEvents and Tekton included; a CDEvent in
 *       its own JSON form ({@code context}, {@code subject}) is sent as a structured CloudEvent.</li>
 * </ul>
 */
public final class Recordings {

  static final int AUDIT_CHUNK = 500;

  /** A file that is no recording Killswitch can replay; the message says what it looked like. */
  public static final class Unrecognized extends Exception {
    public Unrecognized(String message) {
      super(message);
    }
  }

  private Recordings() {}

  /** The deliveries of one file; {@code cluster} names the cluster of Kubernetes audit events (null: none given). */
  public static List<Delivery> read(Path file, String cluster) throws IOException, Unrecognized {
    byte[] bytes = Files.readAllBytes(file);
    boolean gzip = bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    byte[] text = gzip ? gunzip(bytes) : bytes;
    JsonNode root = parse(text);
    if (gzip && root != null && isCloudTrail(root)) {
      // Posted as CloudTrail wrote it to S3: ingest inflates it.
      return List.of(new Delivery(file, 0, Source.CLOUDTRAIL, Map.of("Content-Type", "application/gzip"), bytes,
          cloudTrailCount(root)));
    }
    bytes = text;
    if (root == null) {
      List<JsonNode> lines = jsonLines(text);
      if (lines.isEmpty()) {
        throw new Unrecognized("not JSON, and not JSON lines");
      }
      if (lines.stream().allMatch(Recordings::isAuditEvent)) {
        return audit(file, cluster, lines);
      }
      throw new Unrecognized("JSON lines, but not Kubernetes audit events (apiVersion audit.k8s.io/*, kind Event)");
    }
    if (root.isArray()) {
      return array(file, cluster, (ArrayNode) root, bytes);
    }
    if (!root.isObject()) {
      throw new Unrecognized("JSON, but neither an object nor an array");
    }
    if (isAuditEvent(root)) {
      return audit(file, cluster, List.of(root));
    }
    if (isAuditList(root)) {
      List<JsonNode> items = new ArrayList<>();
      root.path("items").forEach(items::add);
      return audit(file, cluster, items);
    }
    if (root.has("workflow_job") || root.has("workflow_run") || (root.has("zen") && root.has("hook_id"))) {
      return List.of(github(file, root, bytes));
    }
    if (root.has("object_kind")) {
      return List.of(gitlab(file, root, bytes));
    }
    if (root.has("specversion")) {
      return List.of(new Delivery(file, 0, Source.CLOUDEVENTS, Map.of("Content-Type", "application/cloudevents+json"),
          bytes, 1));
    }
    if (isCdEvent(root)) {
      return List.of(new Delivery(file, 0, Source.CLOUDEVENTS, Map.of("Content-Type", "application/cloudevents+json"),
          cloudEventOf(root), 1));
    }
    if (isCloudTrail(root)) {
      return List.of(new Delivery(file, 0, Source.CLOUDTRAIL, json(), bytes, cloudTrailCount(root)));
    }
    if (isGcp(root)) {
      return List.of(new Delivery(file, 0, Source.GCP_AUDIT, json(), bytes, 1));
    }
    throw new Unrecognized("a JSON object of no known kind (GitHub, GitLab, Kubernetes audit, CloudTrail, GCP audit, "
        + "CloudEvent)");
  }

  private static List<Delivery> array(Path file, String cluster, ArrayNode root, byte[] bytes) throws Unrecognized {
    if (root.isEmpty()) {
      throw new Unrecognized("an empty JSON array");
    }
    JsonNode first = root.get(0);
    if (first.has("specversion")) {
      return List.of(new Delivery(file, 0, Source.CLOUDEVENTS,
          Map.of("Content-Type", "application/cloudevents-batch+json"), bytes, root.size()));
    }
    if (isAuditEvent(first)) {
      List<JsonNode> items = new ArrayList<>();
      root.forEach(items::add);
      return audit(file, cluster, items);
    }
    if (isCloudTrailRecord(first) || isEventBridge(first)) {
      return List.of(new Delivery(file, 0, Source.CLOUDTRAIL, json(), bytes, root.size()));
    }
    if (isGcp(first)) {
      return List.of(new Delivery(file, 0, Source.GCP_AUDIT, json(), bytes, root.size()));
    }
    throw new Unrecognized("a JSON array whose first element is of no known kind");
  }

  private static Delivery github(Path file, JsonNode root, byte[] bytes) {
    String event = root.has("workflow_job") ? "workflow_job" : root.has("workflow_run") ? "workflow_run" : "ping";
    // Deterministic, like GitHub's own delivery id on redelivery: the same bytes are the same delivery.
    String delivery = UUID.nameUUIDFromBytes(("github-replay\0" + DeterministicIds.sha256Hex(
        new String(bytes, StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8)).toString();
    Map<String, String> h = new LinkedHashMap<>(json());
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", delivery);
    return new Delivery(file, 0, Source.GITHUB, h, bytes, 1);
  }

  private static Delivery gitlab(Path file, JsonNode root, byte[] bytes) throws Unrecognized {
    String kind = root.path("object_kind").asText();
    String event = switch (kind) {
      case "build" -> "Job Hook";
      case "pipeline" -> "Pipeline Hook";
      default -> throw new Unrecognized("a GitLab " + kind + " hook: only Job and Pipeline Hooks are ingested");
    };
    Map<String, String> h = new LinkedHashMap<>(json());
    h.put("X-Gitlab-Event", event);
    return new Delivery(file, 0, Source.GITLAB, h, bytes, 1);
  }

  private static List<Delivery> audit(Path file, String cluster, List<JsonNode> events) throws Unrecognized {
    if (cluster == null) {
      throw new Unrecognized("Kubernetes audit events: name their cluster with --cluster (it scopes every "
          + "k8s:<cluster>:... reference)");
    }
    List<Delivery> out = new ArrayList<>();
    for (int from = 0, part = 0; from < events.size(); from += AUDIT_CHUNK, part++) {
      List<JsonNode> chunk = events.subList(from, Math.min(events.size(), from + AUDIT_CHUNK));
      ObjectNode list = JsonNodeFactory.instance.objectNode();
      list.put("kind", "EventList");
      list.put("apiVersion", chunk.get(0).path("apiVersion").asText("audit.k8s.io/v1"));
      list.putArray("items").addAll(chunk);
      try {
        out.add(new Delivery(file, part, Source.K8S_AUDIT, json(), Json.mapper().writeValueAsBytes(list), chunk.size()));
      } catch (IOException e) {
        throw new Unrecognized("cannot re-encode audit events: " + e.getMessage());
      }
    }
    return out;
  }

  /** A CDEvent in its own JSON form ({@code context} + {@code subject}), as the CDEvents conformance files are. */
  private static boolean isCdEvent(JsonNode n) {
    return n.path("context").path("type").asText().startsWith("dev.cdevents.") && n.has("subject");
  }

  /** The CDEvent as a structured CloudEvent, the way the CDEvents CloudEvents binding maps its context. */
  private static byte[] cloudEventOf(JsonNode cdevent) throws Unrecognized {
    JsonNode c = cdevent.path("context");
    ObjectNode ce = JsonNodeFactory.instance.objectNode();
    ce.put("specversion", "1.0");
    ce.put("id", c.path("id").asText());
    ce.put("source", c.path("source").asText());
    ce.put("type", c.path("type").asText());
    if (c.hasNonNull("timestamp")) {
      ce.put("time", c.path("timestamp").asText());
    }
    ce.put("datacontenttype", "application/json");
    ce.set("data", cdevent);
    try {
      return Json.mapper().writeValueAsBytes(ce);
    } catch (IOException e) {
      throw new Unrecognized("cannot wrap the CDEvent: " + e.getMessage());
    }
  }

  /** An audit.k8s.io Event; old audit logs leave out the top-level apiVersion, so auditID + stage count too. */
  static boolean isAuditEvent(JsonNode n) {
    if (!"Event".equals(n.path("kind").asText())) {
      return false;
    }
    String apiVersion = n.path("apiVersion").asText("");
    return apiVersion.startsWith("audit.k8s.io/") || (apiVersion.isEmpty() && n.has("auditID") && n.has("stage"));
  }

  private static boolean isAuditList(JsonNode n) {
    return n.path("apiVersion").asText().startsWith("audit.k8s.io/") && "EventList".equals(n.path("kind").asText());
  }

  private static boolean isCloudTrail(JsonNode n) {
    return n.path("Records").isArray() || n.path("Events").isArray() || isEventBridge(n) || isCloudTrailRecord(n);
  }

  private static boolean isEventBridge(JsonNode n) {
    return n.has("detail-type") && n.has("detail");
  }

  private static boolean isCloudTrailRecord(JsonNode n) {
    return n.has("eventID") && n.has("eventSource");
  }

  private static int cloudTrailCount(JsonNode n) {
    if (n.path("Records").isArray()) {
      return n.path("Records").size();
    }
    if (n.path("Events").isArray()) {
      return n.path("Events").size();
    }
    return 1;
  }

  private static boolean isGcp(JsonNode n) {
    return n.path("message").has("data") || n.has("protoPayload") || (n.has("logName") && n.has("insertId"));
  }

  private static Map<String, String> json() {
    return Map.of("Content-Type", "application/json");
  }

  /** The one JSON value the bytes hold; null when they are not JSON or hold more than one value (JSON lines). */
  private static JsonNode parse(byte[] text) {
    try (com.fasterxml.jackson.core.JsonParser p = Json.mapper().createParser(text)) {
      JsonNode n = Json.mapper().readTree(p);
      return n == null || n.isMissingNode() || p.nextToken() != null ? null : n;
    } catch (IOException e) {
      return null;
    }
  }

  private static List<JsonNode> jsonLines(byte[] text) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : new String(text, StandardCharsets.UTF_8).split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = parse(line.getBytes(StandardCharsets.UTF_8));
      if (n == null || !n.isObject()) {
        return List.of();
      }
      out.add(n);
    }
    return out;
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
