package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A row of the {@code node-attributions} store: at a node that is a join key (see {@link Joins}), either an
 * observation waiting for what it joins with (key {@code <node> fact <event id> <edge key>}) or a candidate it may
 * join with (key {@code <node> cand <candidate>}).
 *
 * @param touchedAt wall-clock time of the last change; retention counts from here
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Attribution(EdgeFact fact, Candidate candidate, Instant touchedAt) {

  public static Attribution of(EdgeFact fact, Instant now) {
    return new Attribution(fact, null, now);
  }

  public static Attribution of(Candidate candidate, Instant now) {
    return new Attribution(null, candidate, now);
  }
}
