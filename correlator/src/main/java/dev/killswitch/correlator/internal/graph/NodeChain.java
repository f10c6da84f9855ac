package dev.killswitch.correlator.internal.graph;

import java.time.Instant;

/**
 * A row of the node -> chain index ({@code node-chains} store, key {@code <node> <chainId>}): the node is part of
 * the chain rooted at {@code root}.
 *
 * @param since wall-clock time the node joined the chain
 * @param touchedAt wall-clock time the membership was last confirmed; retention counts from here
 */
public record NodeChain(String chainId, String root, Instant since, Instant touchedAt) {}
