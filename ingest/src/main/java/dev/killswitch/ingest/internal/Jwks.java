package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RSA signing keys by key id, from a JWKS URL or file. Keys are read on first use, again when they are older than
 * {@link #MAX_AGE} and when a token names an unknown key id (Google publishes a new key before it signs with it),
 * but never more often than every {@link #MIN_REFRESH}: a flood of tokens with made-up key ids costs one fetch.
 * A failed read keeps the keys already known.
 *
 * <p>A fetch never holds up a token whose key is known: it runs in the background, one at a time, and a known key
 * (even one due for re-reading) is answered from the keys read last. Only a lookup of an unknown key id waits for
 * the fetch (the one in flight, or one it starts), at most {@link #FETCH_TIMEOUT}.
 */
final class Jwks {

  private static final Logger LOG = LoggerFactory.getLogger(Jwks.class);
  static final Duration MIN_REFRESH = Duration.ofSeconds(30);
  static final Duration MAX_AGE = Duration.ofHours(1);
  /** Keys kept from one JWKS (Google publishes two or three). */
  static final int MAX_KEYS = 32;
  /** The longest a fetch takes (connecting, the answer and its body) and so the longest a lookup waits. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_JWKS_BYTES = 256 * 1024;

  /** The keys of the last successful read, and when that read began. */
  private record Read(Map<String, RSAPublicKey> keys, Instant at) {}

  private final URI url;
  private final Path file;
  private final Clock clock;
  private final HttpClient http;
  private volatile Read last = new Read(Map.of(), null);
  private final Object fetching = new Object();
  /** Guarded by {@link #fetching}: the fetch in flight, if any, and when the latest one began. */
  private CompletableFuture<Void> inFlight;
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
  RSAPublicKey key(String kid) {
    Instant now = clock.instant();
    Read read = last;
    RSAPublicKey known = read.keys().get(kid);
    if (known != null) {
      if (!now.isBefore(read.at().plus(MAX_AGE))) {
        fetch(now);
      }
      return known;
    }
    CompletableFuture<Void> fetch = fetch(now);
    if (fetch != null) {
      fetch.join(); // completes within FETCH_TIMEOUT, successful or not (see fetch)
    }
    return last.keys().get(kid);
  }

  /**
   * The fetch in flight; else a new one when the latest began {@link #MIN_REFRESH} ago or more; else null. The
   * future completes normally once the keys are replaced or the failure is logged, within {@link #FETCH_TIMEOUT}.
   */
  private CompletableFuture<Void> fetch(Instant now) {
    synchronized (fetching) {
      if (inFlight != null) {
        return inFlight;
      }
      if (attemptedAt != null && now.isBefore(attemptedAt.plus(MIN_REFRESH))) {
        return null;
      }
      attemptedAt = now;
      CompletableFuture<byte[]> body = read();
      CompletableFuture<Void> done = body.orTimeout(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(this::parseUnchecked)
          .handle((keys, failure) -> {
            if (failure == null) {
              last = new Read(keys, now);
            } else {
              Throwable cause = failure;
              while ((cause instanceof CompletionException || cause instanceof UncheckedIOException)
                  && cause.getCause() != null) {
                cause = cause.getCause();
              }
              LOG.warn("cannot read the JWKS from {}: {}; keeping {} known keys", where(), cause.toString(),
                  last.keys().size());
            }
            synchronized (fetching) {
              inFlight = null;
            }
            return null;
          });
      // A read that finished at once ran handle() on this thread already; it must not be left as in flight.
      if (!done.isDone()) {
        inFlight = done;
      }
      return done;
    }
  }

  private CompletableFuture<byte[]> read() {
    if (file != null) {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return Files.readAllBytes(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(
        HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).GET().build(),
        info -> info.statusCode() == 200 ? new AtMost(MAX_JWKS_BYTES) : BodySubscribers.replacing(null));
    CompletableFuture<byte[]> body = exchange.thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new UncheckedIOException(new IOException("HTTP " + response.statusCode()));
      }
      return response.body();
    });
    // A body given up on (timed out) cancels the exchange too, which aborts it (JDK 16+): a server stalling
    // mid-body keeps no connection open.
    body.whenComplete((bytes, failure) -> {
      if (failure != null) {
        exchange.cancel(true);
      }
    });
    return body;
  }

  private Map<String, RSAPublicKey> parseUnchecked(byte[] json) {
    try {
      return parse(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /** The body as bytes; the exchange is cancelled, and the body fails, once it is longer than {@code max}. */
  private static final class AtMost implements BodySubscriber<byte[]> {
    private final BodySubscriber<byte[]> bytes = BodySubscribers.ofByteArray();
    private final int max;
    private Flow.Subscription subscription;
    private long received;
    private boolean failed;

    AtMost(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return bytes.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      bytes.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (failed) {
        return;
      }
      received += items.stream().mapToLong(ByteBuffer::remaining).sum();
      if (received > max) {
        failed = true;
        subscription.cancel();
        bytes.onError(new IOException("the JWKS is larger than " + max + " bytes"));
        return;
      }
      bytes.onNext(items);
    }

    @Override
    public void onError(Throwable t) {
      if (!failed) {
        bytes.onError(t);
      }
    }

    @Override
    public void onComplete() {
      if (!failed) {
        bytes.onComplete();
      }
    }
  }
}
