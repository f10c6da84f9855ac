package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RSA signing keys by key id, from a JWKS URL or file. Keys are read on first use, again when they are older than
 * {@link #MAX_AGE} and when a token names an unknown key id (Google publishes a new key before it signs with it),
 * but never more often than every {@link #MIN_REFRESH}: a flood of tokens with made-up key ids costs one fetch.
 * A failed read keeps the keys already known.
 */
final class Jwks {

  private static final Logger LOG = LoggerFactory.getLogger(Jwks.class);
  static final Duration MIN_REFRESH = Duration.ofSeconds(30);
  static final Duration MAX_AGE = Duration.ofHours(1);
  /** Keys kept from one JWKS (Google publishes two or three). */
  static final int MAX_KEYS = 32;
  private static final int MAX_JWKS_BYTES = 256 * 1024;
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private final URI url;
  private final Path file;
  private final Clock clock;
  private final HttpClient http;
  private Map<String, RSAPublicKey> keys = Map.of();
  private Instant readAt;
  private Instant attemptedAt;

  /** Exactly one of {@code url} and {@code file}. */
  Jwks(URI url, Path file, Clock clock) {
    this.url = url;
    this.file = file;
    this.clock = clock;
    this.http = url == null ? null : HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The key with this id, or null when the JWKS has none (after a refresh, if one is allowed now). */
  synchronized RSAPublicKey key(String kid) {
    Instant now = clock.instant();
    boolean stale = readAt == null || !now.isBefore(readAt.plus(MAX_AGE));
    boolean mayRefresh = attemptedAt == null || !now.isBefore(attemptedAt.plus(MIN_REFRESH));
    if ((stale || !keys.containsKey(kid)) && mayRefresh) {
      attemptedAt = now;
      try {
        keys = parse(read());
        readAt = now;
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot read the JWKS from {}: {}; keeping {} known keys", where(), e.toString(), keys.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return keys.get(kid);
  }

  private byte[] read() throws IOException, InterruptedException {
    if (file != null) {
      return Files.readAllBytes(file);
    }
    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      byte[] body = in.readNBytes(MAX_JWKS_BYTES + 1);
      if (body.length > MAX_JWKS_BYTES) {
        throw new IOException("the JWKS is larger than " + MAX_JWKS_BYTES + " bytes");
      }
      return body;
    }
  }

  /** The RSA signature keys of a JWKS document (others are skipped). */
  Map<String, RSAPublicKey> parse(byte[] json) throws IOException {
    JsonNode keys = Json.mapper().readTree(json).path("keys");
    if (!keys.isArray()) {
      throw new IOException("not a JWKS: no keys array");
    }
    Map<String, RSAPublicKey> out = new HashMap<>();
    for (JsonNode k : keys) {
      String kid = k.path("kid").asText(null);
      boolean signing = !k.has("use") || "sig".equals(k.path("use").asText());
      boolean rs256 = !k.has("alg") || "RS256".equals(k.path("alg").asText());
      if (kid == null || !"RSA".equals(k.path("kty").asText()) || !signing || !rs256 || out.size() >= MAX_KEYS) {
        continue;
      }
      try {
        BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("n").asText()));
        BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("e").asText()));
        out.put(kid, (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)));
      } catch (GeneralSecurityException | IllegalArgumentException ex) {
        LOG.warn("skipping JWKS key {} from {}: {}", kid, where(), ex.toString());
      }
    }
    return Map.copyOf(out);
  }

  private String where() {
    return file != null ? file.toString() : url.toString();
  }
}
