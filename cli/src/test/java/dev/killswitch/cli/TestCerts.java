package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates made by the JDK's keytool, as PEM files, and HTTPS clients that trust or present them. */
final class TestCerts {

  static final String PASSWORD = "changeit";

  /** A certificate and key as PEM files, and the PKCS#12 store keytool made them in. */
  record Pem(Path cert, Path key, Certificate certificate, PrivateKey privateKey, Path p12) {}

  private final Path dir;

  TestCerts(Path dir) {
    this.dir = dir;
  }

  /** A self-signed certificate with subject CN {@code name} for 127.0.0.1/localhost. */
  Pem keyPair(String name, String algorithm) throws Exception {
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
    return new Pem(write(name + ".crt", pem("CERTIFICATE", cert.getEncoded())),
        write(name + ".key", pem("PRIVATE KEY", key.getEncoded())), cert, key, p12);
  }

  /** A client that trusts {@code trust}'s certificate and presents {@code identity}'s (none when null). */
  static HttpClient client(Pem trust, Pem identity) throws Exception {
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

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }
}
