package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.revoker.RevokerException;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Actions to results: for each {@code revocation.action}, unless the ledger already holds its final result, call
 * the provider (enforce mode only) and record the outcome in the ledger.
 *
 * <p>Idempotency: the ledger view is caught up to the results topic's end offsets before each batch, and each
 * result this stage writes is applied to the view as soon as it is acknowledged, so a duplicated action, in this
 * batch or a later one, on this instance or after a rebalance, finds its result and is not executed again.
 */
public final class ExecuteStage implements ConsumerLoop.Stage {

  private static final Logger LOG = LoggerFactory.getLogger(ExecuteStage.class);
  private static final String ORIGIN = "revoker:executor";

  private final Publisher publisher;
  private final Ledger ledger;
  private final TopicView ledgerView;
  private final ProviderRegistry providers;
  private final Clock clock;
  private final RevokerMetrics metrics;
  private final Duration catchUp;

  public ExecuteStage(Publisher publisher, Ledger ledger, TopicView ledgerView, ProviderRegistry providers,
                      Clock clock, RevokerMetrics metrics, Duration catchUp) {
    this.publisher = publisher;
    this.ledger = ledger;
    this.ledgerView = ledgerView;
    this.providers = providers;
    this.clock = clock;
    this.metrics = metrics;
    this.catchUp = catchUp;
  }

  @Override
  public void handle(ConsumerRecords<String, byte[]> records) {
    ledgerView.awaitEnd(catchUp);
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        handle(record);
      } catch (RevokerException | KafkaException e) {
        throw e;   // Kafka trouble: the loop reads the batch again
      } catch (RuntimeException e) {
        // One record we cannot handle must not stop the stage: dead letter, count, go on.
        LOG.error("{}-{}@{} could not be handled", record.topic(), record.partition(), record.offset(), e);
        publisher.awaitAll(List.of(publisher.deadLetter(record.value(), "unprocessable", e.toString(), ORIGIN)));
        metrics.deadLetter("unprocessable");
      } finally {
        MDC.clear();
      }
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    Envelope<?> envelope;
    try {
      envelope = CloudEventCodec.fromKafka(record);
    } catch (CloudEventCodec.CodecException e) {
      deadLetter(record.value(), "not-a-revocation-action", e.getMessage());
      return;
    }
    if (envelope.type() != EventType.REVOCATION_ACTION) {
      deadLetter(record.value(), "unexpected-type", "expected " + EventType.REVOCATION_ACTION.type());
      return;
    }
    RevocationAction action = envelope.dataAs(RevocationAction.class);
    MDC.put("ce.id", envelope.id());
    MDC.put("ce.type", envelope.type().type());
    MDC.put("ref", String.valueOf(action.target()));
    MDC.put("action", String.valueOf(action.action()));
    if (action.actionId() == null || action.action() == null) {
      deadLetter(record.value(), "malformed-action", "revocation.action without actionId or action");
      return;
    }

    Optional<RevocationResult> recorded = ledger.finalResult(action.actionId());
    if (recorded.isPresent()) {
      skipRecorded(recorded.get());
      return;
    }
    RevocationResult result = execute(action);
    publisher.awaitAll(List.of(publisher.send(publisher.topics().revocationResults(), Events.result(result))));
    ledger.applyResult(result);
    if (result.outcome() == RevocationResult.Outcome.FAILED) {
      deadLetter(record.value(), "revocation-failed", result.detail());
    }
    LOG.info("revocation {} {} {}: {}", result.outcome().wire(), result.action(), result.target(), result.detail());
    metrics.outcome(result.action(), result.outcome().wire());
  }

  /** The provider call, or why there is none. Outcomes are values; a provider's exception is one too. */
  private RevocationResult execute(RevocationAction action) {
    Mode mode = action.mode() == null ? Mode.DRY_RUN : action.mode();
    if (mode != Mode.ENFORCE) {
      return Events.outcome(action, RevocationResult.Outcome.DRY_RUN,
          mode.wire() + ": would " + action.action() + " " + action.target(), 0, clock.instant());
    }
    Optional<RevocationProvider> provider = providers.find(action.action());
    if (provider.isEmpty()) {
      return Events.outcome(action, RevocationResult.Outcome.SKIPPED, "no provider for " + action.action(), 0,
          clock.instant());
    }
    MDC.put("provider", provider.get().getClass().getSimpleName());
    Outcome outcome;
    try {
      outcome = provider.get().execute(action);
    } catch (RuntimeException e) {
      outcome = new Outcome.RetriableFailure("provider threw " + e);
    }
    return recordOf(action, outcome);
  }

  private RevocationResult recordOf(RevocationAction action, Outcome outcome) {
    if (outcome instanceof Outcome.Revoked) {
      return Events.outcome(action, RevocationResult.Outcome.REVOKED, outcome.detail(), 1, clock.instant());
    }
    if (outcome instanceof Outcome.AlreadyRevoked) {
      return Events.outcome(action, RevocationResult.Outcome.ALREADY_REVOKED, outcome.detail(), 1, clock.instant());
    }
    if (outcome instanceof Outcome.RetriableFailure) {
      // Scheduling the retry (capped backoff with jitter, off the poll loop) is issue 5; until then the action
      // stays pending with the error, and a replay of the request tries it again.
      return Events.outcome(action, RevocationResult.Outcome.PENDING,
          "retriable failure, not retried yet: " + outcome.detail(), 1, clock.instant());
    }
    return Events.outcome(action, RevocationResult.Outcome.FAILED, outcome.detail(), 1, clock.instant());
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

  private void deadLetter(byte[] value, String reason, String detail) {
    publisher.awaitAll(List.of(publisher.deadLetter(value, reason, detail, ORIGIN)));
    metrics.deadLetter(reason);
    if (!"revocation-failed".equals(reason)) {
      LOG.warn("revocation action rejected ({}): {}", reason, detail);
    }
  }
}
