package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.EdgeFact;
import dev.killswitch.correlator.internal.graph.EdgeKind;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.JoinSettings;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.correlator.internal.graph.Nodes;
import dev.killswitch.correlator.internal.graph.RevocationMark;
import dev.killswitch.schemas.IdentityRef.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The access graph, partitioned by node (input: the {@code node-updates} repartition topic, fed by intake and by
 * this step itself). Keeps, per node, the chains it is part of, its edges at both ends, its revocation results and
 * the observations it is the join key of, and tells the chains what they need:
 *
 * <ul>
 *   <li>an edge goes to every chain of its source node when the node {@linkplain Nodes#propagates propagates}
 *       (credentials, CI runs and jobs, pods); a shared principal's observations go only to the chains they were
 *       attributed to, each chain getting the aggregate of its own observations;</li>
 *   <li>when an edge of a chain reaches a node that propagates (token -assumed-> session), that node joins the
 *       chain: a membership message goes back through {@code node-updates} (the loop), so chains resolve over any
 *       number of hops, whichever partition each node is in;</li>
 *   <li>when a node joins a chain, its recorded edges and its latest revocation result go to that chain too. This is
 *       how a fact that arrived before the link to its root (a token used before its TokenRequest was seen, a
 *       session used before the AssumeRole record) is parked here and resolved when the link arrives;</li>
 *   <li>observations waiting at a join key resolve through {@link JoinResolver}, also through the loop.</li>
 * </ul>
 * A run's node passes the run's and its jobs' statuses on to the run's chain.
 */
final class GraphProcessor implements Processor<String, NodeMessage, String, GraphOut> {

  private final Duration retention;
  private final JoinSettings joins;
  private final CorrelatorMetrics metrics;
  private ProcessorContext<String, GraphOut> context;
  private NodeState state;
  private JoinResolver resolver;
  private long timestamp;
  /**
   * What goes to the chains, held until the commit: an edge's aggregate once, the latest (it replaces the chain's
   * copy, and aggregates only grow), in the order the edge first changed; everything else as it came.
   */
  private final Map<String, Record<String, GraphOut>> outbox = new LinkedHashMap<>();

  GraphProcessor(Duration retention, JoinSettings joins, CorrelatorMetrics metrics) {
    this.retention = retention;
    this.joins = joins;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, GraphOut> context) {
    this.context = context;
    this.state = new NodeState(context, retention);
    this.resolver = new JoinResolver(state, joins, this::loop);
    outbox.clear();
    CommitHook.bind(context, TopologyNames.GRAPH_COMMIT_HOOK, this::sendToChains, outbox::clear);
    context.schedule(Expiry.interval(retention), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void process(Record<String, NodeMessage> record) {
    CommitHook.record();
    timestamp = record.timestamp();
    for (NodeMessage m : record.value().each()) {
      handle(m);
    }
  }

  private void handle(NodeMessage m) {
    String node = m.node();
    Kind kind = Nodes.kindOf(node);
    boolean propagates = Nodes.propagates(kind);
    Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());

    state.touch(node, now);
    Set<String> newRoots = state.join(node, rootsNamed(m), now);
    EdgeState changedEdge = null;
    EdgeState changedAttributed = null;
    if (m.outbound() != null) {
      EdgeFact f = m.outbound();
      NodeState.Change global = state.record(node, StoreKeys.OUT, f, now);
      changedEdge = propagates && global.changed() ? global.after() : null;
      if (!propagates && f.root() != null) {
        NodeState.Change own = state.recordAttributed(node, f.root(), f, now);
        changedAttributed = own.changed() ? own.after() : null;
      }
      if (kind == Kind.K8S_SECRET_TOKEN && !f.attributedOnly()) {
        resolver.secretConfirmed(node);
      }
    }
    if (m.inbound() != null) {
      inbound(node, kind, m.inbound(), now);
    }
    RevocationMark changedLatest = m.revocation() == null ? null : state.revocation(node, m.revocation(), now);
    if (m.ci() != null) {
      chain(ChainMessage.ci(m.ci()));
    }
    if (m.attribute() != null) {
      resolver.attribute(node, kind, m.attribute(), now);
    }
    if (m.candidate() != null) {
      resolver.candidate(node, m.candidate(), now);
    }
    if (newRoots.isEmpty() && changedEdge == null && changedAttributed == null && changedLatest == null) {
      return;
    }
    if (propagates) {
      forwardAll(node, kind, newRoots, changedEdge, changedLatest, now);
    } else {
      forwardAttributed(node, newRoots, changedAttributed, changedAttributed == null ? null : m.outbound().root(),
          changedLatest, now);
    }
  }

  /** A credential, run or pod: everything it does belongs to every chain it is part of (few). */
  private void forwardAll(String node, Kind kind, Set<String> newRoots, EdgeState changedEdge,
                          RevocationMark changedLatest, Instant now) {
    RevocationMark latest = newRoots.isEmpty() ? null : state.latestRevocation(node);
    List<EdgeState> all = newRoots.isEmpty() ? List.of() : state.outbound(node);
    for (NodeChain member : state.memberships(node)) {
      String root = member.root();
      if (newRoots.contains(root)) {
        all.forEach(e -> edge(root, e));
        if (latest != null) {
          chain(ChainMessage.revocation(root, latest));
        }
        if (kind == Kind.GITHUB_JOB || kind == Kind.GITLAB_JOB) {
          resolver.jobJoined(node, root);
        }
      } else {
        if (changedEdge != null) {
          edge(root, changedEdge);
        }
        if (changedLatest != null) {
          chain(ChainMessage.revocation(root, changedLatest));
        }
      }
    }
  }

  /**
   * A shared principal (a user, service account, role, OIDC subject): it may be part of thousands of chains, so
   * only the chains a change concerns are told: a chain it just joined gets the aggregates attributed to it, and
   * an attributed observation goes to its own chain.
   */
  private void forwardAttributed(String node, Set<String> newRoots, EdgeState changedAttributed,
                                 String attributedRoot, RevocationMark changedLatest, Instant now) {
    RevocationMark latest = newRoots.isEmpty() ? null : state.latestRevocation(node);
    for (String root : newRoots) {
      state.attributedOutbound(node, root).forEach(e -> edge(root, e));
      if (latest != null) {
        chain(ChainMessage.revocation(root, latest));
      }
    }
    if (changedAttributed != null && !newRoots.contains(attributedRoot)) {
      edge(attributedRoot, changedAttributed);
    }
    if (changedLatest != null) {
      // A revocation result about a principal: rare, so every chain it is part of is told.
      for (NodeChain member : state.memberships(node)) {
        if (!newRoots.contains(member.root())) {
          chain(ChainMessage.revocation(member.root(), changedLatest));
        }
      }
    }
  }

  private void inbound(String node, Kind kind, EdgeFact f, Instant now) {
    boolean tokenOfAccount = kind == Kind.K8S_SERVICE_ACCOUNT && !f.attributedOnly()
        && (f.kind().equals(EdgeKind.CREDENTIAL_OF) || f.kind().equals(EdgeKind.USED))
        && Nodes.kindOf(f.from()) == Kind.K8S_TOKEN;
    Instant[] before = tokenOfAccount ? state.tokenActivity(node, f.from()) : null;
    // What the observation says about its source node stays in the source's own row (a role would otherwise hold a
    // copy for every session of it).
    state.record(node, StoreKeys.IN, f.fromAttributes().isEmpty() ? f : f.withFromAttributes(null), now);
    if (tokenOfAccount) {
      resolver.tokenActive(node, f.from(), before, state.tokenActivity(node, f.from()), now);
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

  /** An edge of the chain; the node it reaches joins the chain when that node propagates. */
  private void edge(String root, EdgeState e) {
    if (e.isEmpty()) {
      return;
    }
    chain(ChainMessage.edge(root, e));
    // An edge attributed to the root told its target so itself (the inbound observation named the root).
    if (!e.kind().equals(EdgeKind.USED) && !e.roots().contains(root) && Nodes.propagates(Nodes.kindOf(e.to()))) {
      loop(NodeMessage.member(e.to(), root));
    }
  }

  private void chain(ChainMessage out) {
    // A key put again keeps its place in the order (LinkedHashMap); other messages get a key of their own.
    String key = out.edge() != null ? out.chainId() + " " + out.edge().key() : "#" + outbox.size();
    outbox.put(key, new Record<>(out.chainId(), GraphOut.chain(out), timestamp));
  }

  /** Before each commit: the chains' messages of the commit, an edge's latest aggregate once. */
  private void sendToChains() {
    for (Record<String, GraphOut> record : outbox.values()) {
      context.forward(record);
    }
    outbox.clear();
  }

  private void loop(NodeMessage out) {
    metrics.loop();
    context.forward(new Record<>(out.node(), GraphOut.loop(out), timestamp));
  }

  /** Drops rows not touched within the retention: memory and disk stay bounded. */
  private void expire(long nowMs) {
    NodeState.Expired n = state.expire(Instant.ofEpochMilli(nowMs).minus(retention));
    metrics.expired(TopologyNames.NODE_CHAINS_STORE, n.chains());
    metrics.expired(TopologyNames.NODE_EDGES_STORE, n.edges());
    metrics.expired(TopologyNames.NODE_REVOCATIONS_STORE, n.revocations());
    metrics.expired(TopologyNames.NODE_ATTRIBUTIONS_STORE, n.attributions());
  }

  static List<String> storeNames() {
    return List.of(TopologyNames.NODE_CHAINS_STORE, TopologyNames.NODE_EDGES_STORE,
        TopologyNames.NODE_REVOCATIONS_STORE, TopologyNames.NODE_ATTRIBUTIONS_STORE, TopologyNames.NODE_EXPIRY_STORE);
  }
}
