package dev.killswitch.correlator.internal.streams;

import static dev.killswitch.correlator.internal.streams.TopologyNames.*;

import dev.killswitch.correlator.internal.graph.Attribution;
import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.ChainState;
import dev.killswitch.correlator.internal.graph.JoinSettings;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeEdge;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.correlator.internal.graph.NodeRevocations;
import dev.killswitch.correlator.internal.graph.TriggerSettings;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the correlator topology (correlator/README.md draws it):
 *
 * <pre>
 * events.ci, events.k8s, events.cloud, revocation.results (CloudEvents, binary mode)
 *   -> intake: decode, dedupe by CloudEvent id, extract facts          [dedupe-event-ids]
 *        -> dead letters                                                -> deadletter
 *        -> node messages  -> repartition node-updates (by node ref)  <--------------+
 *   -> graph-nodes        [node-chains, node-edges, node-revocations,                  |
 *                          node-attributions, node-expiry-index]                       |
 *        -> node messages (memberships, resolved joins)  -> sink-node-loop -----------+
 *        -> chain messages -> repartition chain-updates (by chain id)
 *   -> chains-and-triggers                  [chains, trigger-schedule, chain-expiry-index]
 *                  -> chain snapshots                                   -> chains
 *                  -> revocation requests                               -> revocation.requests
 *                  -> alerts                                            -> alerts
 * </pre>
 *
 * The loop writes into the {@code node-updates} repartition topic itself: a sink naming an internal topic by its
 * un-prefixed name writes to {@code <application.id>-node-updates-repartition}, which the graph step already
 * reads, so the loop needs no topic of its own and is co-partitioned by construction.
 */
public final class CorrelatorTopology {

  private static final Serde<String> KEYS = Serdes.String();
  private static final Serde<byte[]> BYTES = Serdes.ByteArray();

  /**
   * What the topology needs of the configuration.
   *
   * @param persistentStores RocksDB stores (what the correlator runs with); false for in-memory stores, which only
   *     the arrival-order property tests use, to run hundreds of topologies quickly (same semantics: byte-ordered
   *     keys, prefix and range scans)
   */
  public record Settings(Duration retention, JoinSettings joins, TriggerSettings triggers, Duration snapshotInterval,
                         long earlySendBelow, boolean persistentStores) {}

  private CorrelatorTopology() {}

  public static Topology build(Settings settings, Topics topics, CorrelatorMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    addStores(builder, settings.retention(), settings.persistentStores(), settings.earlySendBelow());

    KStream<String, byte[]> input = source(builder, topics.ciEvents(), SOURCE_CI)
        .merge(source(builder, topics.k8sEvents(), SOURCE_K8S), Named.as("merge-k8s-events"))
        .merge(source(builder, topics.cloudEvents(), SOURCE_CLOUD), Named.as("merge-cloud-events"))
        .merge(source(builder, topics.revocationResults(), SOURCE_RESULTS), Named.as("merge-revocation-results"));

    Map<String, KStream<String, Routed>> routed = input
        .process(() -> new IntakeProcessor(topics.deadletter(), topics.revocationResults(), settings.retention(),
            settings.joins(), metrics), Named.as(INTAKE), DEDUPE_STORE, INTAKE_COMMIT_HOOK)
        .split(Named.as(ROUTE))
        .branch((k, v) -> v.deadLetter() != null, Branched.as(ROUTE_DEADLETTER))
        .branch((k, v) -> v.node() != null, Branched.as(ROUTE_NODE))
        .noDefaultBranch();

    routed.get(ROUTE + ROUTE_DEADLETTER)
        .mapValues(Routed::deadLetter, Named.as("deadletter-bytes"))
        .to(topics.deadletter(), Produced.with(KEYS, BYTES).withName(SINK_DEADLETTER));

    Map<String, KStream<String, GraphOut>> graph = routed.get(ROUTE + ROUTE_NODE)
        .mapValues(Routed::node, Named.as("node-message"))
        .repartition(Repartitioned.<String, NodeMessage>as(NODE_UPDATES)
            .withKeySerde(KEYS).withValueSerde(RecordSerde.of(NodeMessage.class)))
        .process(() -> new GraphProcessor(settings.retention(), settings.joins(), metrics), Named.as(GRAPH),
            NODE_CHAINS_STORE, NODE_EDGES_STORE, NODE_REVOCATIONS_STORE, NODE_ATTRIBUTIONS_STORE, NODE_EXPIRY_STORE,
            GRAPH_COMMIT_HOOK)
        .split(Named.as(GRAPH_ROUTE))
        .branch((k, v) -> v.chain() != null, Branched.as(GRAPH_TO_CHAIN))
        .branch((k, v) -> v.loop() != null, Branched.as(GRAPH_TO_LOOP))
        .noDefaultBranch();

    graph.get(GRAPH_ROUTE + GRAPH_TO_LOOP)
        .mapValues(GraphOut::loop, Named.as("loop-node-message"))
        .to(NODE_UPDATES_TOPIC, Produced.with(KEYS, RecordSerde.of(NodeMessage.class)).withName(SINK_NODE_LOOP));

    Map<String, KStream<String, Emitted>> emitted = graph.get(GRAPH_ROUTE + GRAPH_TO_CHAIN)
        .mapValues(GraphOut::chain, Named.as("chain-message"))
        .repartition(Repartitioned.<String, ChainMessage>as(CHAIN_UPDATES)
            .withKeySerde(KEYS).withValueSerde(RecordSerde.of(ChainMessage.class)))
        .process(() -> new ChainProcessor(topics.chains(), topics.revocationRequests(), topics.alerts(),
            settings.triggers(), settings.snapshotInterval(), settings.retention(), metrics), Named.as(CHAINS),
            CHAINS_STORE, TRIGGER_SCHEDULE_STORE, CHAIN_EXPIRY_STORE, CHAINS_COMMIT_HOOK)
        .split(Named.as(EMIT))
        .branch((k, v) -> v.type() == EventType.CHAIN, Branched.as(EMIT_SNAPSHOT))
        .branch((k, v) -> v.type() == EventType.REVOCATION_REQUESTED, Branched.as(EMIT_REQUEST))
        .branch((k, v) -> v.type() == EventType.ALERT, Branched.as(EMIT_ALERT))
        .noDefaultBranch();

    emitted.get(EMIT + EMIT_SNAPSHOT)
        .mapValues(Emitted::value, Named.as("snapshot-bytes"))
        .to(topics.chains(), Produced.with(KEYS, BYTES).withName(SINK_CHAINS));
    emitted.get(EMIT + EMIT_REQUEST)
        .mapValues(Emitted::value, Named.as("request-bytes"))
        .to(topics.revocationRequests(), Produced.with(KEYS, BYTES).withName(SINK_REQUESTS));
    emitted.get(EMIT + EMIT_ALERT)
        .mapValues(Emitted::value, Named.as("alert-bytes"))
        .to(topics.alerts(), Produced.with(KEYS, BYTES).withName(SINK_ALERTS));
    return builder.build();
  }

  private static KStream<String, byte[]> source(StreamsBuilder builder, String topic, String name) {
    return builder.stream(topic, Consumed.with(KEYS, BYTES).withName(name));
  }

  private static void addStores(StreamsBuilder builder, Duration retention, boolean persistent,
                                long earlySendBelow) {
    builder.addStateStore(Stores.windowStoreBuilder(persistent
        ? Stores.persistentWindowStore(DEDUPE_STORE, retention, retention, false)
        : Stores.inMemoryWindowStore(DEDUPE_STORE, retention, retention, false), KEYS, Serdes.Long()));
    keyValue(builder, NODE_CHAINS_STORE, RecordSerde.of(NodeChain.class), persistent);
    writeBack(builder, NODE_EDGES_STORE, RecordSerde.of(NodeEdge.class), persistent);
    keyValue(builder, NODE_REVOCATIONS_STORE, RecordSerde.of(NodeRevocations.class), persistent);
    keyValue(builder, NODE_ATTRIBUTIONS_STORE, RecordSerde.of(Attribution.class), persistent);
    keyValue(builder, NODE_EXPIRY_STORE, Serdes.Long(), persistent);
    writeBack(builder, CHAINS_STORE, RecordSerde.of(ChainState.class), persistent);
    keyValue(builder, TRIGGER_SCHEDULE_STORE, Serdes.Long(), persistent);
    keyValue(builder, CHAIN_EXPIRY_STORE, Serdes.Long(), persistent);
    builder.addStateStore(CommitHook.builder(INTAKE_COMMIT_HOOK, earlySendBelow));
    builder.addStateStore(CommitHook.builder(CHAINS_COMMIT_HOOK, earlySendBelow));
    builder.addStateStore(CommitHook.builder(GRAPH_COMMIT_HOOK, earlySendBelow));
  }

  /**
   * A key-value store with the record cache on: rows written several times within a commit interval (a chain, an
   * edge being used) reach RocksDB and the changelog once.
   */
  private static <V> void keyValue(StreamsBuilder builder, String name, Serde<V> values, boolean persistent) {
    builder.addStateStore(cached(name, values, persistent));
  }

  /**
   * A cached key-value store whose rows are encoded once per commit ({@link WriteBackStore}): for the rows that
   * change most often (a chain on every event of its run, an edge on every use) and are rarely scanned.
   */
  private static <V> void writeBack(StreamsBuilder builder, String name, Serde<V> values, boolean persistent) {
    builder.addStateStore(WriteBackStore.builder(cached(name, values, persistent)));
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> cached(String name, Serde<V> values, boolean persistent) {
    return Stores.keyValueStoreBuilder(persistent ? Stores.persistentKeyValueStore(name)
        : Stores.inMemoryKeyValueStore(name), KEYS, values).withCachingEnabled();
  }
}
