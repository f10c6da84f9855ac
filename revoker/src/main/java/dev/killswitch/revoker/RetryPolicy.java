package dev.killswitch.revoker;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How a retriable provider failure (throttling, 5xx, timeouts) is tried again: capped exponential backoff with
 * "equal jitter". Attempt {@code n} (1-based) that failed is followed by attempt {@code n + 1} after a delay drawn
 * uniformly from {@code [b/2, b]} where {@code b = min(maxBackoff, initialBackoff * 2^(n-1))}: the exponential part
 * spreads the load on a throttling API, the jitter keeps the actions of one fan-out from retrying in lock step,
 * and the lower half keeps a minimum pause.
 *
 * @param maxAttempts provider calls per action at most, the first included; the last retriable failure is
 *     recorded {@code failed}
 * @param initialBackoff the bound {@code b} after the first failure
 * @param maxBackoff the cap of {@code b}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofMinutes(5));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("retry maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("retry initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("retry maxBackoff must be at least initialBackoff, got " + maxBackoff);
    }
  }

  /** The upper bound {@code b} of the delay after failed attempt {@code attempt} (1-based). */
  public Duration bound(int attempt) {
    Duration b = initialBackoff;
    for (int i = 1; i < attempt && b.compareTo(maxBackoff) < 0; i++) {
      b = b.multipliedBy(2);
    }
    return b.compareTo(maxBackoff) > 0 ? maxBackoff : b;
  }

  /**
   * The delay after failed attempt {@code attempt}.
   *
   * @param random uniform in {@code [0, 1)}; injected so that tests know the delay
   */
  public Duration delayAfter(int attempt, DoubleSupplier random) {
    long bound = bound(attempt).toMillis();
    long half = bound / 2;
    double r = Math.min(Math.max(random.getAsDouble(), 0.0), 1.0);
    return Duration.ofMillis(half + Math.round((bound - half) * r));
  }

  /** True when another attempt may follow failed attempt {@code attempt}. */
  public boolean mayRetryAfter(int attempt) {
    return attempt < maxAttempts;
  }
}
