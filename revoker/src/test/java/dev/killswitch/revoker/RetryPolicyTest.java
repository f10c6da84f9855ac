package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  final RetryPolicy policy = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(10));

  @Test
  void theBoundDoublesAfterEachFailureUpToTheCap() {
    assertThat(policy.bound(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.bound(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.bound(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(policy.bound(5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.bound(60)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theDelayIsJitteredBetweenHalfTheBoundAndTheBound() {
    assertThat(policy.delayAfter(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.delayAfter(3, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
    assertThat(policy.delayAfter(3, () -> 0.9999999)).isEqualTo(Duration.ofSeconds(4));
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 1000; i++) {
      assertThat(policy.delayAfter(9, random::nextDouble)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
    }
  }

  @Test
  void theLastAttemptIsTheMaxAttemptsTh() {
    assertThat(policy.mayRetryAfter(5)).isTrue();
    assertThat(policy.mayRetryAfter(6)).isFalse();
    assertThat(new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)).mayRetryAfter(1)).isFalse();
  }

  @Test
  void refusesANonsensicalPolicy() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("maxBackoff");
  }
}
