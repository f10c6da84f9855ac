package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two correlators serving HTTPS with mutual TLS: a query reaching the instance that does not hold the key is
 * forwarded to the owner over HTTPS, trusting the instances' certificate, presenting this instance's certificate
 * and passing the caller's bearer token on. Each key is asked of both instances, so one of the two answers
 * through the other; the owner answers 404 (nothing is known about the identity), which the forwarding instance
 * passes back.
 */
class CorrelatorHttpsForwardingIT {

  private static final Duration BOUND = Duration.ofSeconds(120);
  private static final String API_TOKEN = "https-forwarding-api-token-0123456789";
  private static final int KEYS = 12;

  @TempDir Path dir;
  private final List<Application> apps = new ArrayList<>();

  @AfterEach
  void stop() {
    // the first instance runs the embedded broker: close it last
    for (int i = apps.size() - 1; i >= 0; i--) {
      apps.get(i).close();
    }
  }

  @Test
  void aQueryForAKeyTheOtherInstanceHoldsIsForwardedOverMutualTlsWithTheCallersToken() throws Exception {
    // one certificate for both instances, which is also the CA a client certificate must chain to
    TestCerts.Pem pem = new TestCerts(dir).keyPair("correlator", "RSA");
    HttpTls tls = new HttpTls(pem.cert(), pem.key(), pem.cert());
    Application a = start("a", Map.of("KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"), tls);
    Application b = start("b", Map.of("KAFKA_BOOTSTRAP_SERVERS", a.bootstrapServers()), tls);
    HttpClient client = HttpClient.newBuilder().sslContext(tls.peerContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (Application app : List.of(a, b)) {
      assertThat(app.url()).startsWith("https://");
      await().atMost(BOUND).pollInterval(Duration.ofMillis(500))
          .until(() -> get(client, app, "/readyz").statusCode() == 200);
    }

    for (int i = 0; i < KEYS; i++) {
      String path = "/v1/identities/" + URLEncoder.encode(IdentityRef.k8sToken("prod", "jti-" + i).toString(),
          StandardCharsets.UTF_8);
      for (Application app : List.of(a, b)) {
        // retried while a rebalance moves the key; anything else (owner-unreachable too) is the answer
        HttpResponse<String> r = await().atMost(BOUND).pollInterval(Duration.ofMillis(200))
            .until(() -> get(client, app, path), response -> !moving(response));
        assertThat(r.statusCode()).as("%s from %s: %s", path, app.url(), r.body()).isEqualTo(404);
        assertThat(Json.mapper().readTree(r.body()).toString()).contains("unknown-identity");
      }
    }
  }

  private Application start(String name, Map<String, String> kafka, HttpTls tls) throws IOException {
    Map<String, String> env = new HashMap<>(kafka);
    env.put("KILLSWITCH_DATA_DIR", dir.resolve(name).toString());
    env.put("KILLSWITCH_HTTP_HOST", "127.0.0.1");
    env.put("KILLSWITCH_HTTP_PORT", Integer.toString(freePort()));
    env.put("KILLSWITCH_HTTP_TLS_CERT", tls.cert().toString());
    env.put("KILLSWITCH_HTTP_TLS_KEY", tls.key().toString());
    env.put("KILLSWITCH_HTTP_CLIENT_CA", tls.clientCa().toString());
    for (String secret : List.of("API_TOKEN", "INGEST_TOKEN", "GITHUB_SECRET", "GITLAB_TOKEN", "AUTHZ_TOKEN")) {
      env.put("KILLSWITCH_" + secret, secret.equals("API_TOKEN") ? API_TOKEN : "https-forwarding-" + secret + "-0123");
    }
    Application app = Application.start(Settings.load(null, env), EnumSet.of(Role.CORRELATOR),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    apps.add(app);
    return app;
  }

  private static boolean moving(HttpResponse<String> r) {
    return r.statusCode() == 503 && (r.body().contains("\"rebalancing\"") || r.body().contains("\"stores-unavailable\""));
  }

  private static HttpResponse<String> get(HttpClient client, Application app, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(app.url() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
