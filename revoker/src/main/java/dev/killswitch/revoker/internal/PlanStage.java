package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import dev.killswitch.revoker.plan.ChainGraph;
import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.revoker.plan.Plan;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Requests to actions: for each {@code revocation.requested}, plan against the chain view, record every planned
 * action as {@code pending} and every skipped one as {@code skipped} in the ledger, then publish the actions.
 *
 * <p>Order matters twice. The chain view is caught up to the chains topic's end offsets observed after the
 * batch was read: the correlator writes a chain's snapshot before the request it triggers, so the planner sees
 * it. And the ledger entries are acknowledged before the actions are sent, so an executor's final result always
 * lands after the {@code pending} entry of the same action. Actions whose final result is already recorded (a
 * replayed or duplicated request) are neither recorded again nor republished.
 */
public final class PlanStage implements ConsumerLoop.Stage {

  private static final Logger LOG = LoggerFactory.getLogger(PlanStage.class);
  private static final String ORIGIN = "revoker:planner";

  private final Publisher publisher;
  private final ChainView chains;
  private final TopicView chainsView;
  private final Ledger ledger;
  private final TopicView ledgerView;
  private final Guardrails guardrails;
  private final Clock clock;
  private final RevokerMetrics metrics;
  private final Duration catchUp;
  /** The longest a trigger's request waits for the chain snapshot written with it. */
  static final Duration TRIGGER_SNAPSHOT_WAIT = Duration.ofSeconds(10);
  private final MinuteBudget minuteBudget;
  private final Set<String> approvalRequired;
  private final boolean shadow;

  /**
   * @param approvalRequired broad actions held for approval when enforced
   * @param shadow the revoker never calls a provider, so nothing needs approval
   */
  public PlanStage(Publisher publisher, ChainView chains, TopicView chainsView, Ledger ledger, TopicView ledgerView,
                   Guardrails guardrails, int maxActionsPerMinute, Set<String> approvalRequired, boolean shadow,
                   Clock clock, RevokerMetrics metrics, Duration catchUp) {
    this.minuteBudget = new MinuteBudget(maxActionsPerMinute);
    this.approvalRequired = Set.copyOf(approvalRequired);
    this.shadow = shadow;
    this.publisher = publisher;
    this.chains = chains;
    this.chainsView = chainsView;
    this.ledger = ledger;
    this.ledgerView = ledgerView;
    this.guardrails = guardrails;
    this.clock = clock;
    this.metrics = metrics;
    this.catchUp = catchUp;
  }

  @Override
  public void handle(ConsumerRecords<String, byte[]> records) {
    chainsView.awaitEnd(catchUp);
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
      deadLetter(record, "not-a-revocation-request", e.getMessage());
      return;
    }
    MDC.put("ce.id", envelope.id());
    MDC.put("ce.type", envelope.type().type());
    if (envelope.type() != EventType.REVOCATION_REQUESTED) {
      deadLetter(record, "unexpected-type", "expected " + EventType.REVOCATION_REQUESTED.type());
      return;
    }
    RevocationRequested request = envelope.dataAs(RevocationRequested.class);
    MDC.put("ref", String.valueOf(request.target()));
    if (request.requestId() == null || request.requestId().isBlank()) {
      deadLetter(record, "missing-request-id", "revocation.requested without requestId");
      return;
    }
    if (request.requestedBy() != null && request.requestedBy().startsWith("trigger:")) {
      awaitTriggerSnapshot(request);
    }
    Instant now = clock.instant();
    Plan plan;
    try {
      ChainGraph graph = chains.graphFor(request.target());
      plan = Planner.plan(request, graph, guardrails, now);
      // Actions planned before (a duplicated or replayed request) do not spend the per-minute budget again.
      long known = plan.actions().stream().filter(a -> ledger.result(a.actionId()).isPresent()).count();
      long left = minuteBudget.left(now) + known;
      if (left < plan.actions().size()) {
        plan = Planner.plan(request, graph, guardrails, now, (int) left);
      }
    } catch (InvalidIdentityRefException e) {
      // The results schema admits only valid references; the request stays visible as "rejected" (GET).
      deadLetter(record, "invalid-target", e.getMessage());
      return;
    }
    record(plan, now);
  }

  /**
   * A trigger's request and the chain snapshot it was decided on are committed in one transaction, but the
   * transaction's markers reach the requests and chains partitions independently: the request can be readable
   * while the chains partition's last stable offset still lies before the snapshot, so catching up to the end
   * offsets is not enough. Wait (bounded) until the view shows the target covered, which only that snapshot does.
   */
  private void awaitTriggerSnapshot(RevocationRequested request) {
    Duration bound = catchUp.compareTo(TRIGGER_SNAPSHOT_WAIT) < 0 ? catchUp : TRIGGER_SNAPSHOT_WAIT;
    long deadline = System.nanoTime() + bound.toNanos();
    while (!chains.showsRequested(request.target())) {
      if (System.nanoTime() > deadline) {
        LOG.warn("planning {} without the chain snapshot of its trigger: none arrived within {}", request.requestId(),
            bound);
        return;
      }
      chainsView.awaitEnd(catchUp);
      if (!chains.showsRequested(request.target())) {
        try {
          Thread.sleep(20);   // the markers are in flight: a moment, then ask for the end offsets again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private boolean needsApproval(RevocationAction action) {
    return approvalRequired.contains(action.action()) && action.mode() == Mode.ENFORCE && !shadow;
  }

  private void record(Plan plan, Instant now) {
    List<Future<RecordMetadata>> entries = new ArrayList<>();
    List<RevocationAction> toPublish = new ArrayList<>();
    List<RevocationResult> skipped = new ArrayList<>();
    int alreadyRecorded = 0;
    int held = 0;
    int fresh = 0;
    for (RevocationAction action : plan.actions()) {
      Optional<RevocationResult> known = ledger.result(action.actionId());
      if (known.isPresent() && known.get().outcome().isFinal()) {
        alreadyRecorded++;
        continue;
      }
      if (known.isPresent()) {
        // Planned before and not ended: a crash may have come between its pending entry and the action, so
        // publish the action again (the executor dedupes) unless it waits for approval. The pending entry stays:
        // it holds the attempt count of a retried action.
        if (!Events.AWAITING_APPROVAL.equals(known.get().detail())) {
          toPublish.add(action);
        }
        continue;
      }
      fresh++;
      if (needsApproval(action)) {
        entries.add(publisher.send(publisher.topics().revocationResults(),
            Events.result(Events.awaitingApproval(action, now))));
        held++;
        continue;
      }
      entries.add(publisher.send(publisher.topics().revocationResults(), Events.result(Events.pending(action, now))));
      toPublish.add(action);
    }
    for (Plan.Skip skip : plan.skipped()) {
      if (ledger.result(skip.actionId()).isPresent()) {
        alreadyRecorded++;
        continue;
      }
      RevocationResult result = Events.skipped(plan.requestId(), skip, now);
      entries.add(publisher.send(publisher.topics().revocationResults(), Events.result(result)));
      skipped.add(result);
    }
    publisher.awaitAll(entries);

    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (RevocationAction action : toPublish) {
      sends.add(publisher.send(publisher.topics().revocationActions(), Events.action(action)));
    }
    publisher.awaitAll(sends);

    minuteBudget.spend(now, fresh);
    skipped.forEach(ledger::applyResult);
    skipped.forEach(this::logOutcome);
    metrics.planned(toPublish.size() + held, skipped.size());
    LOG.info("planned request {}: {} actions to execute, {} awaiting approval, {} skipped, {} already recorded",
        plan.requestId(), toPublish.size(), held, skipped.size(), alreadyRecorded);
  }

  private void deadLetter(ConsumerRecord<String, byte[]> record, String reason, String detail) {
    LOG.warn("revocation request {}-{}@{} rejected ({}): {}", record.topic(), record.partition(), record.offset(),
        reason, detail);
    publisher.awaitAll(List.of(publisher.deadLetter(record.value(), reason, detail, ORIGIN)));
    metrics.deadLetter(reason);
  }

  private void logOutcome(RevocationResult r) {
    MDC.put("action", r.action());
    MDC.put("ref", String.valueOf(r.target()));
    LOG.info("revocation {} {} {}: {}", r.outcome().wire(), r.action(), r.target(), r.detail());
    metrics.outcome(r.action(), r.outcome().wire());
  }
}
