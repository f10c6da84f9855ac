package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.killswitch.schemas.DeterministicIds;
import java.util.Objects;

/**
 * A change to one chain, keyed (and partitioned) by chain id on the {@code chain-updates} repartition topic.
 * Exactly one of the parts is set.
 *
 * @param edge the current aggregate of an edge of the chain (it replaces the chain's copy)
 * @param ci a status of the root run or one of its jobs (from the run's node)
 * @param revocation the latest revocation result of a node of the chain
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ChainMessage(String chainId, String root, EdgeState edge, CiFact ci, RevocationMark revocation) {

  public ChainMessage {
    Objects.requireNonNull(chainId, "chainId");
    Objects.requireNonNull(root, "root");
  }

  public static ChainMessage edge(String root, EdgeState edge) {
    return new ChainMessage(DeterministicIds.chainId(root), root, edge, null, null);
  }

  public static ChainMessage ci(CiFact fact) {
    return new ChainMessage(DeterministicIds.chainId(fact.run()), fact.run(), null, fact, null);
  }

  public static ChainMessage revocation(String root, RevocationMark mark) {
    return new ChainMessage(DeterministicIds.chainId(root), root, null, null, mark);
  }
}
