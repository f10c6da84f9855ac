package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.NodeMessage;

/** What the graph step hands on, one of two: a change for a chain, or a node message fed back into the graph. */
record GraphOut(ChainMessage chain, NodeMessage loop) {

  static GraphOut chain(ChainMessage m) {
    return new GraphOut(m, null);
  }

  static GraphOut loop(NodeMessage m) {
    return new GraphOut(null, m);
  }
}
