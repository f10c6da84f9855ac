package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.bench.IngestBench;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.testing.CodecParity;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The record ingest writes for a k8s audit event is the one the generic path wrote before it had a writer of its
 * own: the data byte for byte what Jackson's bean serializer gives ({@code Json.mapper()}), for every k8s audit
 * fixture, the documented samples and the benchmark's events, each normalized from its source bytes (the
 * untouched ones are then written verbatim) and from the tree alone. {@link NormalizerFuzzTest} checks the same
 * over its mutated bodies.
 */
class K8sAuditEncodingTest {

  private static final K8sAuditNormalizer NORMALIZER =
      new K8sAuditNormalizer("killswitch.dev/ci-run", new Redactor());

  @Test
  void everyFixtureEncodesAsTheBeanSerializerDid() throws Exception {
    List<String> names = fixtureNames();
    int published = 0;
    for (String name : names) {
      byte[] bytes = Fixtures.bytes("k8s-audit/" + name);
      List<byte[]> bodies = new ArrayList<>();
      if (name.endsWith(".jsonl")) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            bodies.add(line.getBytes(StandardCharsets.UTF_8));
          }
        }
      } else {
        bodies.add(bytes);
      }
      for (byte[] body : bodies) {
        published += encodeAndCompare(body);
      }
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(15);
    assertThat(published).as("fixture events published").isGreaterThanOrEqualTo(names.size());
  }

  @Test
  void theSamplesAndTheBenchmarkEventsEncodeAsTheBeanSerializerDid() {
    int published = encodeAndCompare(AuditSamples.TOKEN_REQUEST.getBytes(StandardCharsets.UTF_8))
        + encodeAndCompare(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN.getBytes(StandardCharsets.UTF_8))
        + encodeAndCompare(IngestBench.eventList(new IngestBench.Events(), 30));
    assertThat(published).isEqualTo(2 * (1 + 1 + 30));
  }

  /**
   * Parses the body as the route does (an EventList's items, or one event), normalizes each item from its bytes
   * and from its tree, and compares each published record with the generic encoding; the number compared.
   */
  static int encodeAndCompare(byte[] body) {
    JsonSpans parsed;
    try {
      parsed = JsonSpans.parse(body);
    } catch (RuntimeException e) {
      return 0;
    }
    JsonNode root = parsed.root();
    List<JsonNode> events = new ArrayList<>();
    if (root.isObject() && root.path("items").isArray()) {
      root.get("items").forEach(events::add);
    } else {
      events.add(root);
    }
    int n = 0;
    for (JsonNode ev : events) {
      for (JsonSpans.Span span : new JsonSpans.Span[] {parsed.source(ev), null}) {
        Normalized normalized;
        try {
          normalized = NORMALIZER.normalize("prod", ev.deepCopy(), span);
        } catch (RuntimeException e) {
          continue; // refused: not what this compares
        }
        if (normalized instanceof Normalized.Publish p) {
          assertSameAsGeneric(p.event());
          n++;
        }
      }
    }
    return n;
  }

  /** The record {@link CloudEventCodec#toKafka} writes, against the SDK's writer and the bean serializer's data. */
  static void assertSameAsGeneric(Envelope<?> event) {
    assertThat(event.data()).isInstanceOf(K8sAuditEvent.class);
    CodecParity.assertWrittenAsTheGenericPathWrites(event);
  }

  private static List<String> fixtureNames() throws IOException, URISyntaxException {
    Path dir = Path.of(K8sAuditEncodingTest.class.getResource("/fixtures/k8s-audit").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
