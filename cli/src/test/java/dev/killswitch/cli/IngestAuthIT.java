package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.cli.TestCerts.Pem;
import dev.killswitch.schemas.CloudEventCodec;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code killswitch run}'s ingest authentication from the environment, over HTTPS with optional client certificates:
 * the apiserver's client certificate (its CN on {@code KILLSWITCH_K8S_AUDIT_CLIENT_NAMES}) admits the audit webhook
 * without a token, a trusted certificate with another name does not, the Kubernetes audit path's own token admits that
 * path only, and the shared ingest token no longer admits it. Clients without a certificate still reach the server.
 */
class IngestAuthIT {

  private static final String K8S_TOKEN = "k8s-audit-token-0123456789";
  private static final String INGEST_TOKEN = "shared-ingest-token-0123456789";

  @TempDir Path dir;

  @Test
  void theApiserverCertificateAndTheSourcesOwnTokenAdmitTheAuditPathAndNothingElseDoes() throws Exception {
    TestCerts certs = new TestCerts(dir);
    Pem server = certs.keyPair("killswitch", "RSA");
    Pem apiserver = certs.keyPair("kube-apiserver-audit", "RSA");
    Pem stranger = certs.keyPair("stranger", "RSA");
    Path clientCa = certs.write("client-ca.crt", Files.readString(apiserver.cert()) + Files.readString(stranger.cert()));
    Settings settings = Settings.load(null, Map.ofEntries(
        Map.entry("KILLSWITCH_DATA_DIR", dir.resolve("data").toString()),
        Map.entry("KILLSWITCH_HTTP_PORT", "0"),
        Map.entry("KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"),
        Map.entry("KILLSWITCH_HTTP_TLS_CERT", server.cert().toString()),
        Map.entry("KILLSWITCH_HTTP_TLS_KEY", server.key().toString()),
        Map.entry("KILLSWITCH_HTTP_CLIENT_CA", clientCa.toString()),
        Map.entry("KILLSWITCH_HTTP_CLIENT_AUTH", "optional"),
        Map.entry("KILLSWITCH_K8S_AUDIT_CLIENT_NAMES", "kube-apiserver-audit"),
        Map.entry("KILLSWITCH_INGEST_TOKEN", INGEST_TOKEN),
        Map.entry("KILLSWITCH_INGEST_TOKEN_K8S_AUDIT", K8S_TOKEN)));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    try (Application app = Application.start(settings, EnumSet.of(Role.INGEST),
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      String base = app.url();
      HttpClient apiserverClient = TestCerts.client(server, apiserver);
      HttpClient strangerClient = TestCerts.client(server, stranger);
      HttpClient noCert = TestCerts.client(server, null);

      assertThat(post(apiserverClient, base + "/v1/ingest/k8s-audit/prod", "audit-1", null).statusCode()).isEqualTo(200);
      assertThat(post(noCert, base + "/v1/ingest/k8s-audit/prod", "audit-2", K8S_TOKEN).statusCode()).isEqualTo(200);
      assertThat(post(strangerClient, base + "/v1/ingest/k8s-audit/prod", "audit-3", null).statusCode()).isEqualTo(401);
      assertThat(post(noCert, base + "/v1/ingest/k8s-audit/prod", "audit-4", INGEST_TOKEN).statusCode()).isEqualTo(403);
      assertThat(post(noCert, base + "/v1/ingest/cloudevents", "audit-5", K8S_TOKEN).statusCode()).isEqualTo(403);
      assertThat(noCert.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      assertThat(TopicReader.readAll(app.bootstrapServers(), "killswitch.events.k8s"))
          .extracting(r -> CloudEventCodec.fromKafka(r).id())
          .allSatisfy(id -> assertThat(id).matches("audit-[12]:.*"))
          .hasSize(2);
      assertThat(TopicReader.readAll(app.bootstrapServers(), "killswitch.deadletter")).isEmpty();
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("KILLSWITCH_INGEST_TOKEN_K8S_AUDIT")
        .doesNotContain(K8S_TOKEN).doesNotContain(INGEST_TOKEN);
  }

  /** The example TokenRequest audit event under another auditID (ingest dedupes by event id). */
  private static HttpResponse<String> post(HttpClient client, String url, String auditId, String token)
      throws Exception {
    ObjectNode list = (ObjectNode) Json.mapper().readTree(Path.of("..", "examples", "k8s", "tokenrequest.json").toFile());
    ((ObjectNode) list.path("items").get(0)).put("auditID", auditId);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(list)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
