package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JsonSpansTest {

  private final K8sAuditNormalizer normalizer = new K8sAuditNormalizer("killswitch.dev/ci-run", new Redactor());

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String eventList(String... events) {
    return "{\"kind\":\"EventList\", \"apiVersion\":\"audit.k8s.io/v1\",\"items\":[ " + String.join(" ,\n", events)
        + " ],\"metadata\":{}}";
  }

  /** A bound-token Secret read: nothing in it is a secret. */
  private static String cleanEvent() {
    return AuditSamples.SECRET_READ_WITH_BOUND_TOKEN;
  }

  private byte[] data(JsonNode event, JsonSpans.Span source) {
    Normalized.Publish p = (Normalized.Publish) normalizer.normalize("prod", event, source);
    return CloudEventCodec.toKafka("t", p.event()).value();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void theTreeIsTheOneTheStrictParserGivesAndEachItemsSpanIsItsOwnBytes() {
    byte[] body = utf8(eventList(cleanEvent(), AuditSamples.TOKEN_REQUEST, "\"not an object\""));
    JsonSpans parsed = JsonSpans.parse(body);

    assertThat(parsed.root()).isEqualTo(Bodies.json(body));
    JsonNode items = parsed.root().get("items");
    for (int i = 0; i < 2; i++) {
      JsonSpans.Span span = parsed.source(items.get(i));
      byte[] bytes = Arrays.copyOfRange(span.bytes(), span.offset(), span.offset() + span.length());
      assertThat(Bodies.json(bytes)).isEqualTo(items.get(i));
    }
    assertThat(parsed.source(items.get(2))).isNull();
    assertThat(parsed.source(parsed.root())).isNotNull();
  }

  @Test
  void anEventWithNothingToRedactIsPublishedAsItsSourceBytesAndReadsBackEqual() throws Exception {
    byte[] body = utf8(eventList(cleanEvent()));
    JsonSpans parsed = JsonSpans.parse(body);
    JsonNode event = parsed.root().get("items").get(0);
    JsonSpans.Span span = parsed.source(event);

    byte[] value = data(event, span);

    byte[] source = Arrays.copyOfRange(body, span.offset(), span.offset() + span.length());
    assertThat(contains(value, source)).as("raw is the source bytes").isTrue();
    K8sAuditEvent read = Json.mapper().readValue(value, K8sAuditEvent.class);
    assertThat(read.raw()).isEqualTo(Json.mapper().readTree(cleanEvent()));
    // the same event normalized from a tree alone serializes to an equal document
    assertThat(Json.mapper().readTree(value)).isEqualTo(Json.mapper().readTree(data(AuditSamples.json(cleanEvent()), null)));
  }

  @Test
  void anEventTheRedactorChangedIsSerializedFromTheRedactedTreeNotCopied() {
    byte[] body = utf8(eventList(AuditSamples.TOKEN_REQUEST));
    JsonSpans parsed = JsonSpans.parse(body);
    JsonNode event = parsed.root().get("items").get(0);

    byte[] value = data(event, parsed.source(event));

    assertThat(contains(value, utf8(AuditSamples.TOKEN_VALUE))).isFalse();
    assertThat(contains(value, utf8(Redactor.MARK))).isTrue();
  }

  @Test
  void aRepeatedFieldNameKeepsTheSourceBytesOutSinceTheTreeHoldsOnlyItsLastValue() {
    // The tree keeps "password": null, which the redactor leaves alone; the bytes also hold the first value.
    String event = cleanEvent().replaceFirst("\"verb\": \"get\",",
        "\"verb\": \"get\", \"requestObject\": {\"password\": \"hunter2-secret\", \"password\": null},");
    byte[] body = utf8(eventList(event));
    JsonSpans parsed = JsonSpans.parse(body);
    JsonNode parsedEvent = parsed.root().get("items").get(0);

    assertThat(parsed.root()).isEqualTo(Bodies.json(body));
    assertThat(parsed.source(parsedEvent)).isNull();
    assertThat(contains(data(parsedEvent, parsed.source(parsedEvent)), utf8("hunter2-secret"))).isFalse();
  }

  @Test
  void aSingleEventIsSpannedAsTheRoot() {
    byte[] body = utf8("  " + cleanEvent() + "\n");
    JsonSpans parsed = JsonSpans.parse(body);

    JsonSpans.Span span = parsed.source(parsed.root());
    assertThat(span.offset()).isEqualTo(2);
    assertThat(new String(body, span.offset(), span.length(), StandardCharsets.UTF_8)).isEqualTo(cleanEvent().strip());
  }

  @Test
  void malformedBodiesFailAsTheStrictParserFailsThem() {
    for (String bad : new String[] {"", "{\"items\":[{}]", "{\"items\":[]} trailing", "[1,2]x", "{\"a\":1,}"}) {
      byte[] body = utf8(bad);
      Throwable expected = catchThrowable(() -> Bodies.json(body));
      assertThatThrownBy(() -> JsonSpans.parse(body)).isInstanceOf(IngestException.class)
          .hasMessage(expected.getMessage());
    }
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aVerbatimObjectIsAnOrdinaryTreeForEveryOtherWriter() throws Exception {
    byte[] body = utf8(eventList(cleanEvent()));
    JsonSpans parsed = JsonSpans.parse(body);
    JsonNode event = parsed.root().get("items").get(0);
    Normalized.Publish p = (Normalized.Publish) normalizer.normalize("prod", event, parsed.source(event));
    K8sAuditEvent data = p.event().dataAs(K8sAuditEvent.class);

    assertThat(data.raw()).isInstanceOf(VerbatimObjectNode.class);
    JsonNode tree = Json.mapper().valueToTree(data);
    assertThat(tree.get("raw").isObject()).isTrue();
    assertThat(tree.get("raw")).isEqualTo(Json.mapper().readTree(utf8(cleanEvent())));
  }
}
