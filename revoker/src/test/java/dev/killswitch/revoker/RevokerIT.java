package dev.killswitch.revoker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.revoker.kubernetes.DenyTokenProvider;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The revoker end to end on a real broker: chain view, planner, executor, ledger, HTTP API and webhook. */
@ExtendWith(KafkaClusterExtension.class)
class RevokerIT {

  static final Duration MAX = Duration.ofSeconds(60);
  static final String REVOKER_TOKEN = "revoker-token-for-tests";
  static final String ANALYST_TOKEN = "analyst-token-for-tests";
  static final String AUTHZ_TOKEN = "authz-token-for-tests";
  static final AtomicInteger accessKeyCalls = new AtomicInteger();

  static KafkaTestCluster kafka;
  static Topics topics;
  static RevokerConfig config;
  static Revoker revoker;
  static Javalin http;
  static KafkaProducer<String, byte[]> producer;
  static final HttpClient client = HttpClient.newHttpClient();

  /** Counts its calls: the idempotency test proves a duplicated request calls a provider once. */
  record CountingAccessKeyProvider() implements RevocationProvider {
    @Override
    public String actionId() {
      return "aws.deactivate-access-key";
    }

    @Override
    public Outcome execute(RevocationAction action) {
      accessKeyCalls.incrementAndGet();
      return new Outcome.Revoked("key set Inactive");
    }
  }

  @BeforeAll
  static void start(KafkaTestCluster cluster) {
    kafka = cluster;
    topics = kafka.newTopics();
    Clock clock = Clock.systemUTC();
    config = RevokerConfig.defaults(new ApiAccess(List.of(
            new ApiAccess.Grant(REVOKER_TOKEN, Set.of(Role.REVOKER)),
            new ApiAccess.Grant(ANALYST_TOKEN, Set.of(Role.ANALYST)),
            new ApiAccess.Grant(AUTHZ_TOKEN, Set.of(Role.AUTHZ)))))
        .withGroupIdPrefix(topics.prefix() + "-revoker");
    ProviderRegistry providers = new ProviderRegistry()
        .register(DenyTokenProvider.create(kafka.clientProps(), topics, clock))
        .register(new CountingAccessKeyProvider());
    revoker = new Revoker(config, topics, kafka.clientProps(), new SimpleMeterRegistry(), clock, providers);
    http = Javalin.create(cfg -> revoker.addRoutes(cfg.routes)).start("127.0.0.1", 0);
    revoker.start();
    producer = kafka.producer();
    await().atMost(MAX).until(revoker::isReady);
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.stop();
    }
    if (revoker != null) {
      revoker.close();
    }
    if (producer != null) {
      producer.close();
    }
  }

  @Test
  void aDryRunOfARunPlansOneDenyTokenActionAndRecordsADryRunResultThatTheApiShows() throws Exception {
    String run = IdentityRef.githubRun("acme/app", "1001").toString();
    String token = IdentityRef.k8sToken("prod", "jti-" + UUID.randomUUID()).toString();
    publishChain(run, token);
    String requestId = "req-" + UUID.randomUUID();
    publishRequest(requestId, run, Mode.DRY_RUN);

    String actionId = DeterministicIds.actionId(requestId, "k8s.deny-token", token);
    await().atMost(MAX).untilAsserted(() -> assertThat(actionsOf(requestId)).singleElement().satisfies(a -> {
      assertThat(a.action()).isEqualTo("k8s.deny-token");
      assertThat(a.target()).isEqualTo(token);
      assertThat(a.actionId()).isEqualTo(actionId);
    }));
    await().atMost(MAX).untilAsserted(() -> assertThat(finalResultsOf(requestId)).singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.DRY_RUN)));

    JsonNode view = getRevocation(requestId, ANALYST_TOKEN);
    assertThat(view.path("status").asText()).isEqualTo("done");
    assertThat(view.path("request").path("target").asText()).isEqualTo(run);
    assertThat(view.path("actions")).hasSize(1);
    JsonNode action = view.path("actions").get(0);
    assertThat(action.path("actionId").asText()).isEqualTo(actionId);
    assertThat(action.path("action").asText()).isEqualTo("k8s.deny-token");
    assertThat(action.path("target").asText()).isEqualTo(token);
    assertThat(action.path("outcome").asText()).isEqualTo("dry-run");
    assertThat(action.path("attempts").asInt()).isZero();
    assertThat(action.path("recordedAt").asText()).isNotEmpty();
  }

  @Test
  void aRequestPublishedTwiceAndAnActionDeliveredTwiceCallTheProviderOnce() throws Exception {
    String run = IdentityRef.githubRun("acme/app", "2002").toString();
    String key = IdentityRef.awsAccessKey("123456789012", "AKIA" + UUID.randomUUID().toString().substring(0, 8)
        .toUpperCase()).toString();
    publishChain(run, List.of(new ChainSnapshot.Edge(run, key, "minted", 1.0, List.of("ev-1"), Instant.now(),
        Instant.now(), 1)));
    String requestId = "req-" + UUID.randomUUID();
    int before = accessKeyCalls.get();

    publishRequest(requestId, run, Mode.ENFORCE);
    await().atMost(MAX).until(() -> "done".equals(getRevocation(requestId, ANALYST_TOKEN).path("status").asText()));
    publishRequest(requestId, run, Mode.ENFORCE);
    RevocationAction action = actionsOf(requestId).get(0);
    producer.send(CloudEventCodec.toKafka(topics.revocationActions(),
        new Envelope<>(action.actionId(), URI.create("killswitch://revoker"), EventType.REVOCATION_ACTION,
            action.target(), null, action.target(), action))).get(30, TimeUnit.SECONDS);
    awaitGroupDone(config.plannerGroupId(), topics.revocationRequests());
    awaitGroupDone(config.executorGroupId(), topics.revocationActions());

    assertThat(accessKeyCalls.get() - before).isEqualTo(1);
    assertThat(finalResultsOf(requestId)).singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
    JsonNode view = getRevocation(requestId, REVOKER_TOKEN);
    assertThat(view.path("actions")).hasSize(1);
    assertThat(view.path("actions").get(0).path("outcome").asText()).isEqualTo("revoked");
  }

  @Test
  void enforcingPutsTheTokenOnTheDenylistAndTheWebhookDeniesItAndHasNoOpinionOnOthers() throws Exception {
    String run = IdentityRef.githubRun("acme/app", "3003").toString();
    String jti = UUID.randomUUID().toString();
    String token = IdentityRef.k8sToken("prod", jti).toString();
    publishChain(run, token);
    String requestId = "req-" + UUID.randomUUID();

    publishRequest(requestId, run, Mode.ENFORCE);

    await().atMost(MAX).untilAsserted(() -> assertThat(finalResultsOf(requestId)).singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED)));
    ConsumerRecord<String, byte[]> entry = kafka.readToEnd(topics.denylist()).stream()
        .filter(r -> token.equals(r.key())).findFirst().orElseThrow();
    JsonNode value = Json.mapper().readTree(entry.value());
    assertThat(value.path("jti").asText()).isEqualTo(jti);
    assertThat(value.path("cluster").asText()).isEqualTo("prod");
    assertThat(value.path("requestId").asText()).isEqualTo(requestId);
    assertThat(value.path("actionId").asText()).isEqualTo(DeterministicIds.actionId(requestId, "k8s.deny-token", token));

    await().atMost(MAX).untilAsserted(() -> {
      JsonNode status = authorize("prod", jti).path("status");
      assertThat(status.path("allowed").asBoolean()).isFalse();
      assertThat(status.path("denied").asBoolean()).isTrue();
      assertThat(status.path("reason").asText()).isEqualTo("killswitch: token revoked (request " + requestId + ")");
    });
    JsonNode other = authorize("prod", UUID.randomUUID().toString());
    assertThat(other.path("status")).isEqualTo(Json.mapper().readTree("{\"allowed\":false}"));
    assertThat(authorize("staging", jti).path("status").has("denied")).isFalse();
  }

  @Test
  void postingARevocationAnswers202WithTheRequestIdAndTheLedgerShowsItsOutcome() throws Exception {
    String token = IdentityRef.k8sToken("prod", UUID.randomUUID().toString()).toString();
    HttpResponse<String> posted = post("/v1/revocations", REVOKER_TOKEN, "application/json",
        "{\"target\":\"" + token + "\",\"reason\":\"leaked in a log\",\"mode\":\"dry-run\",\"cascade\":\"none\"}");

    assertThat(posted.statusCode()).isEqualTo(202);
    String requestId = Json.mapper().readTree(posted.body()).path("requestId").asText();
    assertThat(requestId).isNotBlank();
    await().atMost(MAX).until(() -> "done".equals(getRevocation(requestId, ANALYST_TOKEN).path("status").asText()));
    JsonNode view = getRevocation(requestId, ANALYST_TOKEN);
    assertThat(view.path("request").path("requestedBy").asText()).isEqualTo("user:" + ApiAccess.fingerprint(REVOKER_TOKEN));
    assertThat(view.path("actions").get(0).path("outcome").asText()).isEqualTo("dry-run");
  }

  @Test
  void theApiChecksTokensAndRolesAndRejectsAnInvalidTargetAndAnUnknownRequest() throws Exception {
    String body = "{\"target\":\"k8s:prod:token/x\",\"reason\":\"r\",\"mode\":\"dry-run\"}";
    assertThat(post("/v1/revocations", null, "application/json", body).statusCode()).isEqualTo(401);
    assertThat(post("/v1/revocations", "not-a-token", "application/json", body).statusCode()).isEqualTo(401);
    assertThat(post("/v1/revocations", ANALYST_TOKEN, "application/json", body).statusCode()).isEqualTo(403);
    assertThat(post("/v1/k8s/authorize/prod", REVOKER_TOKEN, "application/json", sar("x")).statusCode()).isEqualTo(403);

    HttpResponse<String> bad = post("/v1/revocations", REVOKER_TOKEN, "application/json",
        "{\"target\":\"prod/token/x\",\"reason\":\"r\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(bad.body()).path("error").asText()).isEqualTo("invalid-request");
    assertThat(Json.mapper().readTree(bad.body()).path("message").asText()).contains("invalid identity reference 'prod/token/x'");

    HttpResponse<String> unknown = get("/v1/revocations/no-such-request", ANALYST_TOKEN);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readTree(unknown.body()).path("error").asText()).isEqualTo("not-found");
  }

  // ---- helpers ----

  static void publishChain(String run, String token) throws Exception {
    String user = IdentityRef.k8sUser("prod", "ci:acme/app").toString();
    String sa = IdentityRef.k8sServiceAccount("prod", "ci", "deployer").toString();
    Instant t = Instant.now();
    publishChain(run, List.of(
        new ChainSnapshot.Edge(run, user, "authenticated-as", 1.0, List.of("ev-1"), t, t, 1),
        new ChainSnapshot.Edge(user, token, "minted", 1.0, List.of("ev-2"), t, t, 1),
        new ChainSnapshot.Edge(token, sa, "credential-of", 1.0, List.of("ev-2"), t, t, 1)));
  }

  static void publishChain(String root, List<ChainSnapshot.Edge> edges) throws Exception {
    String chainId = DeterministicIds.chainId(root);
    ChainSnapshot snapshot = FiredSnapshots.of(root, edges, Instant.now());
    producer.send(CloudEventCodec.toKafka(topics.chains(), new Envelope<>(chainId + "-1",
        URI.create("killswitch://correlator"), EventType.CHAIN, root, Instant.now().atOffset(ZoneOffset.UTC), chainId,
        snapshot))).get(30, TimeUnit.SECONDS);
  }

  static void publishRequest(String requestId, String target, Mode mode) throws Exception {
    RevocationRequested request = new RevocationRequested(requestId, target, Cascade.DOWNSTREAM, "job completed",
        "trigger:job-completed", mode, Instant.now(), null, false);
    producer.send(CloudEventCodec.toKafka(topics.revocationRequests(), new Envelope<>("ce-" + requestId,
        URI.create("killswitch://correlator"), EventType.REVOCATION_REQUESTED, target, null, target, request)))
        .get(30, TimeUnit.SECONDS);
  }

  static List<RevocationAction> actionsOf(String requestId) {
    return kafka.readToEnd(topics.revocationActions()).stream()
        .map(r -> CloudEventCodec.fromKafka(r).dataAs(RevocationAction.class))
        .filter(a -> requestId.equals(a.requestId()))
        .collect(Collectors.toList());
  }

  static List<RevocationResult> finalResultsOf(String requestId) {
    return kafka.readToEnd(topics.revocationResults()).stream()
        .map(r -> CloudEventCodec.fromKafka(r).dataAs(RevocationResult.class))
        .filter(r -> requestId.equals(r.requestId()) && r.outcome().isFinal())
        .collect(Collectors.toList());
  }

  /** Until the group has committed everything in the topic: every record there was handled. */
  static void awaitGroupDone(String group, String topic) {
    await().atMost(MAX).untilAsserted(() -> {
      Map<TopicPartition, OffsetAndMetadata> committed =
          kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<Integer, Long> ends = kafka.readToEnd(topic).stream()
          .collect(Collectors.toMap(ConsumerRecord::partition, r -> r.offset() + 1, Math::max));
      ends.forEach((partition, end) -> {
        OffsetAndMetadata c = committed.get(new TopicPartition(topic, partition));
        assertThat(c == null ? 0 : c.offset()).as(group + " on " + topic + "-" + partition).isGreaterThanOrEqualTo(end);
      });
    });
  }

  static JsonNode getRevocation(String requestId, String bearer) throws Exception {
    HttpResponse<String> r = get("/v1/revocations/" + requestId, bearer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  static JsonNode authorize(String cluster, String jti) throws Exception {
    HttpResponse<String> r = post("/v1/k8s/authorize/" + cluster, AUTHZ_TOKEN, "application/json", sar(jti));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(body.path("apiVersion").asText()).isEqualTo("authorization.k8s.io/v1");
    assertThat(body.path("kind").asText()).isEqualTo("SubjectAccessReview");
    return body;
  }

  /** The SubjectAccessReview fixture with the given JTI as credential id. */
  static String sar(String jti) throws IOException {
    try (InputStream in = RevokerIT.class.getResourceAsStream("/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      ObjectNode review = (ObjectNode) Json.mapper().readTree(in);
      ((ObjectNode) review.path("spec").path("extra")).putArray("authentication.kubernetes.io/credential-id")
          .add("JTI=" + jti);
      return Json.mapper().writeValueAsString(review);
    }
  }

  static HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String bearer, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
