package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.correlator.internal.graph.FactExtractor;
import dev.killswitch.correlator.internal.graph.Facts;
import dev.killswitch.correlator.internal.graph.JoinSettings;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step for every input record: decode the CloudEvent, drop a redelivered event id, extract graph facts.
 * Untrusted input never stops the topology: a record that does not decode or does not make sense goes to the
 * dead-letter topic with the reason in headers, is counted, and processing continues.
 *
 * <p>Revocation results are not deduplicated: the ledger is compacted by action id and the same action's later
 * outcome must replace the earlier one; applying a result twice is harmless.
 */
final class IntakeProcessor implements Processor<String, byte[], String, Routed> {

  private static final Logger LOG = LoggerFactory.getLogger(IntakeProcessor.class);
  private static final String ORIGIN = "correlator";

  private final String deadLetterTopic;
  private final String resultsTopic;
  private final Duration dedupeWindow;
  private final JoinSettings joins;
  private final CorrelatorMetrics metrics;
  private ProcessorContext<String, Routed> context;
  private WindowStore<String, Long> seen;
  /** The node messages of the commit so far, one record per node, in the order of each record's first message. */
  private final List<Held> held = new ArrayList<>();
  /** The record each node's next message joins. */
  private final Map<String, Held> open = new HashMap<>();

  /** Messages to one node, sent as one record at the commit. */
  private static final class Held {
    final String node;
    final List<NodeMessage> messages = new ArrayList<>(4);
    long timestamp;

    Held(String node) {
      this.node = node;
    }
  }

  IntakeProcessor(String deadLetterTopic, String resultsTopic, Duration dedupeWindow, JoinSettings joins,
                  CorrelatorMetrics metrics) {
    this.deadLetterTopic = deadLetterTopic;
    this.resultsTopic = resultsTopic;
    this.dedupeWindow = dedupeWindow;
    this.joins = joins;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Routed> context) {
    this.context = context;
    this.seen = context.getStateStore(TopologyNames.DEDUPE_STORE);
    discardHeld();
    CommitHook.bind(context, TopologyNames.INTAKE_COMMIT_HOOK, this::sendHeld, this::discardHeld);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    CommitHook.record();
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("unknown");
    if (record.value() == null) {
      if (!topic.equals(resultsTopic)) { // a tombstone on the compacted ledger is compaction at work
        deadLetter(record, topic, "empty-value", "a record without a value is not a CloudEvent");
      }
      return;
    }
    Envelope<?> event;
    try {
      event = CloudEventCodec.fromKafka(record.headers(), record.value());
    } catch (CloudEventCodec.CodecException e) {
      deadLetter(record, topic, e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage());
      return;
    } catch (RuntimeException e) {
      deadLetter(record, topic, "not-a-cloudevent", String.valueOf(e.getMessage()));
      return;
    }
    metrics.event(event.type().shortName());
    if (event.type() != EventType.REVOCATION_RESULT && isDuplicate(event, record.timestamp())) {
      metrics.duplicate();
      LOG.debug("duplicate event {} from {} dropped", event.id(), event.source());
      return;
    }
    Facts facts;
    try {
      facts = FactExtractor.extract(event, Instant.ofEpochMilli(record.timestamp()), joins);
    } catch (CorrelatorException e) {
      deadLetter(record, topic, e.reason().code(), "event " + event.id() + ": " + e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.warn("event {} of type {} could not be used", event.id(), event.type().type(), e);
      deadLetter(record, topic, "unprocessable", "event " + event.id() + ": " + e);
      return;
    }
    for (NodeMessage n : facts.nodes()) {
      hold(n, record.timestamp());
    }
  }

  /**
   * Keeps the message for the commit, after the earlier messages to its node. A CI status starts a record of its
   * own, after every record held so far: what was acknowledged before a run completed reaches the graph (and the
   * run's chain, which plans the run's request) before the completion does, as when every message was a record.
   */
  private void hold(NodeMessage n, long timestamp) {
    Held h = n.ci() != null ? null : open.get(n.node());
    if (h == null) {
      h = new Held(n.node());
      held.add(h);
      open.put(n.node(), h);
    }
    h.messages.add(n);
    h.timestamp = Math.max(h.timestamp, timestamp);
  }

  /** Before each commit: one record per node (and per CI status) of the commit, in order. */
  private void sendHeld() {
    // Fresh records: the ce_* headers of the input do not belong on the records of the repartition topics.
    for (Held h : held) {
      context.forward(new Record<>(h.node, Routed.node(NodeMessage.inOrder(h.messages)), h.timestamp));
    }
    discardHeld();
  }

  private void discardHeld() {
    held.clear();
    open.clear();
  }

  /** True when the event was seen within the window; otherwise remembers it. */
  private boolean isDuplicate(Envelope<?> event, long timestamp) {
    String key = StoreKeys.event(event.source().toString(), event.id());
    long window = dedupeWindow.toMillis();
    try (WindowStoreIterator<Long> it = seen.fetch(key, Math.max(0, timestamp - window), timestamp + window)) {
      if (it.hasNext()) {
        return true;
      }
    }
    seen.put(key, timestamp, timestamp);
    return false;
  }

  private void deadLetter(Record<String, byte[]> record, String topic, String reason, String detail) {
    metrics.deadLetter(reason);
    LOG.warn("record from {} at offset {} to the dead-letter topic: {} ({})", topic,
        context.recordMetadata().map(RecordMetadata::offset).orElse(-1L), reason, detail);
    ProducerRecord<String, byte[]> dead = DeadLetter.record(deadLetterTopic, record.value(), reason, detail,
        ORIGIN + ":" + topic, Instant.ofEpochMilli(context.currentSystemTimeMs()));
    context.forward(new Record<>(null, Routed.dead(dead.value()), record.timestamp(), dead.headers()));
  }
}
