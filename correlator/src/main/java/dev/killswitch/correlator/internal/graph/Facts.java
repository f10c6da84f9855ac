package dev.killswitch.correlator.internal.graph;

import java.util.List;

/** What one event teaches the graph: changes to nodes, in the order to apply them. */
public record Facts(List<NodeMessage> nodes) {

  public static final Facts NONE = new Facts(List.of());

  public Facts {
    nodes = List.copyOf(nodes);
  }

  public boolean isEmpty() {
    return nodes.isEmpty();
  }
}
