package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.EdgeFact;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeEdge;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.correlator.internal.graph.NodeRevocations;
import dev.killswitch.correlator.internal.graph.Nodes;
import dev.killswitch.correlator.internal.graph.RevocationMark;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The access graph, partitioned by node (input: the {@code node-updates} repartition topic). Keeps, per node, the
 * chains it is part of, its edges at both ends and its revocation results, and tells the chains what they need:
 *
 * <ul>
 *   <li>an edge goes to a chain of its source node when the node {@linkplain Nodes#propagates propagates}
 *       (credentials, CI runs and jobs) or when an event attributed the edge to that chain's root;</li>
 *   <li>when a node joins a chain, its recorded edges and its latest revocation result go to that chain too. This
 *       is how a fact that arrived before the link to its root (a token used before its TokenRequest was seen) is
 *       parked here and resolved when the link arrives, whatever the order.</li>
 * </ul>
 *
 * <p>A run's node passes the run's and its jobs' statuses on to the run's chain.
 *
 * <p>Issue 4 extends this step: when a credential's edge reaches another credential (token -assumed-> session),
 * the target must join the chain as well, which feeds node messages back to this processor.
 */
final class GraphProcessor implements Processor<String, NodeMessage, String, ChainMessage> {

  private static final StringSerializer KEYS = new StringSerializer();

  private final Duration retention;
  private final CorrelatorMetrics metrics;
  private ProcessorContext<String, ChainMessage> context;
  private KeyValueStore<String, NodeChain> chains;
  private KeyValueStore<String, NodeEdge> edges;
  private KeyValueStore<String, NodeRevocations> revocations;

  GraphProcessor(Duration retention, CorrelatorMetrics metrics) {
    this.retention = retention;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, ChainMessage> context) {
    this.context = context;
    this.chains = context.getStateStore(TopologyNames.NODE_CHAINS_STORE);
    this.edges = context.getStateStore(TopologyNames.NODE_EDGES_STORE);
    this.revocations = context.getStateStore(TopologyNames.NODE_REVOCATIONS_STORE);
    context.schedule(Expiry.interval(retention), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void process(Record<String, NodeMessage> record) {
    NodeMessage m = record.value();
    String node = m.node();
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());

    Set<String> newRoots = join(node, rootsNamed(m), now);
    EdgeState changedEdge = m.outbound() == null ? null : record(node, StoreKeys.OUT, m.outbound(), now);
    if (m.inbound() != null) {
      record(node, StoreKeys.IN, m.inbound(), now);
    }
    RevocationMark changedLatest = m.revocation() == null ? null : revocation(node, m.revocation(), now);
    if (m.ci() != null) {
      forward(record, ChainMessage.ci(m.ci()));
    }
    if (newRoots.isEmpty() && changedEdge == null && changedLatest == null) {
      return;
    }

    Kind kind = Nodes.kindOf(node);
    List<EdgeState> allOutbound = newRoots.isEmpty() ? List.of() : outbound(node);
    NodeRevocations revs = newRoots.isEmpty() ? null : revocations.get(node);
    RevocationMark latest = revs == null ? null : revs.latest();
    for (NodeChain member : memberships(node)) {
      String root = member.root();
      if (newRoots.contains(root)) {
        for (EdgeState e : allOutbound) {
          if (belongs(kind, e, root)) {
            forward(record, ChainMessage.edge(root, e));
          }
        }
        if (latest != null) {
          forward(record, ChainMessage.revocation(root, latest));
        }
      } else {
        if (changedEdge != null && belongs(kind, changedEdge, root)) {
          forward(record, ChainMessage.edge(root, changedEdge));
        }
        if (changedLatest != null) {
          forward(record, ChainMessage.revocation(root, changedLatest));
        }
      }
    }
  }

  /** The roots a message places the node under: named directly, or by an edge the event attributed to a root. */
  private static Set<String> rootsNamed(NodeMessage m) {
    Set<String> roots = new TreeSet<>(m.roots());
    for (EdgeFact e : new EdgeFact[] {m.outbound(), m.inbound()}) {
      if (e != null && e.root() != null) {
        roots.add(e.root());
      }
    }
    return roots;
  }

  /** Records the memberships; returns the roots the node was not yet part of. */
  private Set<String> join(String node, Set<String> roots, Instant now) {
    Set<String> added = new TreeSet<>();
    for (String root : roots) {
      String chainId = DeterministicIds.chainId(root);
      String key = StoreKeys.nodeChain(node, chainId);
      NodeChain have = chains.get(key);
      if (have == null) {
        added.add(root);
        chains.put(key, new NodeChain(chainId, root, now, now));
      } else {
        chains.put(key, new NodeChain(chainId, root, have.since(), now));
      }
    }
    return added;
  }

  /** Merges an observation into the node's row for the edge; returns the new aggregate, or null when unchanged. */
  private EdgeState record(String node, String direction, EdgeFact fact, Instant now) {
    String other = direction.equals(StoreKeys.OUT) ? fact.to() : fact.from();
    String key = StoreKeys.edge(node, direction, fact.kind(), other);
    NodeEdge have = edges.get(key);
    EdgeState merged = have == null ? EdgeState.of(fact) : have.edge().merge(fact);
    edges.put(key, new NodeEdge(merged, now));
    return have != null && merged.equals(have.edge()) ? null : merged;
  }

  /** Records a result; returns the node's latest result when that changed, else null. */
  private RevocationMark revocation(String node, RevocationMark mark, Instant now) {
    NodeRevocations have = revocations.get(node);
    RevocationMark before = have == null ? null : have.latest();
    NodeRevocations next = (have == null ? new NodeRevocations(null, now) : have).with(mark, now);
    revocations.put(node, next);
    RevocationMark after = next.latest();
    return Objects.equals(before, after) ? null : after;
  }

  private static boolean belongs(Kind sourceKind, EdgeState edge, String root) {
    return Nodes.propagates(sourceKind) || edge.roots().contains(root);
  }

  private List<NodeChain> memberships(String node) {
    List<NodeChain> out = new ArrayList<>();
    try (KeyValueIterator<String, NodeChain> it = chains.prefixScan(StoreKeys.nodePrefix(node), KEYS)) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  private List<EdgeState> outbound(String node) {
    List<EdgeState> out = new ArrayList<>();
    try (KeyValueIterator<String, NodeEdge> it = edges.prefixScan(StoreKeys.edgePrefix(node, StoreKeys.OUT), KEYS)) {
      it.forEachRemaining(kv -> out.add(kv.value.edge()));
    }
    return out;
  }

  private void forward(Record<String, NodeMessage> in, ChainMessage out) {
    context.forward(new Record<>(out.chainId(), out, in.timestamp()));
  }

  /** Drops rows not touched within the retention: memory and disk stay bounded. */
  private void expire(long nowMs) {
    Instant cutoff = Instant.ofEpochMilli(nowMs).minus(retention);
    metrics.expired(TopologyNames.NODE_CHAINS_STORE, Expiry.sweep(chains, v -> v.touchedAt().isBefore(cutoff)));
    metrics.expired(TopologyNames.NODE_EDGES_STORE, Expiry.sweep(edges, v -> v.touchedAt().isBefore(cutoff)));
    metrics.expired(TopologyNames.NODE_REVOCATIONS_STORE,
        Expiry.sweep(revocations, v -> v.touchedAt() == null || v.touchedAt().isBefore(cutoff)));
  }

}
