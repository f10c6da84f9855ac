package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.killswitch.cli.TestCerts.client;
import static dev.killswitch.cli.TestCerts.pem;

import dev.killswitch.cli.TestCerts.Pem;
import dev.killswitch.correlator.CorrelatorConfig;
import dev.killswitch.schemas.ApiAccess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and mutual TLS on the one HTTP server, with certificates made by the JDK's keytool: the configured
 * certificate is served, plain HTTP is not, and with a client CA a client without a certificate is refused.
 */
class HttpTlsTest {

  @TempDir Path dir;

  private Pem keyPair(String name, String algorithm) throws Exception {
    return new TestCerts(dir).keyPair(name, algorithm);
  }

  private Path write(String name, String text) throws IOException {
    return new TestCerts(dir).write(name, text);
  }

  @Test
  void theServerSpeaksHttpsWithTheConfiguredPemCertificateAndNoPlainHttp() throws Exception {
    Pem server = keyPair("server", "RSA");
    try (HttpServer http = start(new HttpTls(server.cert(), server.key(), null))) {
      HttpResponse<String> r = client(server, null).send(get("https", http.port(), "/healthz"), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("ok");
      assertThat(r.sslSession()).isPresent();
      assertThat(r.sslSession().get().getPeerCertificates()[0]).isEqualTo(server.certificate());

      assertThatThrownBy(() -> HttpClient.newHttpClient().send(get("http", http.port(), "/healthz"),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }
  }

  @Test
  void withAClientCaAClientWithoutACertificateIsRefusedAndOneWithATrustedCertificateIsServed() throws Exception {
    Pem server = keyPair("server", "EC");
    Pem trusted = keyPair("client", "RSA");
    Pem stranger = keyPair("stranger", "RSA");
    try (HttpServer http = start(new HttpTls(server.cert(), server.key(), trusted.cert()))) {
      assertThatThrownBy(() -> client(server, null).send(get("https", http.port(), "/readyz"),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> client(server, stranger).send(get("https", http.port(), "/readyz"),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

      HttpResponse<String> r = client(server, trusted).send(get("https", http.port(), "/readyz"),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPkcs1RsaKeyIsReadAsWellAsPkcs8AndAnEncryptedOrSec1KeyIsRefusedWithTheFix() throws Exception {
    Pem server = keyPair("server", "RSA");
    byte[] pkcs8 = server.privateKey().getEncoded();
    // PKCS#8 of an RSA key = a fixed 26-byte header (sizes of a 2048-bit key) around the PKCS#1 RSAPrivateKey
    byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    assertThat(HttpTls.rsaPkcs1ToPkcs8(pkcs1)).isEqualTo(pkcs8);
    Path rsa = write("rsa.pem", pem("RSA PRIVATE KEY", pkcs1));
    assertThat(HttpTls.privateKey(rsa)).isEqualTo(server.privateKey());
    assertThat(new HttpTls(server.cert(), rsa, null).keyStore().getCertificate("killswitch")).isEqualTo(server.certificate());

    Path sec1 = write("ec.pem", pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> HttpTls.privateKey(sec1)).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    Path encrypted = write("enc.pem", pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> HttpTls.privateKey(encrypted)).hasMessageContaining("encrypted");
  }

  @Test
  void settingsTakeTheTlsFilesTogetherAndRefuseAHalfConfiguration() throws Exception {
    Pem server = keyPair("server", "RSA");
    Settings on = Settings.load(null, Map.of("KILLSWITCH_HTTP_TLS_CERT", server.cert().toString(),
        "KILLSWITCH_HTTP_TLS_KEY", server.key().toString(), "KILLSWITCH_HTTP_CLIENT_CA", server.cert().toString()));
    assertThat(on.httpTls()).isEqualTo(new HttpTls(server.cert(), server.key(), server.cert()));
    assertThat(on.httpTls().mutual()).isTrue();
    assertThat(Settings.load(null, Map.of()).httpTls()).isNull();

    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_TLS_CERT", server.cert().toString())))
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_CLIENT_CA", server.cert().toString())))
        .hasMessageContaining("mutual TLS is TLS");
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_TLS_CERT", server.cert().toString(),
        "KILLSWITCH_HTTP_TLS_KEY", dir.resolve("missing.pem").toString()))).hasMessageContaining("not a readable file");
  }

  @Test
  void theAdvertisedAddressIsTheConfiguredHostOrTheHttpHostOrThisMachinesAddressForAWildcard() {
    assertThat(Settings.load(null, Map.of("KILLSWITCH_HTTP_PORT", "9000")).httpAdvertisedAddress())
        .isEqualTo("127.0.0.1:9000");
    assertThat(Settings.load(null, Map.of("KILLSWITCH_HTTP_HOST", "0.0.0.0", "KILLSWITCH_HTTP_ADVERTISED_HOST",
        "correlator-1")).httpAdvertisedAddress()).isEqualTo("correlator-1:8080");
    assertThat(Settings.load(null, Map.of("KILLSWITCH_HTTP_HOST", "0.0.0.0")).httpAdvertisedAddress())
        .doesNotStartWith("0.0.0.0").endsWith(":8080");
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_ADVERTISED_HOST", "http://x")))
        .hasMessageContaining("KILLSWITCH_HTTP_ADVERTISED_HOST");
  }

  @Test
  void anIpv6AdvertisedOrHttpHostIsAdvertisedInBracketsAndTheCorrelatorAcceptsIt() {
    for (Map<String, String> env : List.of(Map.of("KILLSWITCH_HTTP_ADVERTISED_HOST", "fd00::2"),
        Map.of("KILLSWITCH_HTTP_ADVERTISED_HOST", "[fd00::2]"),
        Map.of("KILLSWITCH_HTTP_HOST", "fd00::2"))) {
      String address = Settings.load(null, env).httpAdvertisedAddress();
      assertThat(address).as(env.toString()).isEqualTo("[fd00::2]:8080");
      assertThat(CorrelatorConfig.defaults(Path.of("state"), new ApiAccess(List.of())).withApplicationServer(address)
          .applicationServer()).isEqualTo(address);
    }
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_ADVERTISED_HOST", "[fd00::2")))
        .hasMessageContaining("KILLSWITCH_HTTP_ADVERTISED_HOST");
  }

  private static HttpServer start(HttpTls tls) {
    return HttpServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(new HttpServer.Check("test", () -> true)), List.of(), tls);
  }

  private static HttpRequest get(String scheme, int port, String path) {
    return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build();
  }
}
