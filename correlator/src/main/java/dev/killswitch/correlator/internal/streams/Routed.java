package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.NodeMessage;

/** What intake hands on, one of two: a node message, or bytes for the dead-letter topic. */
record Routed(NodeMessage node, byte[] deadLetter) {

  static Routed node(NodeMessage m) {
    return new Routed(m, null);
  }

  static Routed dead(byte[] bytes) {
    return new Routed(null, bytes);
  }
}
