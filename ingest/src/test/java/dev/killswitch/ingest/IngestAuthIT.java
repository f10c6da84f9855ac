package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.ApiAccess.Grant;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the bearer ingest paths authenticate, configured as {@code killswitch run} does with per-source tokens:
 * <ul>
 *   <li>ingest tokens limited to sources: the apiserver's token admits the Kubernetes audit path only, and the shared
 *       ingest token (limited to the sources without a token of their own) no longer admits that path;</li>
 *   <li>Pub/Sub push authentication on {@code /v1/ingest/gcp/audit}: a real push envelope with a Google-shaped OIDC
 *       token, signed by a locally generated RSA key whose JWKS a local HTTP server publishes. A valid token publishes
 *       the entry; every forged or mis-addressed one is refused 401.</li>
 * </ul>
 * A refused request publishes nothing, not even to the dead letter topic.
 */
@ExtendWith(KafkaClusterExtension.class)
class IngestAuthIT {

  private static final String K8S_TOKEN = "it-k8s-audit-only-token";
  private static final String GCP_TOKEN = "it-gcp-audit-only-token";
  private static final String K8S = "/v1/ingest/k8s-audit/prod";
  private static final String CLOUDTRAIL = "/v1/ingest/aws/cloudtrail";
  private static final String GCP = "/v1/ingest/gcp/audit";
  private static final String KID = "google-key-1";
  private static PushTokenMint mint;

  private Topics topics;
  private IngestServer server;
  private KafkaTestCluster kafka;

  @BeforeEach
  void start(KafkaTestCluster kafka) throws Exception {
    this.kafka = kafka;
    topics = kafka.newTopics();
    if (mint == null) {
      mint = new PushTokenMint().publish(KID).publish("other-key");
    }
    ApiAccess access = new ApiAccess(List.of(
        new Grant(IngestServer.INGEST_TOKEN, EnumSet.of(Role.INGEST), Set.of("aws-cloudtrail", "cloudevents")),
        new Grant(K8S_TOKEN, EnumSet.of(Role.INGEST), Set.of("k8s-audit")),
        new Grant(GCP_TOKEN, EnumSet.of(Role.INGEST), Set.of("gcp-audit"))));
    IngestConfig config = IngestConfig.of(IngestServer.GITHUB_SECRET, IngestServer.GITLAB_TOKEN, access).withGcpPush(
        new GcpPushAuth(PushTokenMint.AUDIENCE, Set.of(PushTokenMint.PUSH_ACCOUNT), mint.jwksUrl(), null));
    server = IngestServer.start(config, topics, kafka.bootstrapServers(), Map.of());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @AfterAll
  static void stopJwks() {
    if (mint != null) {
      mint.close();
      mint = null;
    }
  }

  private HttpResponse<String> push(String token) throws Exception {
    byte[] body = GcpAuditIngestIT.push(
        Fixtures.bytes("gcp-audit/google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json"));
    return server.post(GCP, body, "Content-Type", "application/json", "Authorization", "Bearer " + token);
  }

  @Test
  void aPushWithAValidGoogleSignedTokenPublishesItsEntry() throws Exception {
    HttpResponse<String> response = push(mint.rs256(KID, PushTokenMint.claims()));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(1);
  }

  @Test
  void theSourcesBearerTokenStillAdmitsABackfillWhenPushTokensAreVerified() throws Exception {
    HttpResponse<String> response = push(GCP_TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(1);
  }

  static Stream<Arguments> refusedTokens() {
    long now = Instant.now().getEpochSecond();
    return Stream.of(
        refused("wrong audience", "audience", m -> m.rs256(KID, PushTokenMint.claims()
            .put("aud", "https://attacker.example.com/push"))),
        refused("another service account", "email", m -> m.rs256(KID, PushTokenMint.claims()
            .put("email", "someone@attacker-project.iam.gserviceaccount.com"))),
        refused("unverified email", "not verified", m -> m.rs256(KID, PushTokenMint.claims()
            .put("email_verified", false))),
        refused("expired", "expired", m -> m.rs256(KID, PushTokenMint.claims()
            .put("iat", now - 7200).put("exp", now - 3600))),
        refused("not from Google", "issuer", m -> m.rs256(KID, PushTokenMint.claims()
            .put("iss", "https://issuer.attacker.example.com"))),
        refused("bad signature", "signature", m -> m.rs256(PushTokenMint.header("RS256", KID),
            PushTokenMint.claims(), "other-key")),
        refused("unknown kid", "unknown key", m -> m.rs256(PushTokenMint.header("RS256", "unpublished"),
            PushTokenMint.claims(), KID)),
        refused("alg none", "RS256", m -> PushTokenMint.none(PushTokenMint.claims())),
        refused("HS256 keyed with the public key", "RS256", m -> m.hs256(KID, PushTokenMint.claims())));
  }

  private static Arguments refused(String name, String because, Function<PushTokenMint, String> token) {
    return Arguments.of(name, because, token);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTokens")
  void aForgedOrMisaddressedPushTokenIsRefused401AndNothingIsPublished(String name, String because,
      Function<PushTokenMint, String> token) throws Exception {
    HttpResponse<String> response = push(token.apply(mint));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(Json.mapper().readTree(response.body()).path("error").asText()).isEqualTo("unauthorized");
    assertThat(Json.mapper().readTree(response.body()).path("message").asText()).contains(because);
    assertThat(kafka.readToEnd(topics.cloudEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
    assertThat(server.counter("gcp-audit", "rejected", "unauthorized")).isEqualTo(1.0);
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    return server.post(path, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
        "Authorization", "Bearer " + token);
  }

  @Test
  void aSourcesOwnTokenAdmitsThatSourceOnly() throws Exception {
    assertThat(post(K8S, AuditSamples.TOKEN_REQUEST, K8S_TOKEN).statusCode()).isEqualTo(200);
    assertThat(post(GCP, CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY, GCP_TOKEN).statusCode()).isEqualTo(200);

    HttpResponse<String> k8sOnCloudTrail = post(CLOUDTRAIL, CloudSamples.CREATE_ACCESS_KEY, K8S_TOKEN);
    HttpResponse<String> k8sOnGcp = post(GCP, CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY, K8S_TOKEN);
    HttpResponse<String> gcpOnK8s = post(K8S, AuditSamples.TOKEN_REQUEST, GCP_TOKEN);

    assertThat(List.of(k8sOnCloudTrail, k8sOnGcp, gcpOnK8s)).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(Json.mapper().readTree(r.body()).path("error").asText()).isEqualTo("forbidden");
    });
    assertThat(kafka.readToEnd(topics.k8sEvents())).hasSize(1);
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(1);
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
    assertThat(server.counter("aws-cloudtrail", "rejected", "forbidden")).isEqualTo(1.0);
  }

  @Test
  void theSharedIngestTokenNoLongerAdmitsASourceWithATokenOfItsOwn() throws Exception {
    HttpResponse<String> onK8s = post(K8S, AuditSamples.TOKEN_REQUEST, IngestServer.INGEST_TOKEN);
    HttpResponse<String> onCloudTrail = post(CLOUDTRAIL, CloudSamples.CREATE_ACCESS_KEY, IngestServer.INGEST_TOKEN);

    assertThat(onK8s.statusCode()).isEqualTo(403);
    assertThat(onCloudTrail.statusCode()).as(onCloudTrail.body()).isEqualTo(200);
    assertThat(kafka.readToEnd(topics.k8sEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(1);
  }
}
