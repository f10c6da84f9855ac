package dev.killswitch.correlator.internal.query;

import dev.killswitch.correlator.internal.graph.ChainState;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeEdge;
import dev.killswitch.correlator.internal.graph.NodeRevocations;
import dev.killswitch.correlator.internal.streams.StoreKeys;
import dev.killswitch.correlator.internal.streams.TopologyNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads this instance's state stores (the partitions it owns). */
public final class StoreReader {

  /** Where the stores come from: KafkaStreams interactive queries, or a TopologyTestDriver in tests. */
  public interface Source {
    <V> ReadOnlyKeyValueStore<String, V> store(String name);
  }

  private static final StringSerializer KEYS = new StringSerializer();
  private final Source source;

  public StoreReader(Source source) {
    this.source = source;
  }

  public Optional<ChainState> chain(String chainId) {
    ReadOnlyKeyValueStore<String, ChainState> store = source.store(TopologyNames.CHAINS_STORE);
    return Optional.ofNullable(store.get(chainId));
  }

  /** The chains the node is part of, by chain id. */
  public List<NodeChain> chainsOf(String node) {
    return scan(source.store(TopologyNames.NODE_CHAINS_STORE), StoreKeys.nodePrefix(node));
  }

  public List<EdgeState> edges(String node, String direction) {
    List<NodeEdge> rows = scan(source.store(TopologyNames.NODE_EDGES_STORE), StoreKeys.edgePrefix(node, direction));
    return rows.stream().map(NodeEdge::edge).toList();
  }

  public Optional<NodeRevocations> revocations(String node) {
    ReadOnlyKeyValueStore<String, NodeRevocations> store = source.store(TopologyNames.NODE_REVOCATIONS_STORE);
    return Optional.ofNullable(store.get(node));
  }

  private static <V> List<V> scan(ReadOnlyKeyValueStore<String, V> store, String prefix) {
    List<V> out = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }
}
