package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /v1/ingest/gitlab}: GitLab webhooks, authenticated by {@code X-Gitlab-Token} (the webhook's
 * secret token, compared in constant time). Job Hook and Pipeline Hook are published to the CI topic;
 * other hooks are answered 202, counted and dropped. An event id this process already published (same job
 * or pipeline, same status) is answered {@code {"duplicate":true}} without publishing again.
 */
public final class GitlabRoute implements Handler {

  public static final String PATH = "/v1/ingest/gitlab";
  public static final String SOURCE = "gitlab";
  static final String EVENT = "X-Gitlab-Event";
  static final String TOKEN = "X-Gitlab-Token";
  static final String INSTANCE = "X-Gitlab-Instance";

  private final String token;
  private final long maxRequestBytes;
  private final String topic;
  private final GitlabNormalizer normalizer;
  private final RecentIds published;
  private final Flow flow;
  private final IngestMetrics metrics;

  /** @param token null when no token is configured: every request is then refused */
  public GitlabRoute(String token, long maxRequestBytes, String topic, GitlabNormalizer normalizer,
                     RecentIds published, Flow flow, IngestMetrics metrics) {
    this.token = token;
    this.maxRequestBytes = maxRequestBytes;
    this.topic = topic;
    this.normalizer = normalizer;
    this.published = published;
    this.flow = flow;
    this.metrics = metrics;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    if (token == null) {
      flow.reject(ctx, SOURCE, IngestException.of(Reason.SOURCE_DISABLED, "no GitLab webhook token is configured"),
          null);
      return;
    }
    String presented = ctx.header(TOKEN);
    if (presented == null || !ApiAccess.constantTimeEquals(presented, token)) {
      flow.reject(ctx, SOURCE, IngestException.of(Reason.BAD_TOKEN, presented == null
          ? "the " + TOKEN + " header is required" : "the " + TOKEN + " does not match"), null);
      return;
    }
    byte[] body = flow.body(ctx, SOURCE, maxRequestBytes);
    if (body == null) {
      return;
    }
    String event;
    JsonNode payload;
    try {
      Bodies.media(ctx.contentType(), false);
      event = ctx.header(EVENT);
      if (event == null || event.isBlank()) {
        throw IngestException.missingHeader(EVENT);
      }
      payload = Bodies.json(body);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, flow.redactor().redactText(body));
      return;
    }
    if (!GitlabNormalizer.handles(event)) {
      metrics.ignored(SOURCE, "unhandled-event-type", 1);
      Answers.json(ctx, 202, Map.of("ignored", event.length() > 100 ? event.substring(0, 100) : event));
      return;
    }
    Envelope<?> envelope;
    ProducerRecord<String, byte[]> record;
    try {
      envelope = normalizer.normalize(event, ctx.header(INSTANCE), payload).orElseThrow();
      record = flow.record(topic, envelope);
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, redacted(payload));
      return;
    }
    if (published.contains(envelope.id())) {
      metrics.deduplicated(SOURCE, "event-seen");
      Answers.json(ctx, 200, Map.of("duplicate", true, "id", envelope.id()));
      return;
    }
    try {
      flow.publish(SOURCE, List.of(envelope), List.of(record));
    } catch (IngestException e) {
      flow.reject(ctx, SOURCE, e, null);
      return;
    }
    published.remember(envelope.id());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("accepted", 1);
    answer.put("id", envelope.id());
    answer.put("type", envelope.type().type());
    Answers.json(ctx, 200, answer);
  }

  private byte[] redacted(JsonNode payload) {
    try {
      return Json.mapper().writeValueAsBytes(flow.redactor().redact(payload));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    }
  }
}
