package dev.killswitch.correlator.internal.graph;

import java.time.Instant;

/**
 * A row of the {@code node-edges} store (key {@code <node> out|in <kind> <other end>}): an edge as seen from one of
 * its ends. The source end's row is the one whose aggregate goes to chains; the target end's row answers "what
 * reached this node" in identity queries.
 *
 * @param touchedAt wall-clock time of the last observation; retention counts from here
 */
public record NodeEdge(EdgeState edge, Instant touchedAt) {}
