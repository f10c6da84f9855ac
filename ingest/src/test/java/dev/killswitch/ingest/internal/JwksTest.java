package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.ingest.PushTokenMint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key lookup by kid: refreshed on an unknown kid (key rotation), but at most every {@link Jwks#MIN_REFRESH}. */
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
  void keysAreReadAgainOnceTheyAreOlderThanTheMaximumAge() {
    Jwks jwks = new Jwks(mint.jwksUrl(), null, clock);
    jwks.key("k1");
    now = now.plus(Jwks.MAX_AGE).minusSeconds(1);
    jwks.key("k1");
    assertThat(mint.fetches.get()).isEqualTo(1);

    now = now.plus(Duration.ofSeconds(1));
    jwks.key("k1");

    assertThat(mint.fetches.get()).isEqualTo(2);
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
