package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Comparator;

/** An event an edge was learned from. Ordered by time, then id, so that "the earliest N" is the same in any order. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Evidence(String id, Instant at) {

  public static final Comparator<Evidence> ORDER =
      Comparator.comparing(Evidence::at).thenComparing(Evidence::id);
}
