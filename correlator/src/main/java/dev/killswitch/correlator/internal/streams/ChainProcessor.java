package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.ChainState;
import dev.killswitch.correlator.internal.graph.JobCompletedTrigger;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Chains and triggers, partitioned by chain id (input: the {@code chain-updates} repartition topic). Applies each
 * change to the chain's state, decides the job-completed trigger, and on every change writes the chain snapshot
 * and then the revocation requests it caused, in the same step, so that under exactly-once both are committed
 * together with the state that remembers them, and the revoker finds the snapshot it plans from.
 *
 * <p>With a grace period, a wall-clock punctuator fires the runs whose grace has passed (the
 * {@code trigger-schedule} store holds only the chains that wait).
 */
final class ChainProcessor implements Processor<String, ChainMessage, String, Emitted> {

  private static final Logger LOG = LoggerFactory.getLogger(ChainProcessor.class);
  static final URI SOURCE = URI.create("killswitch://correlator");
  private static final Duration MIN_TICK = Duration.ofMillis(100);
  private static final Duration MAX_TICK = Duration.ofSeconds(1);

  private final String chainsTopic;
  private final String requestsTopic;
  private final Duration grace;
  private final Mode mode;
  private final Duration retention;
  private final CorrelatorMetrics metrics;
  private ProcessorContext<String, Emitted> context;
  private KeyValueStore<String, ChainState> chains;
  private KeyValueStore<String, Long> schedule;

  ChainProcessor(String chainsTopic, String requestsTopic, Duration grace, Mode mode, Duration retention,
                 CorrelatorMetrics metrics) {
    this.chainsTopic = chainsTopic;
    this.requestsTopic = requestsTopic;
    this.grace = grace;
    this.mode = mode;
    this.retention = retention;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Emitted> context) {
    this.context = context;
    this.chains = context.getStateStore(TopologyNames.CHAINS_STORE);
    this.schedule = context.getStateStore(TopologyNames.TRIGGER_SCHEDULE_STORE);
    // Also without a grace period: chains scheduled under an earlier, longer grace still fire after a restart.
    Duration half = grace.dividedBy(2);
    Duration tick = grace.isZero() ? MAX_TICK
        : half.compareTo(MIN_TICK) < 0 ? MIN_TICK : half.compareTo(MAX_TICK) > 0 ? MAX_TICK : half;
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::fireDue);
    context.schedule(Expiry.interval(retention), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void process(Record<String, ChainMessage> record) {
    ChainMessage m = record.value();
    ChainState before = chains.get(m.chainId());
    ChainState applied = (before != null ? before : ChainState.empty(m.root())).apply(m);
    step(before, applied, record.timestamp());
  }

  /** Decides the trigger on the changed chain and, when anything changed, stores it and writes what follows. */
  private void step(ChainState before, ChainState changed, long timestamp) {
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    JobCompletedTrigger.Decision decision = JobCompletedTrigger.evaluate(changed, now, grace, mode);
    ChainState next = decision.state();
    String chainId = next.chainId();
    if (next.completion() != null && now.isBefore(next.completion().dueAt())) {
      schedule.put(chainId, next.completion().dueAt().toEpochMilli());
    } else if (before != null && before.completion() != null) {
      schedule.delete(chainId);
    }
    if (next.sameContent(before)) {
      return;
    }
    next = next.withBookkeeping(before == null ? 1 : before.version() + 1, now);
    chains.put(chainId, next);
    emitSnapshot(next, timestamp, now);
    for (RevocationRequested request : decision.requests()) {
      emitRequest(next, request, timestamp);
    }
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
    metrics.trigger(JobCompletedTrigger.NAME);
    try (MDC.MDCCloseable ignored = MDC.putCloseable("ref", request.target())) {
      LOG.info("trigger {} fired for chain {} (root {}): request {} targets {} ({}, {})", JobCompletedTrigger.NAME,
          chain.chainId(), chain.root(), request.requestId(), request.target(), request.mode().wire(),
          request.reason());
    }
  }

  private void forward(ProducerRecord<String, byte[]> out, EventType type, long timestamp) {
    context.forward(new Record<>(out.key(), new Emitted(type, out.value()), timestamp, out.headers()));
  }

  /** Wall-clock punctuation: fires the chains whose grace period has passed. */
  private void fireDue(long nowMs) {
    List<String> due = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = schedule.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (kv.value != null && kv.value <= nowMs) {
          due.add(kv.key);
        }
      }
    }
    for (String chainId : due) {
      ChainState chain = chains.get(chainId);
      if (chain == null) {
        schedule.delete(chainId);
      } else {
        step(chain, chain, nowMs);
      }
    }
  }

  /** Wall-clock punctuation: chains without a change for the retention are dropped, and tombstoned on the topic. */
  private void expire(long nowMs) {
    Instant cutoff = Instant.ofEpochMilli(nowMs).minus(retention);
    List<String> expired = Expiry.sweepKeys(chains, c -> c.updatedAt() != null && c.updatedAt().isBefore(cutoff));
    for (String chainId : expired) {
      schedule.delete(chainId);
      context.forward(new Record<>(chainId, new Emitted(EventType.CHAIN, null), nowMs));
    }
    metrics.expired(TopologyNames.CHAINS_STORE, expired.size());
  }
}
