package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/ingest/cloudevents}: the CloudEvents HTTP protocol binding, authenticated with a bearer token
 * holding {@link Role#INGEST}, in its three content modes:
 * <ul>
 *   <li>binary: the attributes in {@code ce-*} headers (percent-decoded), the data as the JSON body (what
 *       Tekton's and most CDEvents SDKs' HTTP senders do);</li>
 *   <li>structured: {@code Content-Type: application/cloudevents+json}, the whole event as one JSON object;</li>
 *   <li>batch: {@code Content-Type: application/cloudevents-batch+json}, a JSON array of structured events,
 *       answered like an audit EventList (200, 207 with the bad ones by index, or 400).</li>
 * </ul>
 * CDEvents pipeline/task runs ({@link CdEventsNormalizer}) and Tekton run events ({@link TektonNormalizer})
 * become {@code ci.run} / {@code ci.job} on the CI topic; other types are answered 202, counted and dropped.
 * CloudEvents spec versions other than 1.0 and 0.3 are refused with 400 {@code unsupported-version}.
 * Events are parsed and validated with the CloudEvents SDK's JSON format (binary mode is first put in the
 * structured form, so the three modes share one path).
 */
public final class CloudEventsRoute implements Handler {

  public static final String PATH = "/v1/ingest/cloudevents";
  public static final String SOURCE = "cloudevents";
  static final String STRUCTURED = "application/cloudevents+json";
  static final String BATCH = "application/cloudevents-batch+json";
  static final Set<String> SPEC_VERSIONS = Set.of("1.0", "0.3");
  private static final String HEADER_PREFIX = "ce-";
  /** Json.mapper() with the SDK's CloudEvent deserializer; a copy, since the shared mapper must not be reconfigured. */
  private static final ObjectMapper CLOUD_EVENTS = Json.mapper().copy()
      .registerModule(JsonFormat.getCloudEventJacksonModule());

  private final ApiAccess access;
  private final long maxRequestBytes;
  private final String topic;
  private final CdEventsNormalizer cdevents;
  private final TektonNormalizer tekton;
  private final Flow flow;
  private final IngestMetrics metrics;

  public CloudEventsRoute(ApiAccess access, long maxRequestBytes, String topic, CdEventsNormalizer cdevents,
                          TektonNormalizer tekton, Flow flow, IngestMetrics metrics) {
    this.access = access;
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.cdevents = cdevents;
    this.tekton = tekton;
    this.flow = flow;
    this.metrics = metrics;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (!flow.authorize(ctx, SOURCE, access, Role.INGEST)) {
      return;
    }
    byte[] body = flow.body(ctx, SOURCE, maxRequestBytes);
    if (body == null) {
      return;
    }
    String media = baseType(ctx.contentType());
    List<JsonNode> events;
    boolean single = !BATCH.equals(media);
    try {
      if (BATCH.equals(media)) {
        JsonNode root = Bodies.json(body);
        if (!root.isArray()) {
          throw IngestException.invalidEvent("a " + BATCH + " body must be a JSON array of CloudEvents");
        }
        events = new ArrayList<>(root.size());
        root.forEach(events::add);
      } else if (STRUCTURED.equals(media)) {
        events = List.of(Bodies.json(body));
      } else {
        events = List.of(fromBinary(ctx, body));
      }
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(body));
      return;
    }
    if (!events.isEmpty() && events.stream().allMatch(CloudEventsRoute::unhandledType)) {
      metrics.ignored(SOURCE, "unhandled-event-type", events.size());
      String type = text(events.get(0), "type");
      Answers.json(ctx, 202, Map.of("ignored", single ? (type.length() > 200 ? type.substring(0, 200) : type)
          : events.size()));
      return;
    }
    flow.batch(ctx, SOURCE, topic, events, this::normalize, flow.redactor()::redactToBytes, single);
  }

  /** One structured CloudEvent (as JSON) to a Killswitch event, dropped, or refused. */
  Normalized normalize(JsonNode structured) {
    CloudEvent event = cloudEvent(structured);
    String type = event.getType();
    if (CdEventsNormalizer.handles(type)) {
      return cdevents.normalize(type, data(event));
    }
    if (TektonNormalizer.handles(type)) {
      return tekton.normalize(event.getId(), event.getSource().toString(), type, event.getSubject(), event.getTime(),
          data(event));
    }
    return new Normalized.Ignore("unhandled-event-type");
  }

  /** The SDK's reading of a structured event, after the spec version is checked (so that it can be named). */
  static CloudEvent cloudEvent(JsonNode structured) {
    if (structured == null || !structured.isObject()) {
      throw IngestException.invalidEvent("a CloudEvent must be a JSON object");
    }
    String specVersion = text(structured, "specversion");
    if (specVersion == null) {
      throw IngestException.invalidEvent("the CloudEvent has no specversion");
    }
    if (!SPEC_VERSIONS.contains(specVersion)) {
      throw IngestException.of(Reason.UNSUPPORTED_VERSION,
          "CloudEvents specversion " + specVersion + " is not supported; send 1.0 (or 0.3)");
    }
    try {
      return CLOUD_EVENTS.treeToValue(structured, CloudEvent.class);
    } catch (JsonProcessingException e) {
      throw IngestException.invalidEvent("not a valid CloudEvent: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      throw IngestException.invalidEvent("not a valid CloudEvent: " + e.getMessage());
    }
  }

  /** The event's data as JSON (CDEvents and Tekton send JSON); null when it has none. */
  static JsonNode data(CloudEvent event) {
    CloudEventData data = event.getData();
    if (data == null) {
      return null;
    }
    if (data instanceof JsonCloudEventData json) {
      return json.getNode();
    }
    try {
      return Bodies.json(data.toBytes());
    } catch (IngestException e) {
      throw IngestException.invalidEvent("the data of CloudEvent " + event.getId() + " is not JSON: " + e.getMessage());
    }
  }

  /**
   * Binary mode in the structured form: each {@code ce-<name>} header is attribute {@code <name>} (header values
   * are percent-encoded by the binding), Content-Type is {@code datacontenttype}, the JSON body is {@code data}.
   */
  static JsonNode fromBinary(Context ctx, byte[] body) {
    if (ctx.header(HEADER_PREFIX + "specversion") == null) {
      throw IngestException.of(Reason.MISSING_HEADER, "the ce-specversion header is required in binary mode;"
          + " or send the event structured (" + STRUCTURED + ") or as a batch (" + BATCH + ")");
    }
    Bodies.media(ctx.contentType(), false);
    ObjectNode event = Json.mapper().createObjectNode();
    for (Map.Entry<String, String> h : ctx.headerMap().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
        event.put(name.substring(HEADER_PREFIX.length()), percentDecode(h.getValue()));
      }
    }
    event.put("datacontenttype", ctx.contentType() == null ? "application/json" : ctx.contentType());
    if (body.length > 0) {
      event.set("data", Bodies.json(body));
    }
    return event;
  }

  /** RFC 3986 percent-decoding of a header value as UTF-8 ({@code +} stays a plus). */
  static String percentDecode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    byte[] in = value.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
        out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  /** A well-formed event of a supported spec version whose type Killswitch does not read. */
  private static boolean unhandledType(JsonNode event) {
    String type = text(event, "type");
    String specVersion = text(event, "specversion");
    return event.isObject() && specVersion != null && SPEC_VERSIONS.contains(specVersion) && type != null
        && !CdEventsNormalizer.handles(type) && !TektonNormalizer.handles(type);
  }

  private static String baseType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
