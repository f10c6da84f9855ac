package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README tour, end to end, on the embedded broker exactly as {@code killswitch run} starts it: a GitHub job
 * and a TokenRequest go in through HTTP, the job completes, the correlator's trigger reaches the revoker, and
 * the planned {@code k8s.deny-token} is answered by the API; then a restart keeps all of it.
 */
class FoundationPathIT {

  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final String RUN = "ci:github:Codertocat/Hello-World/runs/2202229078";
  private static final String TOKEN = "k8s:prod:token/7f4c6a8e-2f1b-4d5e-9c3a-0b8d6e1f2a34";

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aCompletedJobRevokesTheTokenItMintedAndEverythingSurvivesARestart() throws Exception {
    Settings settings = settings();
    String requestId = DeterministicIds.of("trigger", "job-completed", RUN);

    try (Application app = Application.start(settings, EnumSet.allOf(Role.class), quiet())) {
      String base = "http://127.0.0.1:" + app.httpPort();
      Secrets secrets = Secrets.resolve(settings);

      assertThat(postGithub(base, secrets, "tour-1", EXAMPLES.resolve("github/workflow_job.in_progress.json")).statusCode())
          .isEqualTo(200);
      assertThat(postAudit(base, secrets, EXAMPLES.resolve("k8s/tokenrequest.json")).statusCode()).isEqualTo(200);
      assertThat(postGithub(base, secrets, "tour-2", EXAMPLES.resolve("github/workflow_job.completed.json")).statusCode())
          .isEqualTo(200);

      JsonNode revocation = await().atMost(Duration.ofSeconds(60)).until(
          () -> getJson(base, secrets, "/v1/revocations/" + requestId),
          r -> r != null && r.path("actions").size() == 1
              && "dry-run".equals(r.path("actions").get(0).path("outcome").asText()));
      assertThat(revocation.path("request").path("requestedBy").asText()).isEqualTo("trigger:job-completed");
      assertThat(revocation.path("actions").get(0).path("action").asText()).isEqualTo("k8s.deny-token");
      assertThat(revocation.path("actions").get(0).path("target").asText()).isEqualTo(TOKEN);

      JsonNode chains = await().atMost(Duration.ofSeconds(30)).until(
          () -> getJson(base, secrets, "/v1/chains?node=" + TOKEN),
          c -> c != null && tokenRevocation(c).equals("dry-run"));
      assertThat(chains.path("chains").get(0).path("root").asText()).isEqualTo(RUN);
    }

    try (Application again = Application.start(settings, EnumSet.allOf(Role.class), quiet())) {
      String base = "http://127.0.0.1:" + again.httpPort();
      Secrets secrets = Secrets.resolve(settings);
      JsonNode revocation = await().atMost(Duration.ofSeconds(60)).until(
          () -> getJson(base, secrets, "/v1/revocations/" + requestId), r -> r != null && r.path("actions").size() == 1);
      assertThat(revocation.path("actions").get(0).path("outcome").asText()).isEqualTo("dry-run");
      JsonNode chains = await().atMost(Duration.ofSeconds(60)).until(
          () -> getJson(base, secrets, "/v1/chains?node=" + TOKEN), c -> c != null && c.path("chains").size() == 1);
      assertThat(chains.path("chains").get(0).path("root").asText()).isEqualTo(RUN);
    }
  }

  @Test
  void malformedJsonIsRefusedWithAJsonErrorAndDeadLetteredAndABadSignatureIsRefusedWithNothingPublished()
      throws Exception {
    Settings settings = settings();
    try (Application app = Application.start(settings, EnumSet.allOf(Role.class), quiet())) {
      String base = "http://127.0.0.1:" + app.httpPort();
      Secrets secrets = Secrets.resolve(settings);

      byte[] malformed = "{\"action\": \"completed\", \"workflow_job\": ".getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> bad = http.send(github(base, secrets.get(Secret.GITHUB_SECRET), "bad-1", malformed),
          HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(Json.mapper().readTree(bad.body()).path("error").asText()).isEqualTo("malformed-json");

      HttpResponse<String> forged = http.send(github(base, "not-the-configured-secret", "forged-1",
          Files.readAllBytes(EXAMPLES.resolve("github/workflow_job.completed.json"))), HttpResponse.BodyHandlers.ofString());
      assertThat(forged.statusCode()).isEqualTo(401);

      List<ConsumerRecord<String, byte[]>> deadLetters = TopicReader.readAll(app.bootstrapServers(), "killswitch.deadletter");
      assertThat(deadLetters).hasSize(1);
      assertThat(new String(deadLetters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(new String(malformed, StandardCharsets.UTF_8));
      assertThat(new String(deadLetters.get(0).headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
          .isEqualTo("malformed-json");
      assertThat(TopicReader.readAll(app.bootstrapServers(), "killswitch.events.ci")).isEmpty();
    }
  }

  @Test
  void aSecondProcessOnTheSameDataDirectoryIsRefusedBeforeItTouchesAnything() {
    Settings settings = settings();
    try (Application app = Application.start(settings, EnumSet.allOf(Role.class), quiet())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> Application.start(settings, EnumSet.allOf(Role.class), quiet()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another Killswitch process is using the data directory " + dataDir);
      assertThat(app.bootstrapServers()).isNotBlank();
    }
  }

  @Test
  void stoppedWhileStartingItAbandonsTheStartAndReleasesWhatItHeld() {
    Settings settings = settings();
    // What `killswitch run`'s shutdown hook does on a SIGTERM during start-up: close the application being started.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Application.start(settings, EnumSet.allOf(Role.class),
            quiet(), Application.Tuning.NONE, Application::close))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped while starting");
    try (Application app = Application.start(settings, EnumSet.allOf(Role.class), quiet())) {
      assertThat(app.bootstrapServers()).isNotBlank();   // the data directory's lock was released
    }
  }

  private Settings settings() {
    return Settings.load(null, Map.of(
        "KILLSWITCH_DATA_DIR", dataDir.toString(),
        "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
  }

  private static String tokenRevocation(JsonNode chains) {
    for (JsonNode chain : chains.path("chains")) {
      for (JsonNode node : chain.path("nodes")) {
        if (TOKEN.equals(node.path("ref").asText())) {
          return node.path("revocation").asText("");
        }
      }
    }
    return "";
  }

  private HttpResponse<String> postGithub(String base, Secrets secrets, String delivery, Path body) throws Exception {
    return http.send(github(base, secrets.get(Secret.GITHUB_SECRET), delivery, Files.readAllBytes(body)),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest github(String base, String secret, String delivery, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HttpRequest.newBuilder(URI.create(base + "/v1/ingest/github"))
        .header("Content-Type", "application/json")
        .header("X-GitHub-Event", "workflow_job")
        .header("X-GitHub-Delivery", delivery)
        .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private HttpResponse<String> postAudit(String base, Secrets secrets, Path body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/ingest/k8s-audit/prod"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + secrets.get(Secret.INGEST_TOKEN))
        .POST(HttpRequest.BodyPublishers.ofFile(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String base, Secrets secrets, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + secrets.get(Secret.API_TOKEN)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : null;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
