package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.Attribution;
import dev.killswitch.correlator.internal.graph.Candidate;
import dev.killswitch.correlator.internal.graph.EdgeFact;
import dev.killswitch.correlator.internal.graph.EdgeKind;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeEdge;
import dev.killswitch.correlator.internal.graph.NodeRevocations;
import dev.killswitch.correlator.internal.graph.Nodes;
import dev.killswitch.correlator.internal.graph.RevocationMark;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The node stores of the graph step and their time index. A node's rows live and expire together: every message a
 * node gets touches it ({@code <node> touched} in node-attributions), the {@code node-expiry-index} holds one entry
 * per node and bucket it was touched in (a sixteenth of the retention), and a node untouched for the retention loses
 * all its rows, found by prefix scans. Expiry reads the index, never whole stores.
 */
final class NodeState {

  static final String NODE = "n";
  private static final StringSerializer KEYS = new StringSerializer();

  /** An edge row before and after a merge (before is null for a new row). */
  record Change(EdgeState before, EdgeState after) {
    boolean changed() {
      return !after.equals(before);
    }
  }

  /** What expiry removed, per store. */
  record Expired(long chains, long edges, long revocations, long attributions) {}

  private final ObjectCache<NodeChain> chains;
  private final ObjectCache<NodeEdge> edges;
  private final KeyValueStore<String, NodeRevocations> revocations;
  private final ObjectCache<Attribution> attributions;
  private final TimeIndex index;

  NodeState(ProcessorContext<?, ?> context, java.time.Duration retention) {
    this.chains = new ObjectCache<>(context.<KeyValueStore<String, NodeChain>>getStateStore(
        TopologyNames.NODE_CHAINS_STORE), 10_000);
    this.edges = new ObjectCache<>(context.<KeyValueStore<String, NodeEdge>>getStateStore(
        TopologyNames.NODE_EDGES_STORE), 10_000);
    this.revocations = context.getStateStore(TopologyNames.NODE_REVOCATIONS_STORE);
    this.attributions = new ObjectCache<>(context.<KeyValueStore<String, Attribution>>getStateStore(
        TopologyNames.NODE_ATTRIBUTIONS_STORE), 10_000);
    this.index = new TimeIndex(context.getStateStore(TopologyNames.NODE_EXPIRY_STORE), TimeIndex.bucketFor(retention));
  }

  // ---- memberships ----

  /** Records the memberships; returns the roots the node was not yet part of. */
  Set<String> join(String node, Set<String> roots, Instant now) {
    Set<String> added = new TreeSet<>();
    for (String root : roots) {
      String chainId = DeterministicIds.chainId(root);
      String key = StoreKeys.nodeChain(node, chainId);
      NodeChain have = chains.get(key);
      if (have == null) {
        added.add(root);
        chains.put(key, new NodeChain(chainId, root, now, now));
      }
    }
    return added;
  }

  /** The node got a message: it stays for another retention (writes only when its index bucket moves). */
  void touch(String node, Instant now) {
    String key = StoreKeys.touched(node);
    Attribution have = attributions.get(key);
    if (have == null || !index.sameBucket(have.touchedAt(), now)) {
      attributions.put(key, new Attribution(null, null, now));
      index.moved(NODE, node, null, now);
    }
  }

  List<NodeChain> memberships(String node) {
    return values(chains.store(), StoreKeys.nodePrefix(node));
  }

  // ---- edges ----

  /** Merges an observation into the node's row for the edge in that direction. */
  Change record(String node, String direction, EdgeFact fact, Instant now) {
    String other = direction.equals(StoreKeys.OUT) ? fact.to() : fact.from();
    return merge(StoreKeys.edge(node, direction, fact.kind(), other), fact, now);
  }

  /** Merges an observation attributed to {@code root} into the node's aggregate for that root. */
  Change recordAttributed(String node, String root, EdgeFact fact, Instant now) {
    return merge(StoreKeys.attributed(node, root, fact.kind(), fact.to()), fact.asObservation(), now);
  }

  private Change merge(String key, EdgeFact fact, Instant now) {
    NodeEdge have = edges.get(key);
    EdgeState before = have == null ? null : have.edge();
    EdgeState merged = before == null ? EdgeState.empty(fact).merge(fact) : before.merge(fact);
    if (have == null || !merged.equals(before)) {
      edges.put(key, new NodeEdge(merged, now));
    }
    return new Change(before, merged);
  }

  EdgeState edge(String node, String direction, String kind, String other) {
    NodeEdge row = edges.get(StoreKeys.edge(node, direction, kind, other));
    return row == null ? null : row.edge();
  }

  List<EdgeState> outbound(String node) {
    return values(edges.store(), StoreKeys.edgePrefix(node, StoreKeys.OUT)).stream().map(NodeEdge::edge).toList();
  }

  List<EdgeState> attributedOutbound(String node, String root) {
    return values(edges.store(), StoreKeys.attributedPrefix(node, root)).stream().map(NodeEdge::edge).toList();
  }

  boolean hasOutbound(String node) {
    try (KeyValueIterator<String, NodeEdge> it = edges.store().prefixScan(StoreKeys.edgePrefix(node, StoreKeys.OUT),
        KEYS)) {
      return it.hasNext();
    }
  }

  /**
   * When a token of the service account was seen active: its TokenRequest and its uses, as recorded at the
   * account. Null when the token is unknown here.
   */
  Instant[] tokenActivity(String serviceAccount, String token) {
    Instant first = null;
    Instant last = null;
    for (String kind : List.of(EdgeKind.CREDENTIAL_OF, EdgeKind.USED)) {
      EdgeState e = edge(serviceAccount, StoreKeys.IN, kind, token);
      if (e != null && !e.isEmpty()) {
        first = first == null || e.firstSeen().isBefore(first) ? e.firstSeen() : first;
        last = last == null || e.lastSeen().isAfter(last) ? e.lastSeen() : last;
      }
    }
    return first == null ? null : new Instant[] {first, last};
  }

  // ---- activity index: which candidates may match an observation at a time ----

  /**
   * Indexes a candidate's reach ({@code [first - skew, last + window]}) by time bucket ({@code bucketMs} wide), so
   * that the candidates of an observation are one prefix scan whatever the number of candidates (a service account
   * shared by thousands of runs' tokens, a branch's OIDC subject by thousands of runs). Only the buckets the reach
   * grew into are written.
   */
  void indexActivity(String node, String ref, Instant[] before, Instant[] after, java.time.Duration skew,
                     java.time.Duration window, long bucketMs, Instant now) {
    long from = bucket(after[0].minus(skew), bucketMs);
    long to = bucket(after[1].plus(window), bucketMs);
    long oldFrom = before == null ? Long.MAX_VALUE : bucket(before[0].minus(skew), bucketMs);
    long oldTo = before == null ? Long.MIN_VALUE : bucket(before[1].plus(window), bucketMs);
    for (long b = from; b <= to; b += bucketMs) {
      if (b < oldFrom || b > oldTo) {
        String key = StoreKeys.activity(node, b, ref);
        attributions.put(key, Attribution.of(new Candidate(ref, after[0], after[1]), now));
      }
    }
  }

  /** The candidates whose indexed reach includes {@code at}'s bucket (to be checked precisely by the caller). */
  Set<String> activeAround(String node, Instant at, long bucketMs) {
    Set<String> refs = new TreeSet<>();
    try (KeyValueIterator<String, Attribution> it = attributions.store().prefixScan(
        StoreKeys.activityPrefix(node, bucket(at, bucketMs)), KEYS)) {
      it.forEachRemaining(kv -> refs.add(kv.value.candidate().ref()));
    }
    return refs;
  }

  private static long bucket(Instant t, long bucketMs) {
    return Math.floorDiv(t.toEpochMilli(), bucketMs) * bucketMs;
  }

  // ---- revocations ----

  /** Records a result; returns the node's latest result when that changed, else null. */
  RevocationMark revocation(String node, RevocationMark mark, Instant now) {
    NodeRevocations have = revocations.get(node);
    RevocationMark before = have == null ? null : have.latest();
    NodeRevocations next = (have == null ? new NodeRevocations(null, now) : have).with(mark, now);
    revocations.put(node, next);
    RevocationMark after = next.latest();
    return Objects.equals(before, after) ? null : after;
  }

  RevocationMark latestRevocation(String node) {
    NodeRevocations revs = revocations.get(node);
    return revs == null ? null : revs.latest();
  }

  // ---- join keys ----

  void keepFact(String node, EdgeFact fact, Instant now) {
    attributions.put(StoreKeys.fact(node, fact.at(), fact.eventId(), fact.key()), Attribution.of(fact, now));
  }

  /** The observations kept at the node, by row key. */
  List<KeyValue<String, EdgeFact>> facts(String node) {
    List<KeyValue<String, EdgeFact>> out = new ArrayList<>();
    try (KeyValueIterator<String, Attribution> it = attributions.store().prefixScan(StoreKeys.factPrefix(node),
        KEYS)) {
      it.forEachRemaining(kv -> out.add(KeyValue.pair(kv.key, kv.value.fact())));
    }
    return out;
  }

  /** The observations kept at the node whose time is within {@code [from, to]}. */
  List<KeyValue<String, EdgeFact>> facts(String node, Instant from, Instant to) {
    List<KeyValue<String, EdgeFact>> out = new ArrayList<>();
    if (to.isBefore(from)) {
      return out;
    }
    String end = StoreKeys.factAt(node, to.plusMillis(1));
    try (KeyValueIterator<String, Attribution> it = attributions.store().range(StoreKeys.factAt(node, from), end)) {
      while (it.hasNext()) {
        KeyValue<String, Attribution> kv = it.next();
        if (kv.key.compareTo(end) < 0) {
          out.add(KeyValue.pair(kv.key, kv.value.fact()));
        }
      }
    }
    return out;
  }

  void dropFact(String key) {
    attributions.delete(key);
  }

  /** Records that the candidate was active at its time; returns it before (null when new) and after. */
  Candidate[] candidate(String node, Candidate seen, Instant now) {
    String key = StoreKeys.candidate(node, seen.ref());
    Attribution have = attributions.get(key);
    Candidate before = have == null ? null : have.candidate();
    Candidate after = before == null ? seen : before.with(seen.firstSeen()).with(seen.lastSeen());
    if (!after.equals(before)) {
      attributions.put(key, Attribution.of(after, now));
    }
    return new Candidate[] {before, after};
  }

  Candidate candidate(String node, String ref) {
    Attribution a = attributions.get(StoreKeys.candidate(node, ref));
    return a == null ? null : a.candidate();
  }

  // ---- expiry ----

  /** Deletes every row of every node not touched since {@code cutoff} (within one index bucket). */
  Expired expire(Instant cutoff) {
    long c = 0;
    long e = 0;
    long r = 0;
    long a = 0;
    for (TimeIndex.Entry entry : index.takeUntil(cutoff)) {
      String node = entry.key();
      Attribution touched = attributions.get(StoreKeys.touched(node));
      if (touched != null && !touched.touchedAt().isBefore(cutoff)) {
        continue; // touched since: a later entry of the index stands for it
      }
      c += deleteAll(chains, StoreKeys.nodePrefix(node));
      e += deleteAll(edges, StoreKeys.nodePrefix(node));
      a += deleteAll(attributions, StoreKeys.nodePrefix(node));
      if (revocations.get(node) != null) {
        revocations.delete(node);
        r++;
      }
    }
    return new Expired(c, e, r, a);
  }

  private static <V> long deleteAll(ObjectCache<V> cache, String prefix) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> it = cache.store().prefixScan(prefix, KEYS)) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(cache::delete);
    return keys.size();
  }

  private static <V> List<V> values(KeyValueStore<String, V> store, String prefix) {
    List<V> out = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }
}
