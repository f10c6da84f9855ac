package dev.killswitch.revoker;

import static dev.killswitch.revoker.Harness.MAX;
import static dev.killswitch.revoker.Harness.accessKey;
import static dev.killswitch.revoker.Harness.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries with backoff off the poll loop, on a real broker; the test moves the revoker's clock. */
@ExtendWith(KafkaClusterExtension.class)
class RetryIT {

  static final RetryPolicy POLICY = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(20));
  static final String ACTION = "aws.deactivate-access-key";

  static KafkaTestCluster kafka;
  static TestClock clock;
  static ScriptedProvider keys;
  static Harness harness;

  @BeforeAll
  static void start(KafkaTestCluster cluster) {
    kafka = cluster;
    clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    keys = new ScriptedProvider(ACTION);
    harness = new Harness(kafka, clock, c -> c.withRetry(POLICY)).start(new ProviderRegistry().register(keys));
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void aRetriableFailureIsTriedAgainAfterItsBackoffWhileTheRestOfTheFanOutFinishes() throws Exception {
    String flaky = accessKey("flaky" + UUID.randomUUID());
    String b = accessKey("b" + UUID.randomUUID());
    String c = accessKey("c" + UUID.randomUUID());
    keys.script(flaky, new Outcome.RetriableFailure("429 Throttling"), new Outcome.RetriableFailure("503"));
    String run = run("r" + UUID.randomUUID());
    harness.publishChainOf(run, List.of(flaky, b, c));

    String requestId = harness.request(run, Mode.ENFORCE);

    await().atMost(MAX).untilAsserted(() -> {
      assertThat(harness.result(requestId, b).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(harness.result(requestId, c).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(harness.result(requestId, flaky).outcome()).isEqualTo(RevocationResult.Outcome.PENDING);
      assertThat(harness.result(requestId, flaky).attempts()).isEqualTo(1);
      assertThat(harness.result(requestId, flaky).detail()).startsWith("attempt 1 of 3 failed (retriable): 429 Throttling");
    });
    assertThat(keys.calls(flaky)).isEqualTo(1);

    clock.advance(POLICY.bound(1));
    await().atMost(MAX).untilAsserted(() ->
        assertThat(harness.result(requestId, flaky).attempts()).isEqualTo(2));
    assertThat(keys.calls(flaky)).isEqualTo(2);

    clock.advance(POLICY.bound(2));
    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult r = harness.result(requestId, flaky);
      assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(r.attempts()).isEqualTo(3);
    });
    assertThat(keys.calls(flaky)).isEqualTo(3);
    assertThat(keys.calls(b)).isEqualTo(1);
  }

  @Test
  void aProviderCallThatHangsDoesNotHoldUpTheOtherActions() throws Exception {
    String slow = accessKey("slow" + UUID.randomUUID());
    String quick = accessKey("quick" + UUID.randomUUID());
    CountDownLatch release = new CountDownLatch(1);
    keys.hold(slow, release);
    String run = run("r" + UUID.randomUUID());
    harness.publishChainOf(run, List.of(slow, quick));

    String requestId = harness.request(run, Mode.ENFORCE);

    await().atMost(MAX).untilAsserted(() -> {
      assertThat(harness.result(requestId, quick).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
      assertThat(keys.calls(slow)).isEqualTo(1);
    });
    assertThat(harness.result(requestId, slow).outcome()).isEqualTo(RevocationResult.Outcome.PENDING);
    release.countDown();
    await().atMost(MAX).untilAsserted(() ->
        assertThat(harness.result(requestId, slow).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
  }

  @Test
  void aPermanentFailureEndsFailedAtOnceAndGoesToTheDeadLetterTopic() throws Exception {
    String denied = accessKey("denied" + UUID.randomUUID());
    keys.always(denied, new Outcome.PermanentFailure("AccessDenied: iam:UpdateAccessKey"));
    String run = run("r" + UUID.randomUUID());
    harness.publishChainOf(run, List.of(denied));

    String requestId = harness.request(run, Mode.ENFORCE);

    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult r = harness.result(requestId, denied);
      assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.FAILED);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.detail()).isEqualTo("AccessDenied: iam:UpdateAccessKey");
    });
    assertThat(keys.calls(denied)).isEqualTo(1);
    assertDeadLettered(DeterministicIds.actionId(requestId, ACTION, denied));
  }

  @Test
  void anActionThatKeepsFailingRetriablyEndsFailedAfterMaxAttemptsAndIsDeadLettered() throws Exception {
    String down = accessKey("down" + UUID.randomUUID());
    keys.always(down, new Outcome.RetriableFailure("500 InternalFailure"));
    String run = run("r" + UUID.randomUUID());
    harness.publishChainOf(run, List.of(down));

    String requestId = harness.request(run, Mode.ENFORCE);
    for (int attempt = 1; attempt < POLICY.maxAttempts(); attempt++) {
      int failed = attempt;
      await().atMost(MAX).untilAsserted(() ->
          assertThat(harness.result(requestId, down).attempts()).isEqualTo(failed));
      clock.advance(POLICY.bound(attempt));
    }

    await().atMost(MAX).untilAsserted(() -> {
      RevocationResult r = harness.result(requestId, down);
      assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.FAILED);
      assertThat(r.attempts()).isEqualTo(3);
      assertThat(r.detail()).isEqualTo("gave up after 3 attempts: 500 InternalFailure");
    });
    assertThat(keys.calls(down)).isEqualTo(3);
    assertDeadLettered(DeterministicIds.actionId(requestId, ACTION, down));
  }

  @Test
  void aRetryScheduledWhenTheRevokerStopsIsResumedByTheNextOneFromTheLedger() throws Exception {
    TestClock ownClock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    ScriptedProvider first = new ScriptedProvider(ACTION);
    try (Harness h = new Harness(kafka, ownClock, c -> c.withRetry(POLICY))) {
      h.start(new ProviderRegistry().register(first));
      String key = accessKey("resume" + UUID.randomUUID());
      first.script(key, new Outcome.RetriableFailure("timeout"));
      String run = run("r" + UUID.randomUUID());
      h.publishChainOf(run, List.of(key));
      String requestId = h.request(run, Mode.ENFORCE);
      await().atMost(MAX).untilAsserted(() ->
          assertThat(h.result(requestId, key).attempts()).isEqualTo(1));
      h.stop();

      ScriptedProvider second = new ScriptedProvider(ACTION);
      h.start(new ProviderRegistry().register(second));
      ownClock.advance(POLICY.bound(1));

      await().atMost(MAX).untilAsserted(() -> {
        RevocationResult r = h.result(requestId, key);
        assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
        assertThat(r.attempts()).isEqualTo(2);
      });
      assertThat(first.calls(key)).isEqualTo(1);
      assertThat(second.calls(key)).isEqualTo(1);
    }
  }

  static void assertDeadLettered(String actionId) {
    await().atMost(MAX).untilAsserted(() -> {
      List<ConsumerRecord<String, byte[]>> letters = kafka.readToEnd(harness.topics.deadletter());
      assertThat(letters).anySatisfy(r -> {
        assertThat(new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
            .isEqualTo("revocation-failed");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains(actionId);
      });
    });
  }
}
