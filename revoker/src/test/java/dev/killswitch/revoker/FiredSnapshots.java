package dev.killswitch.revoker;

import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * Chain snapshots as the correlator writes them together with a trigger's request: every node of the chain is
 * shown covered ({@code requested}), which is what the planner waits to see before it plans a trigger's request.
 */
public final class FiredSnapshots {

  private FiredSnapshots() {}

  public static ChainSnapshot of(String root, List<ChainSnapshot.Edge> edges, Instant at) {
    TreeSet<String> refs = new TreeSet<>();
    refs.add(root);
    edges.forEach(e -> {
      refs.add(e.from());
      refs.add(e.to());
    });
    List<ChainSnapshot.Node> nodes = refs.stream()
        .map(r -> new ChainSnapshot.Node(r, IdentityRef.parse(r).kind().wireName(), at, at, "requested"))
        .toList();
    return new ChainSnapshot(DeterministicIds.chainId(root), root, "completed", nodes, edges, at);
  }
}
