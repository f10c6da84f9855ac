package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.ChainState;
import dev.killswitch.correlator.internal.graph.ChainTriggers;
import dev.killswitch.correlator.internal.graph.Firing;
import dev.killswitch.correlator.internal.graph.TriggerSettings;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.RevocationRequested;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Chains and triggers, partitioned by chain id (input: the {@code chain-updates} repartition topic). Applies each
 * change to the chain's state, decides the triggers ({@link ChainTriggers}), and on every change writes the chain
 * snapshot and then the revocation requests and alerts it caused, in the same step, so that under exactly-once all
 * are committed together with the state that remembers them, and the revoker finds the snapshot it plans from.
 *
 * <p>A chain that waits for the wall clock (a grace period, a break-glass bound, a coalesced snapshot) is in the
 * {@code trigger-schedule} time index; a punctuator reads the index up to now. Expiry reads the
 * {@code chain-expiry-index}.
 */
final class ChainProcessor implements Processor<String, ChainMessage, String, Emitted> {

  private static final Logger LOG = LoggerFactory.getLogger(ChainProcessor.class);
  static final URI SOURCE = URI.create("killswitch://correlator");
  private static final String DUE = "t";
  private static final String CHAIN = "x";
  private static final Duration TICK = Duration.ofSeconds(1);

  private final String chainsTopic;
  private final String requestsTopic;
  private final String alertsTopic;
  private final TriggerSettings triggers;
  private final Duration snapshotInterval;
  private final Duration retention;
  private final CorrelatorMetrics metrics;
  private ProcessorContext<String, Emitted> context;
  private ObjectCache<ChainState> chains;
  private TimeIndex schedule;
  private TimeIndex expiry;
  /** Chains changed since the last commit, in the order they first changed: decided at the commit. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  /** A chain as stored at the start of the commit, and with the messages of the commit applied. */
  private record Pending(ChainState before, ChainState applied, long timestamp) {}

  ChainProcessor(String chainsTopic, String requestsTopic, String alertsTopic, TriggerSettings triggers,
                 Duration snapshotInterval, Duration retention, CorrelatorMetrics metrics) {
    this.snapshotInterval = snapshotInterval;
    this.chainsTopic = chainsTopic;
    this.requestsTopic = requestsTopic;
    this.alertsTopic = alertsTopic;
    this.triggers = triggers;
    this.retention = retention;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Emitted> context) {
    this.context = context;
    this.chains = new ObjectCache<>(context.<KeyValueStore<String, ChainState>>getStateStore(
        TopologyNames.CHAINS_STORE), 2_000);
    this.schedule = new TimeIndex(context.getStateStore(TopologyNames.TRIGGER_SCHEDULE_STORE), Duration.ofMillis(1));
    this.expiry = new TimeIndex(context.getStateStore(TopologyNames.CHAIN_EXPIRY_STORE),
        TimeIndex.bucketFor(retention));
    pending.clear();
    CommitHook.bind(context, TopologyNames.CHAINS_COMMIT_HOOK, this::decidePending, pending::clear);
    // Every second whatever the grace: chains scheduled under an earlier, longer grace still fire after a restart.
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::fireDue);
    context.schedule(Expiry.interval(retention), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  /**
   * Applies the change at once; the chain is decided when the task commits ({@link #decidePending}), once however
   * many changes it got in the commit. Nothing downstream sees the difference: what the step writes and sends is
   * committed in the same transaction either way, and triggers decide on aggregates, so a decision on the chain
   * with all of a commit's changes is the one the last change would have led to.
   */
  @Override
  public void process(Record<String, ChainMessage> record) {
    CommitHook.record();
    ChainMessage m = record.value();
    Pending p = pending.get(m.chainId());
    ChainState before = p != null ? p.before() : chains.get(m.chainId());
    ChainState current = p != null ? p.applied() : before;
    ChainState applied = (current != null ? current : ChainState.empty(m.root())).apply(m);
    pending.put(m.chainId(), new Pending(before, applied, record.timestamp()));
  }

  /** Before each commit: decides every chain changed since the last one, in the order they changed. */
  private void decidePending() {
    if (pending.isEmpty()) {
      return;
    }
    List<Pending> due = new ArrayList<>(pending.values());
    pending.clear();
    for (Pending p : due) {
      step(p.before(), p.applied(), p.timestamp());
    }
    // The step wrote to these stores after Kafka Streams may have flushed them for this commit already.
    flushCache(TopologyNames.CHAINS_STORE);
    flushCache(TopologyNames.TRIGGER_SCHEDULE_STORE);
    flushCache(TopologyNames.CHAIN_EXPIRY_STORE);
  }

  private void flushCache(String store) {
    if (context.getStateStore(store) instanceof CachedStateStore<?, ?> cached) {
      cached.flushCache();
    }
  }

  /**
   * Decides the triggers on the changed chain and, when anything changed, stores it and writes what follows. A
   * snapshot is written at once when a trigger fires (before its requests: the revoker plans from it) or when
   * snapshots are not coalesced; otherwise changes within {@code snapshotInterval} share one snapshot, written when
   * the chain's timer comes.
   */
  private void step(ChainState before, ChainState changed, long timestamp) {
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    ChainTriggers.Outcome outcome = ChainTriggers.evaluate(changed, now, triggers);
    Firing firing = outcome.firing();
    ChainState next = firing.state();
    String chainId = next.chainId();
    boolean changedContent = !next.sameContent(before);
    boolean fired = !firing.requests().isEmpty() || !firing.alerts().isEmpty();
    if (changedContent) {
      next = next.withBookkeeping(before == null ? 1 : before.version() + 1, now);
      expiry.moved(CHAIN, chainId, before == null ? null : before.updatedAt(), now);
    }
    Instant snapshotDue = next.snapshotDueAt();
    // A firing always carries the snapshot it was decided on, in the same transaction and before the request:
    // the revoker plans from snapshots, so a deferred (coalesced) one must not lag behind a request.
    boolean emit = fired || (changedContent && snapshotInterval.isZero());
    if (changedContent && !emit && snapshotDue == null) {
      snapshotDue = now.plus(snapshotInterval);
    }
    if (snapshotDue != null && !now.isBefore(snapshotDue)) {
      emit = true;
    }
    if (emit) {
      snapshotDue = null;
    }
    next = next.withSnapshotDue(snapshotDue);
    Instant due = earliest(outcome.nextDue(), snapshotDue);
    if (!Objects.equals(next.timerAt(), due)) {
      schedule.moved(DUE, chainId, next.timerAt(), due);
      next = next.withTimer(due);
    }
    if (!next.equals(before)) {
      chains.put(chainId, next);
    }
    if (emit) {
      emitSnapshot(next, timestamp, now);
    }
    for (RevocationRequested request : firing.requests()) {
      emitRequest(next, request, timestamp);
    }
    for (Alert alert : firing.alerts()) {
      emitAlert(next, alert, timestamp);
    }
    firing.fired().forEach(metrics::trigger);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  private void emitSnapshot(ChainState chain, long timestamp, Instant now) {
    String id = DeterministicIds.of("chain-snapshot", chain.chainId(), Long.toString(chain.version()));
    Envelope<?> event = new Envelope<>(id, SOURCE, EventType.CHAIN, chain.root(), OffsetDateTime.ofInstant(now,
        ZoneOffset.UTC), chain.chainId(), chain.toSnapshot());
    forward(CloudEventCodec.toKafka(chainsTopic, event), EventType.CHAIN, timestamp);
    metrics.snapshot();
  }

  private void emitRequest(ChainState chain, RevocationRequested request, long timestamp) {
    Envelope<?> event = new Envelope<>(request.requestId(), SOURCE, EventType.REVOCATION_REQUESTED,
        request.target(), OffsetDateTime.ofInstant(request.requestedAt(), ZoneOffset.UTC), request.target(), request);
    forward(CloudEventCodec.toKafka(requestsTopic, event), EventType.REVOCATION_REQUESTED, timestamp);
    try (MDC.MDCCloseable ignored = MDC.putCloseable("ref", request.target())) {
      LOG.info("{} fired for chain {} (root {}): request {} targets {} ({}, {})", request.requestedBy(),
          chain.chainId(), chain.root(), request.requestId(), request.target(), request.mode().wire(),
          request.reason());
    }
  }

  private void emitAlert(ChainState chain, Alert alert, long timestamp) {
    Envelope<?> event = new Envelope<>(alert.alertId(), SOURCE, EventType.ALERT, alert.subject(),
        OffsetDateTime.ofInstant(alert.raisedAt(), ZoneOffset.UTC), alert.subject(), alert);
    forward(CloudEventCodec.toKafka(alertsTopic, event), EventType.ALERT, timestamp);
    metrics.alert(alert.kind());
    try (MDC.MDCCloseable ignored = MDC.putCloseable("ref", alert.subject())) {
      LOG.info("alert {} ({}, {}) for chain {} (root {}): {}", alert.alertId(), alert.kind(), alert.severity(),
          chain.chainId(), chain.root(), alert.summary());
    }
  }

  private void forward(ProducerRecord<String, byte[]> out, EventType type, long timestamp) {
    context.forward(new Record<>(out.key(), new Emitted(type, out.value()), timestamp, out.headers()));
  }

  /** Wall-clock punctuation: decides the chains whose time came (grace over, break-glass bound passed). */
  private void fireDue(long nowMs) {
    for (TimeIndex.Entry due : schedule.takeUntil(Instant.ofEpochMilli(nowMs + 1))) {
      Pending p = pending.remove(due.key());
      ChainState chain = p != null ? p.applied() : chains.get(due.key());
      if (chain != null) {
        // The index entry is gone: the chain's timer is unset until the step schedules it again.
        step(p != null ? p.before() : chain, chain.withTimer(null), nowMs);
      }
    }
  }

  /** Wall-clock punctuation: chains without a change for the retention are dropped, and tombstoned on the topic. */
  private void expire(long nowMs) {
    long n = 0;
    for (TimeIndex.Entry e : expiry.takeUntil(Instant.ofEpochMilli(nowMs).minus(retention))) {
      ChainState chain = chains.get(e.key());
      if (chain == null || pending.containsKey(e.key())) {
        continue; // a chain changed in this commit is indexed again when it is decided
      }
      if (chain.timerAt() != null) {
        schedule.moved(DUE, e.key(), chain.timerAt(), null);
      }
      chains.delete(e.key());
      context.forward(new Record<>(e.key(), new Emitted(EventType.CHAIN, null), nowMs));
      n++;
    }
    metrics.expired(TopologyNames.CHAINS_STORE, n);
  }
}
