package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.RetryPolicy;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Actions to results: for each {@code revocation.action}, unless the ledger already holds its final result, call
 * the provider (enforce mode only) and record the outcome in the ledger. A retriable failure is recorded
 * {@code pending} with the attempt count and is tried again after {@link RetryPolicy}'s backoff, until the
 * policy's last attempt, which ends {@code failed}; a permanent failure ends {@code failed} at once. Every
 * {@code failed} action also goes to the dead letter topic.
 *
 * <p>Split in two for {@link ExecutorLoop}: {@link #admit} (on the poll thread: decode, dead-letter, check the
 * ledger, decide when the next attempt is due) and {@link #attempt} (on a worker thread: one provider call and
 * its recorded result).
 *
 * <p>Idempotency: the ledger view is caught up to the results topic's end offsets before each batch is admitted,
 * and each result this stage writes is applied to the view as soon as it is acknowledged, so a duplicated action,
 * in this batch or a later one, on this instance or after a rebalance, finds its result and is not executed again.
 */
public final class ExecuteStage {

  private static final Logger LOG = LoggerFactory.getLogger(ExecuteStage.class);
  private static final String ORIGIN = "revoker:executor";

  /**
   * One action to attempt.
   *
   * @param failedAttempts provider calls that failed retriably so far (from the ledger after a restart)
   * @param due when the next attempt may run
   */
  public record Work(RevocationAction action, byte[] raw, int failedAttempts, Instant due) {
    Work retryAt(int failed, Instant at) {
      return new Work(action, raw, failed, at);
    }
  }

  /** What an attempt left to do: nothing, or another attempt at {@code next.due()}. */
  public sealed interface Step {
    record Finished() implements Step {}

    record RetryAt(Work next) implements Step {}
  }

  private final Publisher publisher;
  private final Ledger ledger;
  private final ProviderRegistry providers;
  private final RetryPolicy retry;
  private final DoubleSupplier jitter;
  private final boolean shadow;
  private final Clock clock;
  private final RevokerMetrics metrics;
  private final Map<String, Integer> liftFailures = new ConcurrentHashMap<>();

  public ExecuteStage(Publisher publisher, Ledger ledger, ProviderRegistry providers, RetryPolicy retry,
                      DoubleSupplier jitter, boolean shadow, Clock clock, RevokerMetrics metrics) {
    this.publisher = publisher;
    this.ledger = ledger;
    this.providers = providers;
    this.retry = retry;
    this.jitter = jitter;
    this.shadow = shadow;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Decides what the record needs: nothing (dead-lettered, or its final result is recorded), or an attempt. The
   * caller has caught the ledger view up. An action the ledger shows {@code pending} after failed attempts (read
   * again after a restart or a rebalance) resumes its backoff from the recorded failure.
   */
  public Optional<Work> admit(ConsumerRecord<String, byte[]> record) {
    try {
      Envelope<?> envelope;
      try {
        envelope = CloudEventCodec.fromKafka(record);
      } catch (CloudEventCodec.CodecException e) {
        deadLetter(record.value(), "not-a-revocation-action", e.getMessage());
        return Optional.empty();
      }
      if (envelope.type() != EventType.REVOCATION_ACTION) {
        deadLetter(record.value(), "unexpected-type", "expected " + EventType.REVOCATION_ACTION.type());
        return Optional.empty();
      }
      RevocationAction action = envelope.dataAs(RevocationAction.class);
      if (action.actionId() == null || action.action() == null) {
        deadLetter(record.value(), "malformed-action", "revocation.action without actionId or action");
        return Optional.empty();
      }
      Optional<RevocationResult> recorded = ledger.finalResult(action.actionId());
      if (recorded.isPresent()) {
        skipRecorded(recorded.get());
        return Optional.empty();
      }
      Instant now = clock.instant();
      RevocationResult latest = ledger.result(action.actionId()).orElse(null);
      if (latest != null && latest.attempts() > 0 && latest.recordedAt() != null) {
        Instant due = latest.recordedAt().plus(retry.delayAfter(latest.attempts(), jitter));
        return Optional.of(new Work(action, record.value(), latest.attempts(), due.isBefore(now) ? now : due));
      }
      return Optional.of(new Work(action, record.value(), 0, now));
    } finally {
      MDC.clear();
    }
  }

  /** One attempt: the provider call (or why there is none) and its result, recorded and acknowledged. */
  public Step attempt(Work work) {
    RevocationAction action = work.action();
    try {
      MDC.put("ce.id", action.actionId());
      MDC.put("ce.type", EventType.REVOCATION_ACTION.type());
      MDC.put("ref", String.valueOf(action.target()));
      MDC.put("action", String.valueOf(action.action()));
      Optional<RevocationResult> recorded = ledger.finalResult(action.actionId());
      if (recorded.isPresent()) {
        skipRecorded(recorded.get());
        return new Step.Finished();
      }
      int attempt = work.failedAttempts() + 1;
      Instant now;
      Outcome outcome = call(action);
      now = clock.instant();
      RevocationResult result;
      Step step = new Step.Finished();
      if (outcome == null) {
        result = notCalled(action, now);
      } else if (outcome instanceof Outcome.RetriableFailure) {
        if (retry.mayRetryAfter(attempt)) {
          Instant next = now.plus(retry.delayAfter(attempt, jitter));
          result = Events.outcome(action, RevocationResult.Outcome.PENDING, "attempt " + attempt + " of "
              + retry.maxAttempts() + " failed (retriable): " + outcome.detail() + "; next attempt at " + next,
              attempt, now);
          step = new Step.RetryAt(work.retryAt(attempt, next));
          metrics.retry(action.action());
        } else {
          result = Events.outcome(action, RevocationResult.Outcome.FAILED, "gave up after " + attempt
              + " attempts: " + outcome.detail(), attempt, now);
        }
      } else {
        result = recordOf(action, outcome, attempt, now);
      }
      publisher.awaitAll(List.of(publisher.send(publisher.topics().revocationResults(), Events.result(result))));
      ledger.applyResult(result);
      if (result.outcome() == RevocationResult.Outcome.FAILED) {
        deadLetter(work.raw(), "revocation-failed", result.detail());
      }
      LOG.info("revocation {} {} {}: {}", result.outcome().wire(), result.action(), result.target(), result.detail());
      metrics.outcome(result.action(), result.outcome().wire());
      return step;
    } finally {
      MDC.clear();
    }
  }

  /** The provider's outcome, or null when no provider is to be called (not enforced, none registered). */
  private Outcome call(RevocationAction action) {
    if (!enforced(action)) {
      return null;
    }
    Optional<RevocationProvider> provider = providers.find(action.action());
    if (provider.isEmpty()) {
      return null;
    }
    MDC.put("provider", provider.get().getClass().getSimpleName());
    try {
      Optional<Outcome> stop = provider.get().preflight(action);
      if (stop.isPresent()) {
        return stop.get();
      }
      return provider.get().execute(action);
    } catch (RuntimeException e) {
      return new Outcome.RetriableFailure("provider threw " + e);
    }
  }

  /**
   * Lifts one action of an expired temporary lock: the provider undoes it and the ledger records {@code lifted}.
   * An action that found access already ended ({@code already-revoked}) is recorded lifted without a call: it did
   * not take the access away, so it must not give it back.
   *
   * @return when to try again after a retriable failure, or empty when the lift is over (lifted, or failed)
   */
  public Optional<Instant> lift(Ledger.Lift lift) {
    RevocationResult revoked = lift.revoked();
    try {
      MDC.put("ce.id", revoked.actionId());
      MDC.put("ref", String.valueOf(revoked.target()));
      MDC.put("action", String.valueOf(revoked.action()));
      Optional<RevocationResult> current = ledger.result(revoked.actionId());
      if (current.isEmpty() || (current.get().outcome() != RevocationResult.Outcome.REVOKED
          && current.get().outcome() != RevocationResult.Outcome.ALREADY_REVOKED)) {
        return Optional.empty();
      }
      RevocationRequested request = lift.request();
      RevocationAction action = new RevocationAction(revoked.actionId(), revoked.requestId(), revoked.action(),
          revoked.target(), Map.of(), request.mode(), request.reason(), request.requestedBy(), null,
          request.expiresAt());
      String lockEnd = "lock expired at " + request.expiresAt() + ": ";
      Outcome outcome;
      if (revoked.outcome() == RevocationResult.Outcome.ALREADY_REVOKED) {
        outcome = new Outcome.Revoked("nothing to lift, access had already ended before the lock");
      } else {
        Optional<RevocationProvider> provider = providers.find(revoked.action());
        if (provider.isEmpty()) {
          outcome = new Outcome.PermanentFailure("no provider for " + revoked.action());
        } else {
          MDC.put("provider", provider.get().getClass().getSimpleName());
          try {
            outcome = provider.get().lift(action, revoked);
          } catch (RuntimeException e) {
            outcome = new Outcome.RetriableFailure("provider threw " + e);
          }
        }
      }
      Instant now = clock.instant();
      RevocationResult result;
      Optional<Instant> again = Optional.empty();
      if (outcome instanceof Outcome.Revoked || outcome instanceof Outcome.AlreadyRevoked) {
        result = Events.outcome(action, RevocationResult.Outcome.LIFTED, lockEnd + outcome.detail(),
            revoked.attempts(), now);
        liftFailures.remove(revoked.actionId());
      } else {
        int failed = liftFailures.merge(revoked.actionId(), 1, Integer::sum);
        if (outcome instanceof Outcome.RetriableFailure && retry.mayRetryAfter(failed)) {
          LOG.warn("lift of {} failed (attempt {}), trying again: {}", revoked.actionId(), failed, outcome.detail());
          return Optional.of(now.plus(retry.delayAfter(failed, jitter)));
        }
        liftFailures.remove(revoked.actionId());
        result = Events.outcome(action, RevocationResult.Outcome.FAILED, "lift failed: " + outcome.detail()
            + " (" + lockEnd.substring(0, lockEnd.length() - 2) + "; access is still revoked)", revoked.attempts(), now);
      }
      publisher.awaitAll(List.of(publisher.send(publisher.topics().revocationResults(), Events.result(result))));
      ledger.applyResult(result);
      if (result.outcome() == RevocationResult.Outcome.FAILED) {
        deadLetter(CloudEventCodec.toKafka(publisher.topics().revocationActions(), Events.action(action)).value(),
            "lift-failed", result.detail());
      }
      LOG.info("revocation {} {} {}: {}", result.outcome().wire(), result.action(), result.target(), result.detail());
      metrics.outcome(result.action(), result.outcome().wire());
      return again;
    } finally {
      MDC.clear();
    }
  }

  private boolean enforced(RevocationAction action) {
    return !shadow && action.mode() == Mode.ENFORCE;
  }

  private RevocationResult notCalled(RevocationAction action, Instant now) {
    if (shadow) {
      return Events.outcome(action, RevocationResult.Outcome.DRY_RUN,
          "shadow mode (revoker): would " + action.action() + " " + action.target(), 0, now);
    }
    Mode mode = action.mode() == null ? Mode.DRY_RUN : action.mode();
    if (mode != Mode.ENFORCE) {
      return Events.outcome(action, RevocationResult.Outcome.DRY_RUN,
          mode.wire() + ": would " + action.action() + " " + action.target(), 0, now);
    }
    return Events.outcome(action, RevocationResult.Outcome.SKIPPED, "no provider for " + action.action(), 0, now);
  }

  private static RevocationResult recordOf(RevocationAction action, Outcome outcome, int attempt, Instant now) {
    RevocationResult.Outcome recorded;
    if (outcome instanceof Outcome.Revoked) {
      recorded = RevocationResult.Outcome.REVOKED;
    } else if (outcome instanceof Outcome.AlreadyRevoked) {
      recorded = RevocationResult.Outcome.ALREADY_REVOKED;
    } else if (outcome instanceof Outcome.Skipped) {
      recorded = RevocationResult.Outcome.SKIPPED;
    } else {
      recorded = RevocationResult.Outcome.FAILED;
    }
    return Events.outcome(action, recorded, outcome.detail() + approval(action), attempt, now);
  }

  /** The approval of a broad action, kept in its final result's detail. */
  private static String approval(RevocationAction action) {
    Map<String, String> params = action.params() == null ? Map.of() : action.params();
    String by = params.get(Events.PARAM_APPROVED_BY);
    return by == null ? "" : " (approved by " + by + " at " + params.get(Events.PARAM_APPROVED_AT) + ")";
  }

  private void skipRecorded(RevocationResult recorded) {
    metrics.idempotentSkip();
    if (ledger.needsReassert(recorded.actionId())) {
      // A duplicate request wrote "pending" after this final result; write the final result again so that the
      // compacted topic keeps it.
      publisher.awaitAll(List.of(publisher.send(publisher.topics().revocationResults(), Events.result(recorded))));
      ledger.applyResult(recorded);
    }
    LOG.debug("action {} already recorded as {}; provider not called", recorded.actionId(), recorded.outcome().wire());
  }

  void deadLetter(byte[] value, String reason, String detail) {
    publisher.awaitAll(List.of(publisher.deadLetter(value, reason, detail, ORIGIN)));
    metrics.deadLetter(reason);
    if (!"revocation-failed".equals(reason)) {
      LOG.warn("revocation action rejected ({}): {}", reason, detail);
    }
  }
}
