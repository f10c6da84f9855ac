package dev.killswitch.revoker.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class AuthorizationWebhookTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String TOKEN_REF = "k8s:prod:token/7c2b9e1f-4f7e-4a8e-9a31-3d1f0c6b2a10";

  final Denylist denylist = new Denylist();
  final AuthorizationWebhook webhook = new AuthorizationWebhook(denylist, Clock.fixed(NOW, ZoneOffset.UTC));

  static JsonNode review() throws IOException {
    try (InputStream in = AuthorizationWebhookTest.class.getResourceAsStream(
        "/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      return Json.mapper().readTree(in);
    }
  }

  void deny(String key, Instant expiresAt) throws IOException {
    DenylistEntry entry = new DenylistEntry("7c2b9e1f-4f7e-4a8e-9a31-3d1f0c6b2a10", "prod", "a1", "req-42",
        NOW.minusSeconds(60), expiresAt);
    denylist.apply(new ConsumerRecord<>("t.denylist", 0, 0, key, Json.mapper().writeValueAsBytes(entry)));
  }

  @Test
  void deniesTheReviewOfARequestMadeWithADeniedTokenNamingTheRevocation() throws IOException {
    deny(TOKEN_REF, null);

    AuthorizationWebhook.Review r = webhook.review("prod", review());

    assertThat(r.denied()).isTrue();
    assertThat(r.response()).isEqualTo(Json.mapper().readTree("""
        {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
         "status":{"allowed":false,"denied":true,"reason":"killswitch: token revoked (request req-42)"}}"""));
  }

  @Test
  void hasNoOpinionOnAnotherTokenAnotherClusterOrARequestWithoutCredentialId() throws IOException {
    deny(TOKEN_REF, null);
    ObjectNode otherToken = (ObjectNode) review();
    ((ObjectNode) otherToken.path("spec").path("extra"))
        .putArray(AuthorizationWebhook.CREDENTIAL_ID).add("JTI=another");
    ObjectNode noCredential = (ObjectNode) review();
    ((ObjectNode) noCredential.path("spec")).remove("extra");

    for (AuthorizationWebhook.Review r : new AuthorizationWebhook.Review[] {
        webhook.review("prod", otherToken), webhook.review("staging", review()), webhook.review("prod", noCredential)}) {
      assertThat(r.denied()).isFalse();
      assertThat(r.response().path("status")).isEqualTo(Json.mapper().readTree("{\"allowed\":false}"));
    }
  }

  @Test
  void liftsTheDenialOnATombstoneAndWhenATemporaryLockExpired() throws IOException {
    deny(TOKEN_REF, null);
    denylist.apply(new ConsumerRecord<>("t.denylist", 0, 1, TOKEN_REF, null));
    assertThat(webhook.review("prod", review()).denied()).isFalse();

    deny(TOKEN_REF, NOW.minusSeconds(1));
    assertThat(webhook.review("prod", review()).denied()).isFalse();

    deny(TOKEN_REF, NOW.plusSeconds(60));
    assertThat(webhook.review("prod", review()).denied()).isTrue();
  }

  @Test
  void answersInTheApiVersionItWasAskedIn() throws IOException {
    ObjectNode v1beta1 = (ObjectNode) review();
    v1beta1.put("apiVersion", "authorization.k8s.io/v1beta1");

    assertThat(webhook.review("prod", v1beta1).response().path("apiVersion").asText())
        .isEqualTo("authorization.k8s.io/v1beta1");
  }

  @Test
  void rejectsABodyThatIsNotASubjectAccessReview() {
    assertThatThrownBy(() -> webhook.review("prod", Json.mapper().readTree("{\"kind\":\"TokenReview\"}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whileTheDenylistIsBehindAnUnlistedTokenGetsTheFallbackAndAListedOneIsStillDenied() throws IOException {
    deny(TOKEN_REF, null);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    AuthorizationWebhook closed = new AuthorizationWebhook(denylist, clock, () -> false,
        dev.killswitch.revoker.RevokerConfig.WebhookFallback.DENY);
    AuthorizationWebhook open = new AuthorizationWebhook(denylist, clock, () -> false,
        dev.killswitch.revoker.RevokerConfig.WebhookFallback.NO_OPINION);
    ObjectNode unlisted = (ObjectNode) review();
    ((ObjectNode) unlisted.path("spec").path("extra")).putArray(AuthorizationWebhook.CREDENTIAL_ID).add("JTI=unknown");
    ObjectNode noCredential = (ObjectNode) review();
    ((ObjectNode) noCredential.path("spec")).remove("extra");

    AuthorizationWebhook.Review failClosed = closed.review("prod", unlisted);
    assertThat(failClosed.denied()).isTrue();
    assertThat(failClosed.behind()).isTrue();
    assertThat(failClosed.response().path("status").path("reason").asText())
        .isEqualTo("killswitch: denylist not caught up, failing closed");
    AuthorizationWebhook.Review failOpen = open.review("prod", unlisted);
    assertThat(failOpen.denied()).isFalse();
    assertThat(failOpen.behind()).isTrue();
    assertThat(failOpen.response().path("status").has("denied")).isFalse();

    assertThat(open.review("prod", review()).denied()).isTrue();
    assertThat(closed.review("prod", noCredential).denied()).isFalse();
  }
}
