package dev.killswitch.revoker.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.Revoker;
import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.revoker.kubernetes.DenyTokenProvider;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The revoker's two POST endpoints over real HTTP on the testkit broker, fed a few hundred generated bodies
 * (mutated revocation requests as JSON and as structured CloudEvents, mutated SubjectAccessReviews, garbage, deep
 * nesting, wrong tokens and content types): never a 5xx, every 4xx a JSON error, the requests topic holds exactly
 * one record per 202, and the webhook (empty denylist) never denies.
 */
@ExtendWith(KafkaClusterExtension.class)
class RevocationApiFuzzIT {

  static final String REVOKER_TOKEN = "fuzz-revoker-token";
  static final String AUTHZ_TOKEN = "fuzz-authz-token";
  static final int ROUNDS = Integer.getInteger("fuzz.rounds", 60);

  private final HttpClient client = HttpClient.newHttpClient();
  private final Random random = new Random(Long.getLong("fuzz.seed", 20261127L));
  private Revoker revoker;
  private Javalin http;
  private int accepted;

  @AfterEach
  void stop() {
    if (http != null) {
      http.stop();
    }
    if (revoker != null) {
      revoker.close();
    }
  }

  @Test
  void badBodiesAreAnswered4xxWithAJsonErrorAndNeverPublished(KafkaTestCluster kafka) throws Exception {
    Topics topics = kafka.newTopics();
    Clock clock = Clock.systemUTC();
    RevokerConfig config = RevokerConfig.defaults(new ApiAccess(List.of(
            new ApiAccess.Grant(REVOKER_TOKEN, Set.of(Role.REVOKER)),
            new ApiAccess.Grant(AUTHZ_TOKEN, Set.of(Role.AUTHZ)))))
        .withGroupIdPrefix(topics.prefix() + "-revoker");
    revoker = new Revoker(config, topics, kafka.clientProps(), new SimpleMeterRegistry(), clock,
        new ProviderRegistry().register(DenyTokenProvider.create(kafka.clientProps(), topics, clock)));
    http = Javalin.create(cfg -> revoker.addRoutes(cfg.routes)).start("127.0.0.1", 0);
    revoker.start();
    await().atMost(Duration.ofSeconds(60)).until(revoker::isReady);

    JsonNode sar;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      sar = Json.mapper().readTree(in);
    }
    byte[] deep = ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(UTF_8);
    for (int i = 0; i < ROUNDS; i++) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("target", "k8s:prod:token/fuzz-" + i).put("reason", "fuzz").put("mode", "dry-run")
          .put("requestId", "fuzz-" + i);
      post("/v1/revocations", mutated(body), "application/json", REVOKER_TOKEN);

      ObjectNode ce = JsonNodeFactory.instance.objectNode();
      ce.put("specversion", "1.0").put("id", "ce-" + i).put("source", "urn:fuzz")
          .put("type", "dev.killswitch.revocation.requested.v1").put("datacontenttype", "application/json");
      ce.set("data", body.deepCopy().put("requestId", "fuzz-ce-" + i).put("cascade", "none"));
      post("/v1/revocations", mutated(ce), "application/cloudevents+json", REVOKER_TOKEN);

      int status = post("/v1/k8s/authorize/prod", mutated(sar.deepCopy()), "application/json", AUTHZ_TOKEN);
      assertThat(status).isIn(200, 400);

      assertThat(post("/v1/revocations", "{\"target\":\"k8s:prod:token/x\",\"reason\":\"r\"}".getBytes(UTF_8),
          "application/json", random.nextBoolean() ? AUTHZ_TOKEN : "wrong")).isIn(401, 403);
      if (i % 20 == 0) {
        assertThat(post("/v1/revocations", deep, "application/json", REVOKER_TOKEN)).isEqualTo(400);
        assertThat(post("/v1/k8s/authorize/prod", deep, "application/json", AUTHZ_TOKEN)).isEqualTo(400);
      }
    }
    assertThat(kafka.readToEnd(topics.revocationRequests())).hasSize(accepted);
    assertThat(accepted).as("some mutations are still valid requests").isGreaterThan(0).isLessThan(2 * ROUNDS);
  }

  private byte[] mutated(JsonNode node) throws Exception {
    int roll = random.nextInt(10);
    if (roll == 0) {
      return List.of("", "{", "null", "[]", "1e99999", "\"x\"", "{\"target\":}").get(random.nextInt(7)).getBytes(UTF_8);
    }
    JsonNode m = roll > 2 ? RequestParsersFuzzTest.MUTATOR.mutate(node, random, 1 + random.nextInt(3)) : node;
    byte[] bytes = Json.mapper().writeValueAsBytes(m);
    return roll == 1 ? java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)) : bytes;
  }

  private int post(String path, byte[] body, String contentType, String token) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", contentType).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    int status = r.statusCode();
    assertThat(status).as("%s answered %s: %s", path, status, r.body()).isLessThan(500);
    JsonNode answer = Json.mapper().readTree(r.body());
    if (status >= 400) {
      assertThat(answer.path("error").isTextual()).as("a JSON error: %s", r.body()).isTrue();
    } else if (status == 202) {
      accepted++;
    } else if (path.startsWith("/v1/k8s/authorize")) {
      assertThat(answer.path("status").path("denied").asBoolean(false)).as("nothing is on the denylist").isFalse();
    }
    return status;
  }
}
