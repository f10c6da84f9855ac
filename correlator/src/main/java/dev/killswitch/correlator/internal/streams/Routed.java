package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.ChainMessage;
import dev.killswitch.correlator.internal.graph.NodeMessage;

/**
 * What intake hands on, one of three: a node message, a chain message (a CI status, which needs no graph state and
 * goes straight to its chain), or bytes for the dead-letter topic.
 */
record Routed(NodeMessage node, ChainMessage chain, byte[] deadLetter) {

  static Routed node(NodeMessage m) {
    return new Routed(m, null, null);
  }

  static Routed chain(ChainMessage m) {
    return new Routed(null, m, null);
  }

  static Routed dead(byte[] bytes) {
    return new Routed(null, null, bytes);
  }
}
