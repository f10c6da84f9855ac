package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.killswitch.ingest.GcpPushAuth;
import dev.killswitch.ingest.PushTokenMint;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key lookup by kid: refreshed on an unknown kid (key rotation), but at most every {@link Jwks#MIN_REFRESH}; a fetch
 * holds up only the lookups that need it.
 */
class JwksTest {

  private PushTokenMint mint;
  private Instant now = Instant.parse("2026-03-14T09:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @BeforeEach
  void start() throws Exception {
    mint = new PushTokenMint().publish("k1");
  }

  @AfterEach
  void stop() {
    mint.close();
  }

  @Test
  void aRotatedInKeyIsFetchedOnItsFirstUseAndKnownKeysAreServedFromTheCache() {
    Jwks jwks = new Jwks(mint.jwksUrl(), null, clock);
    assertThat(jwks.key("k1")).isNotNull();
    assertThat(jwks.key("k1")).isNotNull();
    assertThat(mint.fetches.get()).isEqualTo(1);

    mint.publish("k2");
    now = now.plus(Jwks.MIN_REFRESH);

    assertThat(jwks.key("k2")).isNotNull();
    assertThat(mint.fetches.get()).isEqualTo(2);
  }

  @Test
  void aFloodOfUnknownKidsCostsOneFetchPerRefreshInterval() {
    Jwks jwks = new Jwks(mint.jwksUrl(), null, clock);
    assertThat(jwks.key("k1")).isNotNull();

    now = now.plus(Jwks.MIN_REFRESH);
    for (int i = 0; i < 100; i++) {
      assertThat(jwks.key("made-up-" + i)).isNull();
    }

    assertThat(mint.fetches.get()).isEqualTo(2);
    assertThat(jwks.key("k1")).isNotNull();
  }

  @Test
  void keysAreReadAgainOnceTheyAreOlderThanTheMaximumAgeWhileTheKnownOnesAreStillAnswered() throws Exception {
    Jwks jwks = new Jwks(mint.jwksUrl(), null, clock);
    jwks.key("k1");
    now = now.plus(Jwks.MAX_AGE).minusSeconds(1);
    jwks.key("k1");
    assertThat(mint.fetches.get()).isEqualTo(1);

    mint.publish("k2").holdFetches();
    now = now.plus(Duration.ofSeconds(1));
    assertThat(jwks.key("k1")).isNotNull();
    mint.awaitHeldFetch();
    mint.releaseFetches();

    // The reread answered k1 while it was held, was not given up on, and brings the key published meanwhile.
    assertThat(jwks.key("k2")).isNotNull();
    assertThat(mint.fetches.get()).isEqualTo(2);
  }

  @Test
  void aTokenSignedWithAKnownKeyIsVerifiedWhileTheFetchForAnUnknownKidIsHeld() throws Exception {
    PushTokens tokens = new PushTokens(new GcpPushAuth(PushTokenMint.AUDIENCE, Set.of(PushTokenMint.PUSH_ACCOUNT),
        mint.jwksUrl(), null), clock);
    assertThat(tokens.refusal(mint.rs256("k1", claimsNow()))).isNull();
    mint.publish("k2").holdFetches();
    now = now.plus(Jwks.MIN_REFRESH);

    FutureTask<String> rotated = inThread(() -> tokens.refusal(mint.rs256("k2", claimsNow()))).task();
    mint.awaitHeldFetch();
    try {
      assertThat(tokens.refusal(mint.rs256("k1", claimsNow()))).isNull();
      assertThat(rotated).as("the token signed with the new key waits for the fetch").isNotDone();
    } finally {
      mint.releaseFetches();
    }

    assertThat(rotated.get(60, TimeUnit.SECONDS)).isNull();
    assertThat(mint.fetches.get()).isEqualTo(2);
  }

  @Test
  void lookupsOfAnUnknownKidWhileItsFetchIsInFlightWaitForThatFetchAndStartNoOther() throws Exception {
    Jwks jwks = new Jwks(mint.jwksUrl(), null, clock);
    assertThat(jwks.key("k1")).isNotNull();
    mint.publish("k2").holdFetches();
    now = now.plus(Jwks.MIN_REFRESH);

    Lookup<RSAPublicKey> first = inThread(() -> jwks.key("k2"));
    mint.awaitHeldFetch();
    Lookup<RSAPublicKey> second = inThread(() -> jwks.key("k2"));
    try {
      // Parked on the fetch in flight (a lookup queued behind a lock would be BLOCKED instead).
      await().atMost(Duration.ofSeconds(30)).until(() -> second.thread().getState() == Thread.State.WAITING);
    } finally {
      mint.releaseFetches();
    }

    assertThat(first.task().get(60, TimeUnit.SECONDS)).isNotNull();
    assertThat(second.task().get(60, TimeUnit.SECONDS)).isNotNull();
    assertThat(mint.fetches.get()).isEqualTo(2);
  }

  @Test
  void theJwksIsReadUpToItsSizeLimitAndAnOversizedOrFailedReadKeepsTheKnownKeys() throws Exception {
    AtomicReference<String> body = new AtomicReference<>(padded(mint.jwksJson(), 200 * 1024));
    AtomicInteger status = new AtomicInteger(200);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/certs", exchange -> {
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    try {
      Jwks jwks = new Jwks(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/certs"), null, clock);
      assertThat(jwks.key("k1")).as("200 KB, under the limit").isNotNull();

      body.set(padded(mint.publish("k2").jwksJson(), 300 * 1024));
      now = now.plus(Jwks.MIN_REFRESH);
      assertThat(jwks.key("k2")).as("300 KB, over the limit").isNull();
      assertThat(jwks.key("k1")).isNotNull();

      body.set(mint.jwksJson());
      status.set(500);
      now = now.plus(Jwks.MIN_REFRESH);
      assertThat(jwks.key("k2")).as("HTTP 500").isNull();
      assertThat(jwks.key("k1")).isNotNull();
    } finally {
      server.stop(0);
    }
  }

  /** The JWKS with a string member of about {@code bytes} bytes before its keys. */
  private static String padded(String jwks, int bytes) {
    return "{\"padding\":\"" + "x".repeat(bytes) + "\"," + jwks.substring(1);
  }

  /** Push token claims issued at the test clock's now. */
  private ObjectNode claimsNow() {
    return PushTokenMint.claims().put("iat", now.getEpochSecond()).put("exp", now.getEpochSecond() + 3600);
  }

  private record Lookup<T>(Thread thread, FutureTask<T> task) {}

  private static <T> Lookup<T> inThread(Callable<T> call) {
    FutureTask<T> task = new FutureTask<>(call);
    Thread thread = new Thread(task, "jwks-lookup");
    thread.start();
    return new Lookup<>(thread, task);
  }

  @Test
  void aLocalJwksFileServesAsWellAndAnUnreadableOneKeepsTheKnownKeys(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("certs.json"), mint.jwksJson());
    Jwks jwks = new Jwks(null, file, clock);
    assertThat(jwks.key("k1")).isNotNull();

    Files.delete(file);
    now = now.plus(Jwks.MAX_AGE);

    assertThat(jwks.key("k1")).isNotNull();
  }
}
