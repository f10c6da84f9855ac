package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A row of the {@code node-edges} store (key {@code <node> out|in <kind> <other end>}): an edge as seen from one of
 * its ends. The source end's row is the one whose aggregate goes to chains; the target end's row answers "what
 * reached this node" in identity queries.
 *
 * @param touchedAt wall-clock time of the last observation; retention counts from here
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NodeEdge(EdgeState edge, Instant touchedAt) {}
