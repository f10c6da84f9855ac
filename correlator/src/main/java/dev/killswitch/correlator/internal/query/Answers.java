package dev.killswitch.correlator.internal.query;

import dev.killswitch.correlator.internal.graph.ChainState;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.JobCompletedTrigger;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeRevocations;
import dev.killswitch.correlator.internal.graph.Nodes;
import dev.killswitch.correlator.internal.graph.Occurrence;
import dev.killswitch.correlator.internal.graph.RevocationMark;
import dev.killswitch.correlator.internal.streams.StoreKeys;
import dev.killswitch.schemas.IdentityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Builds the query answers from local state: no routing, no HTTP. */
public final class Answers {

  private final StoreReader stores;

  public Answers(StoreReader stores) {
    this.stores = stores;
  }

  public Optional<Views.ChainView> chain(String chainId) {
    return stores.chain(chainId).map(Answers::chainView);
  }

  public static Views.ChainView chainView(ChainState c) {
    Map<String, String> requestedBy = new TreeMap<>();
    List<Views.Fired> fired = new ArrayList<>();
    for (Occurrence o : c.occurrences().values()) {
      fired.add(new Views.Fired(o.trigger(), o.target(), o.requestId(), o.alertId(), o.at()));
      if (o.requestId() != null) {
        requestedBy.put(o.requestId(), "trigger:" + o.trigger());
      }
    }
    List<Views.Requested> requested = new ArrayList<>();
    new TreeMap<>(c.fired()).forEach((target, requestId) -> requested.add(new Views.Requested(target, requestId,
        requestedBy.getOrDefault(requestId, JobCompletedTrigger.REQUESTED_BY), c.revocationOf(target))));
    return new Views.ChainView(c.chainId(), c.root(), c.status(), c.nodes(),
        c.edges().values().stream().map(Views.EdgeView::of).toList(), requested, fired, c.updatedAt());
  }

  /** The chains (id and root) the node is part of, as the local node -> chain index says. */
  public List<Views.ChainRef> chainsOf(IdentityRef node) {
    return stores.chainsOf(node.toString()).stream()
        .map((NodeChain nc) -> new Views.ChainRef(nc.chainId(), nc.root())).toList();
  }

  /** The node, or empty when nothing is known about it. */
  public Optional<Views.IdentityView> identity(IdentityRef ref) {
    String node = ref.toString();
    List<Views.ChainRef> chains = chainsOf(ref);
    List<EdgeState> in = stores.edges(node, StoreKeys.IN).stream().filter(e -> !e.isEmpty()).toList();
    List<EdgeState> out = stores.edges(node, StoreKeys.OUT).stream().filter(e -> !e.isEmpty()).toList();
    Optional<NodeRevocations> revs = stores.revocations(node);
    if (chains.isEmpty() && in.isEmpty() && out.isEmpty() && revs.isEmpty()) {
      return Optional.empty();
    }
    Instant first = null;
    Instant last = null;
    for (EdgeState e : concat(in, out)) {
      first = first == null || e.firstSeen().isBefore(first) ? e.firstSeen() : first;
      last = last == null || e.lastSeen().isAfter(last) ? e.lastSeen() : last;
    }
    RevocationMark latest = revs.map(NodeRevocations::latest).orElse(null);
    List<RevocationMark> marks = revs.map(r -> List.copyOf(r.actions().values())).orElse(List.of());
    return Optional.of(new Views.IdentityView(node, Nodes.kindName(ref.kind()), first, last, chains,
        in.stream().map(Views.EdgeView::of).toList(), out.stream().map(Views.EdgeView::of).toList(),
        latest == null ? ChainState.NONE : latest.outcome(), marks));
  }

  private static List<EdgeState> concat(List<EdgeState> a, List<EdgeState> b) {
    List<EdgeState> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
