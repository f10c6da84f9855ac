package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and mutual TLS on the one HTTP server, with certificates made by the JDK's keytool: the configured
 * certificate is served, plain HTTP is not, and with a client CA a client without a certificate is refused.
 */
class HttpTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir Path dir;

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

  record Pem(Path cert, Path key, Certificate certificate, PrivateKey privateKey, Path p12) {}

  private Pem keyPair(String name, String algorithm) throws Exception {
    return keyPair(dir, name, algorithm);
  }

  /** A self-signed certificate for 127.0.0.1/localhost made by keytool, written as PEM files in {@code dir}. */
  static Pem keyPair(Path dir, String name, String algorithm) throws Exception {
    Path p12 = dir.resolve(name + "-" + algorithm + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", algorithm,
        "-keysize", algorithm.equals("EC") ? "256" : "2048", "-dname", "CN=" + name + ",O=killswitch-test",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", p12.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      store.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = store.getCertificate(name);
    PrivateKey key = (PrivateKey) store.getKey(name, PASSWORD.toCharArray());
    return new Pem(Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", cert.getEncoded())),
        Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded())), cert, key, p12);
  }

  private HttpClient client(Pem trust, Pem identity) throws Exception {
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("server", trust.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    KeyManagerFactory kmf = null;
    if (identity != null) {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(identity.p12())) {
        keyStore.load(in, PASSWORD.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, PASSWORD.toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static HttpServer start(HttpTls tls) {
    return HttpServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        List.of(new HttpServer.Check("test", () -> true)), List.of(), tls);
  }

  private static HttpRequest get(String scheme, int port, String path) {
    return HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }
}
