package dev.killswitch.correlator.internal.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class EdgeStateTest {

  private static final Instant T = Instant.parse("2025-06-01T10:00:00Z");

  @Property(tries = 200)
  void mergingTheSameObservationsInAnyOrderGivesTheSameEdge(@ForAll @IntRange(min = 1, max = 60) int n,
                                                            @ForAll long seed) {
    List<EdgeFact> facts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EdgeFact f = new EdgeFact("k8s:c:token/j", "k8s:c:sa/ns/s", EdgeKind.USED, null, 1.0, "e-" + i,
          T.plusSeconds(i % 7), 1, "verb-" + (i % 40), "res-" + (i % 3), List.of("10.0.0." + (i % 5)));
      // Some observations say things about the source node, some of them conflicting.
      facts.add(i % 4 == 0 ? f.withFromAttributes(Map.of("sessionName", "s-" + (i % 3), "roleId", "AROA" + i)) : f);
    }
    List<EdgeFact> shuffled = new ArrayList<>(facts);
    Collections.shuffle(shuffled, new Random(seed));
    // An observation seen again counts once while it is among the kept evidence (the earliest ones). Beyond that
    // the aggregate cannot tell, which is why intake drops redelivered event ids before they get here.
    shuffled.add(facts.get(0));

    assertThat(fold(shuffled)).isEqualTo(fold(facts));
    assertThat(fold(facts).count()).isEqualTo(n);
    assertThat(fold(facts).evidence()).hasSizeLessThanOrEqualTo(EdgeState.MAX_EVIDENCE);
    assertThat(fold(facts).verbs()).hasSizeLessThanOrEqualTo(EdgeState.MAX_DISTINCT);
    assertThat(fold(facts).fromAttributes()).containsEntry("sessionName", "s-0").containsEntry("roleId", "AROA0");
  }

  private static EdgeState fold(List<EdgeFact> facts) {
    EdgeState s = EdgeState.of(facts.get(0));
    for (EdgeFact f : facts.subList(1, facts.size())) {
      s = s.merge(f);
    }
    return s;
  }
}
