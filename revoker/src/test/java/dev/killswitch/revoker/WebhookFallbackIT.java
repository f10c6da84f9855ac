package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.revoker.RevokerConfig.WebhookFallback;
import dev.killswitch.schemas.Json;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook while its denylist view cannot catch up (here: the denylist topic does not exist, as when Kafka is
 * unreachable at start): fail closed denies every request made with a credential id, fail open has no opinion.
 */
@ExtendWith(KafkaClusterExtension.class)
class WebhookFallbackIT {

  static final HttpClient client = HttpClient.newHttpClient();

  @Test
  void failClosedDeniesEveryBoundTokenWhileTheDenylistIsNotCaughtUp(KafkaTestCluster kafka) throws Exception {
    try (Harness h = behind(kafka, WebhookFallback.DENY)) {
      JsonNode status = authorize(h, "JTI=never-revoked").path("status");

      assertThat(status.path("allowed").asBoolean()).isFalse();
      assertThat(status.path("denied").asBoolean()).isTrue();
      assertThat(status.path("reason").asText()).isEqualTo("killswitch: denylist not caught up, failing closed");
      assertThat(authorize(h, null).path("status").has("denied")).as("no credential id, no opinion").isFalse();
      assertThat(h.revoker.isReady()).isFalse();
    }
  }

  @Test
  void failOpenHasNoOpinionWhileTheDenylistIsNotCaughtUp(KafkaTestCluster kafka) throws Exception {
    try (Harness h = behind(kafka, WebhookFallback.NO_OPINION)) {
      assertThat(authorize(h, "JTI=never-revoked").path("status"))
          .isEqualTo(Json.mapper().readTree("{\"allowed\":false}"));
    }
  }

  @Test
  void onceCaughtUpFailClosedNoLongerDeniesUnlistedTokens(KafkaTestCluster kafka) throws Exception {
    try (Harness h = new Harness(kafka, Clock.systemUTC(), c -> c.withWebhookWhenBehind(WebhookFallback.DENY))) {
      h.start(new ProviderRegistry());
      await().atMost(Harness.MAX).untilAsserted(() ->
          assertThat(authorize(h, "JTI=never-revoked").path("status").has("denied")).isFalse());
    }
  }

  static Harness behind(KafkaTestCluster kafka, WebhookFallback fallback) throws Exception {
    Harness h = new Harness(kafka, Clock.systemUTC(), c -> c.withWebhookWhenBehind(fallback));
    kafka.admin().deleteTopics(List.of(h.topics.denylist())).all().get(30, TimeUnit.SECONDS);
    return h.startWithoutWaiting(new ProviderRegistry());
  }

  static JsonNode authorize(Harness h, String credentialId) throws Exception {
    ObjectNode review;
    try (InputStream in = WebhookFallbackIT.class.getResourceAsStream("/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      review = (ObjectNode) Json.mapper().readTree(in);
    }
    ObjectNode extra = (ObjectNode) review.path("spec").path("extra");
    extra.remove("authentication.kubernetes.io/credential-id");
    if (credentialId != null) {
      extra.putArray("authentication.kubernetes.io/credential-id").add(credentialId);
    }
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(h.url("/v1/k8s/authorize/prod")))
        .header("Authorization", "Bearer " + Harness.AUTHZ_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(review))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }
}
