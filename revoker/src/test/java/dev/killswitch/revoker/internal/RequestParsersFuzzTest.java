package dev.killswitch.revoker.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.revoker.kubernetes.AuthorizationWebhook;
import dev.killswitch.revoker.kubernetes.Denylist;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.fuzz.JsonMutator;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Fuzzing of the revoker's two request parsers as its routes use them. POST /v1/revocations (plain JSON and
 * structured CloudEvent, then the event encoded for Kafka) refuses only with {@code BadRequest} (400); the
 * SubjectAccessReview webhook refuses only with what its route answers 400 for (JSON errors, IOException,
 * IllegalArgumentException). Anything else would be a 500; a StackOverflowError or OOM fails too.
 */
class RequestParsersFuzzTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final JsonMutator MUTATOR = new JsonMutator("k8s:prod:token/", "k8s:prod:token/abc",
      "ci:github:a/b/runs/1", "aws:1:role/x", "JTI=", "JTI=\u0000", "JTI=../../x", "JTI=" + "a".repeat(10_000), "none",
      "downstream", "enforce", "dry-run", "2026-13-01T00:00:00Z", "2026-03-02T00:00:00Z", "-999999999-01-01T00:00:00Z",
      "+999999999-12-31T23:59:59Z", "playbook:", "user:x");

  final RevocationRequests requests = new RevocationRequests(Clock.fixed(NOW, ZoneOffset.UTC), Mode.ENFORCE);
  final AuthorizationWebhook webhook = new AuthorizationWebhook(new Denylist(), Clock.fixed(NOW, ZoneOffset.UTC));

  @Property(tries = 500)
  void aMutatedRevocationBodyIsAcceptedOrABadRequest(@ForAll long seed) {
    Random random = new Random(seed);
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("target", "k8s:prod:token/abc").put("reason", "leaked").put("cascade", "none").put("mode", "dry-run")
        .put("expiresAt", "2026-03-02T00:00:00Z").put("requestId", "soc-7").put("override", true)
        .put("requestedBy", "playbook:contain-ci");
    byte[] bytes = JsonMutator.bytes(MUTATOR.mutate(body, random, 1 + random.nextInt(3)));
    if (random.nextInt(8) == 0) {
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
    }
    byte[] input = bytes;
    badRequestOnly(() -> CloudEventCodec.toKafka("t", Events.request(requests.fromJson(input, "user:x"))));
  }

  @Property(tries = 500)
  void aMutatedRevocationCloudEventIsAcceptedOrABadRequest(@ForAll long seed) {
    Random random = new Random(seed);
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("requestId", "soc-7").put("target", "k8s:prod:token/abc").put("cascade", "downstream")
        .put("reason", "leaked").put("requestedBy", "playbook:p").put("mode", "enforce")
        .put("requestedAt", "2026-03-01T12:00:00Z").put("override", false);
    ObjectNode ce = JsonNodeFactory.instance.objectNode();
    ce.put("specversion", "1.0").put("id", "e-1").put("source", "urn:soc").put("type",
        "dev.killswitch.revocation.requested.v1").put("datacontenttype", "application/json");
    ce.set("data", data);
    byte[] input = JsonMutator.bytes(MUTATOR.mutate(ce, random, 1 + random.nextInt(3)));
    badRequestOnly(() -> CloudEventCodec.toKafka("t", requests.fromCloudEvent(input, "user:x")));
  }

  @Property(tries = 500)
  void aMutatedSubjectAccessReviewIsAnsweredOrRefusedAs400(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    reviewed(JsonMutator.bytes(MUTATOR.mutate(fixture(), random, 1 + random.nextInt(3))));
  }

  @Property(tries = 200)
  void arbitraryBytesAreRefusedAs400(@ForAll byte[] bytes) {
    badRequestOnly(() -> requests.fromJson(bytes, "user:x"));
    badRequestOnly(() -> requests.fromCloudEvent(bytes, "user:x"));
    reviewed(bytes);
  }

  @Example
  void tenThousandNestedArraysAreRefusedAs400() {
    byte[] deep = ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(UTF_8);
    byte[] deepField = ("{\"target\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}").getBytes(UTF_8);
    for (byte[] b : List.of(deep, deepField)) {
      badRequestOnly(() -> requests.fromJson(b, "user:x"));
      badRequestOnly(() -> requests.fromCloudEvent(b, "user:x"));
      reviewed(b);
    }
  }

  @Example
  void jsonScalarsAndNullAreRefusedAs400() {
    for (String body : List.of("null", "true", "1", "\"x\"", "[]", "{}", "", " ", "\ufeff{}")) {
      byte[] b = body.getBytes(UTF_8);
      badRequestOnly(() -> requests.fromJson(b, "user:x"));
      badRequestOnly(() -> requests.fromCloudEvent(b, "user:x"));
      reviewed(b);
    }
  }

  /** As RevocationApi.authorize: a JSON answer, or 400 for JSON, I/O and IllegalArgumentException problems. */
  private void reviewed(byte[] body) {
    try {
      AuthorizationWebhook.Review review = webhook.review("prod", Json.mapper().readTree(body));
      assertThat(Json.mapper().writeValueAsBytes(review.response())).isNotEmpty();
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // 400
    } catch (IOException e) {
      // 400
    } catch (Throwable t) {
      throw new AssertionError("would be a 500: " + t, t);
    }
  }

  interface Step {
    void run() throws Exception;
  }

  private static void badRequestOnly(Step step) {
    try {
      step.run();
    } catch (RevocationRequests.BadRequest e) {
      assertThat(e.code()).isNotBlank();
    } catch (Throwable t) {
      throw new AssertionError("would be a 500: " + t, t);
    }
  }

  private static JsonNode fixture() throws IOException {
    try (InputStream in = RequestParsersFuzzTest.class.getResourceAsStream(
        "/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      return Json.mapper().readTree(in);
    }
  }
}
