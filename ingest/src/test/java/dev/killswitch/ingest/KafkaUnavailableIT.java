package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.ingest.internal.GithubSignature;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real producer pointed at a port where nothing listens: ingest must answer 503, never 2xx. */
class KafkaUnavailableIT {

  private IngestServer server;

  @BeforeEach
  void start() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    server = IngestServer.start(IngestServer.config().withPublishTimeout(Duration.ofSeconds(3)),
        new Topics("unreachable"), "127.0.0.1:" + closedPort,
        Map.of("max.block.ms", 1000, "request.timeout.ms", 1000, "delivery.timeout.ms", 2000,
            "reconnect.backoff.max.ms", 200));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void githubDeliveryIsAnswered503WithRetryAfterWhenKafkaIsUnreachable() throws Exception {
    byte[] body = Fixtures.bytes("github/workflow_job.queued.payload.json");
    String delivery = UUID.randomUUID().toString();

    HttpResponse<String> response = server.post("/v1/ingest/github", body, "Content-Type", "application/json",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", new GithubSignature(IngestServer.GITHUB_SECRET).sign(body));
    HttpResponse<String> retried = server.post("/v1/ingest/github", body, "Content-Type", "application/json",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", new GithubSignature(IngestServer.GITHUB_SECRET).sign(body));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(Json.mapper().readTree(response.body()).path("error").asText()).isEqualTo("kafka-unavailable");
    assertThat(retried.statusCode()).as("a failed delivery is not remembered as published").isEqualTo(503);
    assertThat(server.counter("github", "rejected", "kafka-unavailable")).isEqualTo(2.0);
  }

  @Test
  void auditBatchIsAnswered503WhenKafkaIsUnreachable() throws Exception {
    HttpResponse<String> response = server.post("/v1/ingest/k8s-audit/prod-eu",
        AuditSamples.TOKEN_REQUEST.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
        "Authorization", "Bearer " + IngestServer.INGEST_TOKEN);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).contains("5");
    assertThat(server.counter("k8s-audit", "accepted", "none")).isZero();
  }
}
