package dev.killswitch.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS for the one HTTP server, from PEM files: {@code KILLSWITCH_HTTP_TLS_CERT} (the certificate, then any
 * intermediates), {@code KILLSWITCH_HTTP_TLS_KEY} (its unencrypted private key: PKCS#8 {@code BEGIN PRIVATE KEY}, RSA,
 * EC or Ed25519, or PKCS#1 {@code BEGIN RSA PRIVATE KEY}) and, for mutual TLS, {@code KILLSWITCH_HTTP_CLIENT_CA} (the
 * CA certificates a client certificate must chain to; without one, clients need no certificate). TLS 1.2 and 1.3
 * only (Jetty's defaults exclude older protocols and weak ciphers).
 *
 * @param cert PEM certificate chain
 * @param key PEM private key
 * @param clientCa PEM CA bundle for client certificates; null when clients are not asked for one
 * @param clientCertOptional {@code KILLSWITCH_HTTP_CLIENT_AUTH=optional}: clients are asked for a certificate
 *     (one presented must chain to the client CA) but may connect without one and authenticate by bearer token;
 *     the apiserver's audit webhook can then use its client certificate while analysts use tokens
 */
public record HttpTls(Path cert, Path key, Path clientCa, boolean clientCertOptional) {

  /** Client certificates required when {@code clientCa} is set. */
  public HttpTls(Path cert, Path key, Path clientCa) {
    this(cert, key, clientCa, false);
  }

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
  private static final char[] STORE_PASSWORD = "killswitch".toCharArray();

  /** True when clients are asked for a certificate (and must present one unless it is optional). */
  public boolean mutual() {
    return clientCa != null;
  }

  /**
   * An HTTPS connector for Jetty on {@code host:port} (Javalin then adds no plain HTTP connector).
   *
   * @throws IllegalStateException naming the file when a certificate or key cannot be read
   */
  ServerConnector connector(Server server, HttpConfiguration base, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keyStore());
    ssl.setKeyStorePassword(new String(STORE_PASSWORD));
    if (clientCa != null) {
      ssl.setTrustStore(trustStore(clientCa));
      if (clientCertOptional) {
        ssl.setWantClientAuth(true);
      } else {
        ssl.setNeedClientAuth(true);
      }
    }
    HttpConfiguration https = new HttpConfiguration(base);
    // Clients reach instances by IP (probes, routing) and by Service name: do not insist that SNI names the cert.
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  /**
   * The TLS context one instance calls another with (a correlator forwarding a query to the owner of the key):
   * it trusts the certificates of {@code KILLSWITCH_HTTP_TLS_CERT} (instances that share a certificate, or whose
   * chain file ends with the issuing CA) and of {@code KILLSWITCH_HTTP_CLIENT_CA}, nothing else, and under mutual TLS
   * presents this instance's certificate. The JDK client checks that the peer's certificate names the host called.
   */
  public SSLContext peerContext() {
    try {
      List<Certificate> anchors = new ArrayList<>(certificates(cert));
      if (clientCa != null) {
        anchors.addAll(certificates(clientCa));
      }
      KeyStore trust = trustStore(anchors, "peer-ca-");
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      KeyManager[] keyManagers = null;
      if (mutual()) {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore(), STORE_PASSWORD);
        keyManagers = keys.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the TLS context for calls between instances from " + cert
          + (clientCa == null ? "" : " and " + clientCa) + ": " + e.getMessage(), e);
    }
  }

  /** The certificate chain and key as an in-memory PKCS#12 key store. */
  KeyStore keyStore() {
    List<Certificate> chain = certificates(cert);
    if (chain.isEmpty()) {
      throw new IllegalStateException("KILLSWITCH_HTTP_TLS_CERT " + cert + " holds no PEM certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("killswitch", privateKey(key), STORE_PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot use the key " + key + " with the certificate " + cert + ": "
          + e.getMessage(), e);
    }
  }

  /** An in-memory PKCS#12 store trusting these certificates, as entries {@code <alias>0}, {@code <alias>1}, ... */
  private static KeyStore trustStore(List<Certificate> anchors, String alias)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < anchors.size(); i++) {
      store.setCertificateEntry(alias + i, anchors.get(i));
    }
    return store;
  }

  static KeyStore trustStore(Path pem) {
    List<Certificate> cas = certificates(pem);
    if (cas.isEmpty()) {
      throw new IllegalStateException("KILLSWITCH_HTTP_CLIENT_CA " + pem + " holds no PEM certificate");
    }
    try {
      return trustStore(cas, "client-ca-");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store from " + pem + ": " + e.getMessage(), e);
    }
  }

  static List<Certificate> certificates(Path pem) {
    List<Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(pem)) {
        if (b.type().equals("CERTIFICATE")) {
          out.add(factory.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read a certificate in " + pem + ": " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(Path pem) {
    for (Block b : blocks(pem)) {
      switch (b.type()) {
        case "PRIVATE KEY":
          return pkcs8(b.der(), pem);
        case "RSA PRIVATE KEY":
          return pkcs8(rsaPkcs1ToPkcs8(b.der()), pem);
        case "ENCRYPTED PRIVATE KEY":
          throw new IllegalStateException("KILLSWITCH_HTTP_TLS_KEY " + pem + " is encrypted; give the key"
              + " unencrypted (openssl pkcs8 -topk8 -nocrypt) on a file only Killswitch can read");
        case "EC PRIVATE KEY":
          throw new IllegalStateException("KILLSWITCH_HTTP_TLS_KEY " + pem + " is a SEC1 EC key; convert it to"
              + " PKCS#8: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        default:
          // another block (a certificate, parameters): keep looking
      }
    }
    throw new IllegalStateException("KILLSWITCH_HTTP_TLS_KEY " + pem + " holds no PEM private key");
  }

  private static PrivateKey pkcs8(byte[] der, Path pem) {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalStateException("KILLSWITCH_HTTP_TLS_KEY " + pem + ": not an RSA, EC or Ed25519 PKCS#8 key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey into a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
  static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.write(0x04);
    body.writeBytes(derLength(pkcs1.length));
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.writeBytes(derLength(body.size()));
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] derLength(int length) {
    if (length < 0x80) {
      return new byte[] {(byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) 0x81, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path pem) {
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + pem + ": " + e.getMessage(), e);
    }
    List<Block> out = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
    }
    return out;
  }
}
