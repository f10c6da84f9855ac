package dev.killswitch.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Google's side of Pub/Sub push authentication, for tests: RSA keys by kid published as a JWKS by a local HTTP
 * server, and OIDC tokens signed with them, shaped as a push subscription sends them.
 */
public final class PushTokenMint implements AutoCloseable {

  public static final String AUDIENCE = "https://killswitch.example.com/v1/ingest/gcp/audit";
  public static final String PUSH_ACCOUNT = "killswitch-push@acme-prod.iam.gserviceaccount.com";

  private final Map<String, KeyPair> keys = new LinkedHashMap<>();
  private final HttpServer jwks;
  public final AtomicInteger fetches = new AtomicInteger();
  private volatile CountDownLatch hold;
  private volatile CountDownLatch held = new CountDownLatch(1);

  public PushTokenMint() throws IOException {
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/oauth2/v3/certs", exchange -> {
      fetches.incrementAndGet();
      CountDownLatch release = hold;
      if (release != null) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = jwksJson().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    jwks.start();
  }

  /**
   * From now on the JWKS endpoint holds every request until {@link #releaseFetches()}, then answers with the keys
   * published by then; {@link #awaitHeldFetch()} returns once a request is being held.
   */
  public void holdFetches() {
    held = new CountDownLatch(1);
    hold = new CountDownLatch(1);
  }

  public void awaitHeldFetch() throws InterruptedException {
    if (!held.await(60, TimeUnit.SECONDS)) {
      throw new AssertionError("no JWKS request arrived");
    }
  }

  /** Answers the held requests (and the ones to come) at once. */
  public void releaseFetches() {
    CountDownLatch release = hold;
    hold = null;
    if (release != null) {
      release.countDown();
    }
  }

  /** Adds (publishes) a new signing key under this kid. */
  public synchronized PushTokenMint publish(String kid) {
    keys.put(kid, newKeyPair());
    return this;
  }

  public URI jwksUrl() {
    return URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/oauth2/v3/certs");
  }

  /** What a push subscription for {@link #AUDIENCE} as {@link #PUSH_ACCOUNT} sends, valid for an hour from now. */
  public static ObjectNode claims() {
    long now = Instant.now().getEpochSecond();
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("aud", AUDIENCE).put("azp", "113774264463038321964").put("email", PUSH_ACCOUNT)
        .put("email_verified", true).put("exp", now + 3600).put("iat", now)
        .put("iss", "https://accounts.google.com").put("sub", "113774264463038321964");
    return c;
  }

  public static ObjectNode header(String alg, String kid) {
    ObjectNode h = Json.mapper().createObjectNode().put("alg", alg).put("typ", "JWT");
    if (kid != null) {
      h.put("kid", kid);
    }
    return h;
  }

  /** RS256 with the key published under {@code signingKid}, whatever kid the header names. */
  public synchronized String rs256(ObjectNode header, ObjectNode claims, String signingKid) {
    String signed = encode(header) + "." + encode(claims);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(keys.get(signingKid).getPrivate());
      rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + b64(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String rs256(String kid, ObjectNode claims) {
    return rs256(header("RS256", kid), claims, kid);
  }

  /** HS256 keyed with the published RSA public key's bytes: the algorithm-confusion forgery. */
  public synchronized String hs256(String kid, ObjectNode claims) {
    String signed = encode(header("HS256", kid)) + "." + encode(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keys.get(kid).getPublic().getEncoded(), "HmacSHA256"));
      return signed + "." + b64(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured JWT ({@code alg: none}) with a placeholder signature part. */
  public static String none(ObjectNode claims) {
    return encode(header("none", null)) + "." + encode(claims) + ".AA";
  }

  public synchronized String jwksJson() {
    ObjectNode doc = Json.mapper().createObjectNode();
    var array = doc.putArray("keys");
    keys.forEach((kid, pair) -> {
      RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
      array.addObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", kid)
          .put("n", b64(unsigned(pub.getModulus().toByteArray()))).put("e", b64(pub.getPublicExponent().toByteArray()));
    });
    return doc.toString();
  }

  private static byte[] unsigned(byte[] twosComplement) {
    return twosComplement[0] == 0 ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length) : twosComplement;
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(ObjectNode json) {
    return b64(json.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public void close() {
    releaseFetches(); // stop() waits for the handler's thread
    jwks.stop(0);
  }
}
