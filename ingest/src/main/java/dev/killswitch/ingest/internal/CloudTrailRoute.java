package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /v1/ingest/aws/cloudtrail}, authenticated with a bearer token holding {@link Role#INGEST}. Accepts
 * <ul>
 *   <li>an EventBridge event whose {@code detail-type} ends in "via CloudTrail" ({@code detail} is the record);</li>
 *   <li>a CloudTrail log file {@code {"Records":[...]}}, plain or gzip (by {@code Content-Encoding: gzip} or
 *       the gzip magic bytes: the files CloudTrail writes to S3 are {@code .json.gz});</li>
 *   <li>{@code aws cloudtrail lookup-events} output {@code {"Events":[{"CloudTrailEvent":"<json string>"}]}};</li>
 *   <li>one bare CloudTrail record, or a JSON array of records or EventBridge events.</li>
 * </ul>
 * Publishes one {@code aws.cloudtrail} event per record to the cloud topic (see {@link CloudTrailNormalizer}).
 */
public final class CloudTrailRoute implements Handler {

  public static final String PATH = "/v1/ingest/aws/cloudtrail";
  public static final String SOURCE = "aws-cloudtrail";
  static final String VIA_CLOUDTRAIL = "via CloudTrail";
  private static final List<String> GZIP_TYPES = List.of("application/gzip", "application/x-gzip",
      "application/octet-stream");

  /** One record of the request, with what its container says about it. */
  record Item(JsonNode node, String envelopeAccount, String envelopeRegion, boolean lookupEvent) {}

  private final ApiAccess access;
  private final long maxRequestBytes;
  private final String topic;
  private final CloudTrailNormalizer normalizer;
  private final Flow flow;

  public CloudTrailRoute(ApiAccess access, long maxRequestBytes, String topic, CloudTrailNormalizer normalizer,
                         Flow flow) {
    this.access = access;
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.normalizer = normalizer;
    this.flow = flow;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (!flow.authorize(ctx, SOURCE, access, Role.INGEST)) {
      return;
    }
    byte[] body;
    try {
      body = Bodies.read(ctx, maxRequestBytes);
    } catch (Bodies.TooLarge e) {
      flow.reject(ctx, SOURCE, e.problem(), flow.redactor().redactText(readable(e.prefix())));
      return;
    }
    JsonNode root;
    try {
      boolean gzip = Gzip.isGzip(body) || "gzip".equalsIgnoreCase(trimmed(ctx.header("Content-Encoding")));
      if (gzip && Gzip.isGzip(body)) {
        checkGzipMedia(ctx.contentType());
        body = Gzip.inflate(body, maxRequestBytes);
      } else {
        // A gzip Content-Encoding over bytes that are not gzip: a proxy already inflated them, read them as JSON.
        Bodies.media(ctx.contentType(), false);
      }
      root = Bodies.json(body);
    } catch (Gzip.Corrupt e) {
      flow.reject(ctx, SOURCE, e.problem(), flow.redactor().redactText(e.inflatedPrefix()));
      return;
    } catch (Bodies.TooLarge e) {
      flow.reject(ctx, SOURCE, e.problem(), flow.redactor().redactText(e.prefix()));
      return;
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(readable(body)));
      return;
    }
    List<Item> items;
    boolean single;
    try {
      single = root.isObject() && !root.has("Records") && !root.has("Events");
      items = items(root);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactToBytes(root));
      return;
    }
    flow.batch(ctx, SOURCE, topic, items, this::normalize, item -> flow.redactor().redactToBytes(item.node()), single);
  }

  private Normalized normalize(Item item) {
    JsonNode record = recordOf(item);
    return record == null ? new Normalized.Ignore("not-cloudtrail")
        : normalizer.normalize(record, item.envelopeAccount(), item.envelopeRegion());
  }

  /** The CloudTrail record an item holds; null for an EventBridge event that is not from CloudTrail. */
  static JsonNode recordOf(Item item) {
    if (item.lookupEvent()) {
      return lookupEventRecord(item.node());
    }
    if (item.node().isObject() && item.node().has("detail-type")) {
      String detailType = Fields.text(item.node(), "detail-type");
      if (detailType == null || !detailType.endsWith(VIA_CLOUDTRAIL)) {
        return null;
      }
      JsonNode record = item.node().get("detail");
      if (record == null || !record.isObject()) {
        throw IngestException.invalidEvent("the EventBridge event has no CloudTrail record in detail");
      }
      return record;
    }
    return item.node();
  }

  /** The items of a log file, of lookup-events output, of an array, or the one event or record. */
  static List<Item> items(JsonNode root) {
    List<Item> out = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(n -> out.add(item(n)));
      return out;
    }
    if (!root.isObject()) {
      throw IngestException.invalidEvent(
          "expected a CloudTrail log file, lookup-events output, an EventBridge event or a CloudTrail record");
    }
    if (root.has("Records")) {
      JsonNode records = root.get("Records");
      if (!records.isArray()) {
        throw IngestException.invalidEvent("Records must be an array");
      }
      records.forEach(n -> out.add(new Item(n, null, null, false)));
      return out;
    }
    if (root.has("Events")) {
      JsonNode events = root.get("Events");
      if (!events.isArray()) {
        throw IngestException.invalidEvent("Events must be an array");
      }
      events.forEach(n -> out.add(new Item(n, null, null, true)));
      return out;
    }
    out.add(item(root));
    return out;
  }

  private static Item item(JsonNode n) {
    if (n.isObject() && n.has("detail-type")) {
      return new Item(n, Fields.text(n, "account"), Fields.text(n, "region"), false);
    }
    return new Item(n, null, null, n.isObject() && n.has("CloudTrailEvent"));
  }

  /** lookup-events holds the record as a JSON string in {@code CloudTrailEvent}. */
  private static JsonNode lookupEventRecord(JsonNode event) {
    JsonNode value = event.get("CloudTrailEvent");
    if (value == null || !value.isTextual()) {
      throw IngestException.invalidEvent("a lookup-events entry must carry its record as the CloudTrailEvent string");
    }
    try {
      return Bodies.json(value.textValue().getBytes(StandardCharsets.UTF_8));
    } catch (IngestException e) {
      throw IngestException.invalidEvent("the CloudTrailEvent string is not a JSON record: " + e.getMessage());
    }
  }

  private static void checkGzipMedia(String contentType) {
    String base = trimmed(contentType == null ? null : contentType.split(";", 2)[0]);
    if (base != null && GZIP_TYPES.contains(base.toLowerCase(Locale.ROOT))) {
      return;
    }
    Bodies.media(contentType, false);
  }

  private static String trimmed(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** Compressed bytes are not text: the dead letter gets what could be inflated of them (redacted) instead. */
  private static byte[] readable(byte[] bytes) {
    return Gzip.isGzip(bytes) ? Gzip.inflatePrefix(bytes) : bytes;
  }
}
