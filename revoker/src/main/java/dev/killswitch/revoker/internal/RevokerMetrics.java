package dev.killswitch.revoker.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The revoker's meters, named in one place. */
public final class RevokerMetrics {

  private final MeterRegistry registry;

  public RevokerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A request was planned (once per planning, duplicates included). */
  public void planned(int actions, int skipped) {
    Counter.builder("killswitch.revoker.requests.planned").register(registry).increment();
    Counter.builder("killswitch.revoker.actions.planned").register(registry).increment(actions);
    Counter.builder("killswitch.revoker.actions.skipped").register(registry).increment(skipped);
  }

  /** One outcome recorded in the ledger. */
  public void outcome(String action, String outcome) {
    Counter.builder("killswitch.revoker.outcomes").tag("action", action).tag("outcome", outcome)
        .register(registry).increment();
  }

  /** A retriable failure was scheduled for another attempt. */
  public void retry(String action) {
    Counter.builder("killswitch.revoker.retries").tag("action", action).register(registry).increment();
  }

  /** A provider call was not repeated because the ledger already held its final result. */
  public void idempotentSkip() {
    Counter.builder("killswitch.revoker.actions.already.recorded").register(registry).increment();
  }

  public void deadLetter(String reason) {
    Counter.builder("killswitch.revoker.deadletters").tag("reason", reason).register(registry).increment();
  }

  /** An authorization webhook answer: {@code denied} or {@code no-opinion}. */
  public void review(String decision) {
    Counter.builder("killswitch.revoker.authz.reviews").tag("decision", decision).register(registry).increment();
  }

  public MeterRegistry registry() {
    return registry;
  }
}
