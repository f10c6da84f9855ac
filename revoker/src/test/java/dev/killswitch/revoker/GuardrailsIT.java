package dev.killswitch.revoker;

import static dev.killswitch.revoker.Harness.MAX;
import static dev.killswitch.revoker.Harness.accessKey;
import static dev.killswitch.revoker.Harness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.revoker.kubernetes.DenyTokenProvider;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Guardrails on a real broker: approval of broad actions, temporary locks, the preflight, shadow, the minute budget. */
@ExtendWith(KafkaClusterExtension.class)
class GuardrailsIT {

  static final String KEYS = "aws.deactivate-access-key";
  static final String ROLE_SESSIONS = "aws.revoke-role-sessions";
  static final HttpClient client = HttpClient.newHttpClient();

  static KafkaTestCluster kafka;
  static TestClock clock;
  static ScriptedProvider keys;
  static ScriptedProvider roles;
  static Harness harness;

  @BeforeAll
  static void start(KafkaTestCluster cluster) {
    kafka = cluster;
    clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    keys = new ScriptedProvider(KEYS);
    roles = new ScriptedProvider(ROLE_SESSIONS);
    harness = new Harness(kafka, clock, c -> c.withApprovalRequired(Set.of(ROLE_SESSIONS)));
    harness.start(new ProviderRegistry().register(keys).register(roles)
        .register(DenyTokenProvider.create(kafka.clientProps(), harness.topics, clock)));
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void aBroadActionWaitsForAnApproverAndRecordsWhoApprovedIt() throws Exception {
    String role = IdentityRef.awsRole("123456789012", "deployer-" + UUID.randomUUID()).toString();
    String requestId = harness.request(new RevocationRequested("req-" + UUID.randomUUID(), role, Cascade.NONE,
        "incident", "user:soc", Mode.ENFORCE, clock.instant(), null, false));

    await().atMost(MAX).untilAsserted(() ->
        assertThat(get(harness, "/v1/revocations/" + requestId).path("status").asText()).isEqualTo("pending-approval"));
    JsonNode held = get(harness, "/v1/revocations/" + requestId).path("actions").get(0);
    assertThat(held.path("action").asText()).isEqualTo(ROLE_SESSIONS);
    assertThat(held.path("outcome").asText()).isEqualTo("pending");
    assertThat(held.path("detail").asText()).isEqualTo("awaiting approval");
    assertThat(roles.calls(role)).isZero();

    String approve = "/v1/revocations/" + requestId + "/approve";
    assertThat(post(harness, approve, Harness.REVOKER_TOKEN).statusCode()).isEqualTo(403);
    assertThat(post(harness, "/v1/revocations/no-such/approve", Harness.APPROVER_TOKEN).statusCode()).isEqualTo(404);
    HttpResponse<String> approved = post(harness, approve, Harness.APPROVER_TOKEN);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    String approver = "user:" + ApiAccess.fingerprint(Harness.APPROVER_TOKEN);
    assertThat(Json.mapper().readTree(approved.body()).path("approvedBy").asText()).isEqualTo(approver);

    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult r = harness.result(requestId, role);
      assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(r.detail()).contains("approved by " + approver + " at " + clock.instant());
    });
    assertThat(roles.calls(role)).isEqualTo(1);
    assertThat(get(harness, "/v1/revocations/" + requestId).path("status").asText()).isEqualTo("done");
    assertThat(post(harness, approve, Harness.APPROVER_TOKEN).statusCode()).isEqualTo(409);
  }

  @Test
  void aTemporaryLockIsLiftedAtItsExpiryWithADenylistTombstoneAndALiftedResult() throws Exception {
    String jti = UUID.randomUUID().toString();
    String token = IdentityRef.k8sToken("prod", jti).toString();
    String key = accessKey("lock" + UUID.randomUUID());
    String run = run("lock-" + UUID.randomUUID());
    harness.publishChainOf(run, List.of(token, key));
    Instant expiresAt = clock.instant().plus(Duration.ofMinutes(30));
    String requestId = harness.request(new RevocationRequested("req-" + UUID.randomUUID(), run, Cascade.DOWNSTREAM,
        "suspicious use, hold until reviewed", "user:soc", Mode.ENFORCE, clock.instant(), expiresAt, false));
    await().atMost(MAX).untilAsserted(() -> {
      assertThat(harness.result(requestId, token).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(harness.result(requestId, key).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
    });
    assertThat(denylistValue(token)).isNotNull();

    clock.advance(Duration.ofMinutes(31));

    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult lifted = harness.result(requestId, token);
      assertThat(lifted.outcome()).isEqualTo(RevocationResult.Outcome.LIFTED);
      assertThat(lifted.detail()).isEqualTo("lock expired at " + expiresAt + ": JTI " + jti
          + " removed from the denylist of cluster prod");
      assertThat(harness.result(requestId, key).outcome()).isEqualTo(RevocationResult.Outcome.LIFTED);
    });
    assertThat(denylistValue(token)).as("the latest denylist record is a tombstone").isNull();
    assertThat(keys.lifts(key)).isEqualTo(1);
    assertThat(get(harness, "/v1/revocations/" + requestId).path("status").asText()).isEqualTo("done");
  }

  @Test
  void thePreflightSkipsALabelledProtectedTargetUnlessTheRequestOverrides() throws Exception {
    String guarded = accessKey("guard" + UUID.randomUUID());
    keys.protect(guarded);
    String plain = harness.request(new RevocationRequested("req-" + UUID.randomUUID(), guarded, Cascade.NONE, "r",
        "user:soc", Mode.ENFORCE, clock.instant(), null, false));
    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult r = harness.result(plain, guarded);
      assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.SKIPPED);
      assertThat(r.detail()).contains("killswitch.dev/protected=true");
    });

    String overridden = harness.request(new RevocationRequested("req-" + UUID.randomUUID(), guarded, Cascade.NONE,
        "r", "user:soc", Mode.ENFORCE, clock.instant(), null, true));
    await().atMost(MAX).untilAsserted(() ->
        assertThat(harness.result(overridden, guarded).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
    assertThat(keys.calls(guarded)).isEqualTo(1);
  }

  @Test
  void aRevokerInShadowModePlansAndRecordsButNeverCallsAProvider() throws Exception {
    ScriptedProvider shadowKeys = new ScriptedProvider(KEYS);
    try (Harness shadow = new Harness(kafka, clock, c -> c.withShadow(true))) {
      shadow.start(new ProviderRegistry().register(shadowKeys));
      String key = accessKey("shadow" + UUID.randomUUID());
      String run = run("shadow-" + UUID.randomUUID());
      shadow.publishChainOf(run, List.of(key));

      String requestId = shadow.request(run, Mode.ENFORCE);

      await().atMost(MAX).untilAsserted(() -> {
        RevocationResult r = shadow.result(requestId, key);
        assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.DRY_RUN);
        assertThat(r.detail()).isEqualTo("shadow mode (revoker): would " + KEYS + " " + key);
      });
      assertThat(shadowKeys.calls(key)).isZero();
    }
  }

  @Test
  void thePerMinuteBudgetSkipsActionsBeyondItUntilTheMinuteHasPassed() throws Exception {
    TestClock own = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    ScriptedProvider budgetKeys = new ScriptedProvider(KEYS);
    try (Harness h = new Harness(kafka, own, c -> c.withMaxActionsPerMinute(3))) {
      h.start(new ProviderRegistry().register(budgetKeys));
      List<String> first = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        first.add(accessKey("m" + i + UUID.randomUUID()));
      }
      String run1 = run("m1-" + UUID.randomUUID());
      h.publishChainOf(run1, first);
      String r1 = h.request(run1, Mode.ENFORCE);
      await().atMost(MAX).untilAsserted(() -> assertThat(h.latest(r1).values())
          .hasSize(2).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED)));

      List<String> second = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        second.add(accessKey("n" + i + UUID.randomUUID()));
      }
      String run2 = run("m2-" + UUID.randomUUID());
      h.publishChainOf(run2, second);
      String r2 = h.request(run2, Mode.ENFORCE);
      await().atMost(MAX).untilAsserted(() -> {
        Map<String, RevocationResult> results = h.latest(r2);
        assertThat(results).hasSize(2);
        assertThat(results.values()).filteredOn(r -> r.outcome() == RevocationResult.Outcome.REVOKED).hasSize(1);
        assertThat(results.values()).filteredOn(r -> r.outcome() == RevocationResult.Outcome.SKIPPED).singleElement()
            .satisfies(r -> assertThat(r.detail()).contains("per-minute budget"));
      });

      own.advance(Duration.ofSeconds(61));
      String key = accessKey("later" + UUID.randomUUID());
      String run3 = run("m3-" + UUID.randomUUID());
      h.publishChainOf(run3, List.of(key));
      String r3 = h.request(run3, Mode.ENFORCE);
      await().atMost(MAX).untilAsserted(() ->
          assertThat(h.result(r3, key).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
    }
  }

  static byte[] denylistValue(String tokenRef) {
    byte[] latest = null;
    boolean seen = false;
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(harness.topics.denylist())) {
      if (tokenRef.equals(r.key())) {
        latest = r.value();
        seen = true;
      }
    }
    assertThat(seen).as("a denylist record for " + tokenRef).isTrue();
    return latest;
  }

  static JsonNode get(Harness h, String path) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(h.url(path)))
        .header("Authorization", "Bearer " + Harness.ANALYST_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  static HttpResponse<String> post(Harness h, String path, String bearer) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(h.url(path))).header("Authorization", "Bearer " + bearer)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }
}
