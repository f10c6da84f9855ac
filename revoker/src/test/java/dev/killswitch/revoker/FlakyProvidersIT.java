package dev.killswitch.revoker;

import static dev.killswitch.revoker.Harness.accessKey;
import static dev.killswitch.revoker.Harness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault injection (issue 9): a provider that answers 30 % of its calls with throttling or a 5xx (retriable), on a
 * real broker, for a 40-credential fan-out. Every action ends {@code revoked}; no credential is revoked twice (one
 * successful effect each); the throttled ones needed more than one attempt.
 */
@ExtendWith(KafkaClusterExtension.class)
class FlakyProvidersIT {

  static final String ACTION = "aws.deactivate-access-key";
  static final int CREDENTIALS = 40;

  /** 30 % retriable failures (seeded), otherwise one effect, counted per target. */
  static final class FlakyProvider implements RevocationProvider {
    final Random random = new Random(20261127L);
    final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public String actionId() {
      return ACTION;
    }

    @Override
    public synchronized Outcome execute(RevocationAction action) {
      if (random.nextInt(100) < 30) {
        failures.incrementAndGet();
        return new Outcome.RetriableFailure(random.nextBoolean() ? "429 Throttling: Rate exceeded" : "503 Service Unavailable");
      }
      effects.computeIfAbsent(action.target(), t -> new AtomicInteger()).incrementAndGet();
      return new Outcome.Revoked("key set Inactive");
    }
  }

  @Test
  void thirtyPercentThrottlingAnd5xxStillEndEveryActionRevokedAndNoneTwice(KafkaTestCluster kafka) throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    RetryPolicy policy = new RetryPolicy(12, Duration.ofSeconds(1), Duration.ofSeconds(4));
    FlakyProvider provider = new FlakyProvider();
    try (Harness harness = new Harness(kafka, clock, c -> c.withRetry(policy).withMaxActionsPerMinute(1000))
        .start(new ProviderRegistry().register(provider))) {
      String run = run("flaky-" + System.nanoTime());
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < CREDENTIALS; i++) {
        keys.add(accessKey("flaky" + i));
      }
      harness.publishChainOf(run, keys);
      String requestId = harness.request(run, Mode.ENFORCE);

      // The backoffs run on the revoker's clock: move it on while waiting for every action to end.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
        clock.advance(policy.maxBackoff());
        Map<String, RevocationResult> latest = harness.latest(requestId);
        return keys.stream().allMatch(k -> latest.containsKey(k)
            && latest.get(k).outcome() != RevocationResult.Outcome.PENDING);
      });

      Map<String, RevocationResult> latest = harness.latest(requestId);
      for (String k : keys) {
        assertThat(latest.get(k).outcome()).as(k).isEqualTo(RevocationResult.Outcome.REVOKED);
        assertThat(provider.effects.get(k)).as("effects on %s", k).hasValue(1);
      }
      assertThat(provider.failures.get()).as("the fake did throttle").isGreaterThan(CREDENTIALS / 10);
      assertThat(latest.values().stream().filter(r -> keys.contains(r.target())).mapToInt(RevocationResult::attempts)
          .max().orElse(0)).isGreaterThan(1);
    }
  }
}
