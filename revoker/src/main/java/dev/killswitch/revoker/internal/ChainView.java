package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.plan.ChainGraph;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The latest snapshot of every chain ({@code killswitch.chains}, compacted, key chain id), indexed by root and
 * by node, so that the planner can expand a target.
 */
public final class ChainView {

  private final Map<String, ChainSnapshot> byId = new HashMap<>();
  private final Map<String, String> byRoot = new HashMap<>();
  private final Map<String, Set<String>> byNode = new HashMap<>();

  /** Applies one record of the chains topic; a null value (tombstone) forgets the chain. */
  public synchronized void apply(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      if (record.key() != null) {
        forget(record.key());
      }
      return;
    }
    var envelope = CloudEventCodec.fromKafka(record);
    if (envelope.type() != EventType.CHAIN) {
      throw new IllegalArgumentException("expected " + EventType.CHAIN.type() + ", got " + envelope.type().type());
    }
    put(envelope.dataAs(ChainSnapshot.class), record.key());
  }

  synchronized void put(ChainSnapshot snapshot, String key) {
    String id = snapshot.chainId() != null ? snapshot.chainId() : key;
    if (id == null) {
      throw new IllegalArgumentException("chain snapshot without chain id or key");
    }
    forget(id);
    byId.put(id, snapshot);
    if (snapshot.root() != null) {
      byRoot.put(snapshot.root(), id);
    }
    for (String node : nodesOf(snapshot)) {
      byNode.computeIfAbsent(node, k -> new TreeSet<>()).add(id);
    }
  }

  /**
   * The graph to plan a revocation of the target in: the target's own chain when it is the root of one (that
   * chain holds exactly what the correlator attributed to it), otherwise the union of the chains it appears in.
   * Empty when no chain knows the target.
   */
  public synchronized ChainGraph graphFor(String target) {
    String ref = canonical(target);
    String own = byRoot.get(ref);
    if (own != null) {
      return ChainGraph.ofSnapshots(List.of(byId.get(own)));
    }
    List<ChainSnapshot> containing = new ArrayList<>();
    for (String id : byNode.getOrDefault(ref, Set.of())) {
      containing.add(byId.get(id));
    }
    return ChainGraph.ofSnapshots(containing);
  }

  /**
   * True when a chain holding the target shows it covered by a request ({@code requested} or an outcome): the
   * snapshot the correlator wrote together with a trigger's request has arrived.
   */
  public synchronized boolean showsRequested(String target) {
    String ref = canonical(target);
    Set<String> ids = new TreeSet<>(byNode.getOrDefault(ref, Set.of()));
    String own = byRoot.get(ref);
    if (own != null) {
      ids.add(own);
    }
    for (String id : ids) {
      for (ChainSnapshot.Node node : byId.get(id).nodes()) {
        if (node.ref().equals(ref) && node.revocation() != null && !"none".equals(node.revocation())) {
          return true;
        }
      }
    }
    return false;
  }

  public synchronized int size() {
    return byId.size();
  }

  private void forget(String id) {
    ChainSnapshot old = byId.remove(id);
    if (old == null) {
      return;
    }
    if (old.root() != null && id.equals(byRoot.get(old.root()))) {
      byRoot.remove(old.root());
    }
    for (String node : nodesOf(old)) {
      Set<String> ids = byNode.get(node);
      if (ids != null) {
        ids.remove(id);
        if (ids.isEmpty()) {
          byNode.remove(node);
        }
      }
    }
  }

  private static Set<String> nodesOf(ChainSnapshot s) {
    Set<String> nodes = new TreeSet<>();
    if (s.root() != null) {
      nodes.add(s.root());
    }
    if (s.nodes() != null) {
      s.nodes().stream().filter(n -> n != null && n.ref() != null).forEach(n -> nodes.add(n.ref()));
    }
    if (s.edges() != null) {
      for (ChainSnapshot.Edge e : s.edges()) {
        if (e != null && e.from() != null && e.to() != null) {
          nodes.add(e.from());
          nodes.add(e.to());
        }
      }
    }
    return nodes;
  }

  private static String canonical(String ref) {
    try {
      return IdentityRef.parse(ref).toString();
    } catch (InvalidIdentityRefException e) {
      return ref;
    }
  }
}
