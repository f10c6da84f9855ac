package dev.killswitch.revoker.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The per-minute blast-radius budget of one planner instance: how many actions were planned over the last 60
 * seconds (a sliding window on the injected clock), and how many more may be. With several planner instances each
 * has its own budget, so the cluster-wide cap is the budget times the instances.
 */
final class MinuteBudget {

  private static final Duration WINDOW = Duration.ofMinutes(1);

  private record Spent(Instant at, int actions) {}

  private final int perMinute;
  private final Deque<Spent> window = new ArrayDeque<>();
  private int total;

  MinuteBudget(int perMinute) {
    this.perMinute = perMinute;
  }

  synchronized int left(Instant now) {
    expire(now);
    return Math.max(0, perMinute - total);
  }

  synchronized void spend(Instant now, int actions) {
    expire(now);
    if (actions > 0) {
      window.addLast(new Spent(now, actions));
      total += actions;
    }
  }

  private void expire(Instant now) {
    Instant from = now.minus(WINDOW);
    while (!window.isEmpty() && !window.peekFirst().at().isAfter(from)) {
      total -= window.pollFirst().actions();
    }
  }
}
