package dev.killswitch.correlator.internal.graph;

import java.time.Instant;

/**
 * One firing of a trigger in a chain, kept in the chain's state so that it never fires again, also across
 * restarts (the state is committed with the outputs under exactly-once).
 *
 * @param requestId the revocation request it emitted, or null
 * @param alertId the alert it emitted, or null
 * @param at wall-clock time it fired
 */
public record Occurrence(String trigger, String target, String requestId, String alertId, Instant at) {}
