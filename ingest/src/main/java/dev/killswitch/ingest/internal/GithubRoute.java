package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /v1/ingest/github}: GitHub webhooks, authenticated by {@code X-Hub-Signature-256}.
 * {@code workflow_job} and {@code workflow_run} are published to the CI topic; {@code ping} is answered;
 * every other type is answered 202, counted and dropped. A delivery this process already published is
 * answered {@code {"duplicate":true}} without publishing again.
 */
public final class GithubRoute implements Handler {

  public static final String PATH = "/v1/ingest/github";
  public static final String SOURCE = "github";
  static final String EVENT = "X-GitHub-Event";
  static final String DELIVERY = "X-GitHub-Delivery";
  static final String SIGNATURE = "X-Hub-Signature-256";
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

  private final GithubSignature signature;
  private final long maxRequestBytes;
  private final String topic;
  private final GithubNormalizer normalizer;
  private final RecentIds deliveries;
  private final Flow flow;
  private final IngestMetrics metrics;

  /** @param signature null when no secret is configured: every request is then refused */
  public GithubRoute(GithubSignature signature, long maxRequestBytes, String topic, GithubNormalizer normalizer,
                     RecentIds deliveries, Flow flow, IngestMetrics metrics) {
    this.signature = signature;
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.normalizer = normalizer;
    this.deliveries = deliveries;
    this.flow = flow;
    this.metrics = metrics;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (signature == null) {
      flow.reject(ctx, SOURCE, IngestException.of(Reason.SOURCE_DISABLED, "no GitHub webhook secret is configured"),
          null);
      return;
    }
    byte[] body;
    try {
      body = Bodies.read(ctx, maxRequestBytes);
    } catch (Bodies.TooLarge e) {
      // The signature covers the whole body, so an oversized one cannot be authenticated: nothing is published.
      flow.reject(ctx, SOURCE, e.problem(), null);
      return;
    }
    if (!signature.verifies(body, ctx.header(SIGNATURE))) {
      flow.reject(ctx, SOURCE, IngestException.of(Reason.BAD_SIGNATURE, ctx.header(SIGNATURE) == null
          ? "the " + SIGNATURE + " header is required" : "the " + SIGNATURE + " does not match the body"), null);
      return;
    }
    String event;
    String delivery;
    JsonNode payload;
    try {
      event = header(ctx, EVENT);
      delivery = header(ctx, DELIVERY);
      byte[] json = Bodies.media(ctx.contentType(), true) == Bodies.Media.FORM ? Bodies.formPayload(body) : body;
      payload = Bodies.json(json);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(body));
      return;
    }
    if (event.equals("ping")) {
      Answers.json(ctx, 200, Map.of("ok", true));
      return;
    }
    if (!GithubNormalizer.handles(event)) {
      metrics.ignored(SOURCE, "unhandled-event-type", 1);
      Answers.json(ctx, 202, Map.of("ignored", event));
      return;
    }
    if (deliveries.contains(delivery)) {
      metrics.deduplicated(SOURCE, "delivery-seen");
      Answers.json(ctx, 200, Map.of("duplicate", true, "id", delivery));
      return;
    }
    Envelope<?> envelope;
    ProducerRecord<String, byte[]> record;
    try {
      Optional<Envelope<?>> normalized = normalizer.normalize(event, delivery, payload);
      envelope = normalized.orElseThrow();
      record = flow.record(topic, envelope);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, redacted(payload));
      return;
    }
    try {
      flow.publish(SOURCE, List.of(envelope), List.of(record));
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, null);
      return;
    }
    deliveries.remember(delivery);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("accepted", 1);
    answer.put("id", delivery);
    answer.put("type", envelope.type().type());
    Answers.json(ctx, 200, answer);
  }

  private static String header(Context ctx, String name) {
    String value = ctx.header(name);
    if (value == null || value.isBlank()) {
      throw IngestException.missingHeader(name);
    }
    if (!TOKEN.matcher(value).matches()) {
      throw IngestException.of(Reason.INVALID_HEADER, "the " + name + " header is not a GitHub event name or delivery id");
    }
    return value;
  }

  private byte[] redacted(JsonNode payload) {
    try {
      return Json.mapper().writeValueAsBytes(flow.redactor().redact(payload));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    }
  }
}
