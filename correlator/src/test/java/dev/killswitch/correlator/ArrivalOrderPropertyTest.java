package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.result;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequest;
import static dev.killswitch.correlator.Events.tokenUse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Events arrive out of order and more than once; the chains must not depend on it (DESIGN.md, issue 4). */
class ArrivalOrderPropertyTest {

  /** What a chain is, apart from when it was processed. */
  record Chain(String root, String status, List<ChainSnapshot.Node> nodes, List<ChainSnapshot.Edge> edges) {}

  private static final List<Envelope<?>> SCENARIO = List.of(
      ciJob("d-1", "9001", "71", "queued", null, T0),
      ciJob("d-2", "9001", "72", "queued", null, T0.plusSeconds(1)),
      ciJob("d-3", "9001", "71", "in_progress", null, T0.plusSeconds(5)),
      tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)),
      tokenUse("a-2", "jti-1", "ci", "deployer", "get", "secrets", "10.0.0.5", T0.plusSeconds(20)),
      tokenUse("a-3", "jti-1", "ci", "deployer", "list", "pods", "10.0.0.6", T0.plusSeconds(21)),
      ciJob("d-4", "9001", "72", "in_progress", null, T0.plusSeconds(25)),
      tokenRequest("a-4", "9001", "jti-2", "ci", "migrator", T0.plusSeconds(30)),
      tokenUse("a-5", "jti-2", "ci", "migrator", "patch", "deployments", "10.0.0.5", T0.plusSeconds(35)),
      tokenRequest("a-6", "9002", "jti-3", "ci", "deployer", T0.plusSeconds(40)),
      ciJob("d-5", "9001", "71", "completed", "success", T0.plusSeconds(60)),
      ciJob("d-6", "9001", "72", "completed", "success", T0.plusSeconds(70)),
      tokenUse("a-7", "jti-1", "ci", "deployer", "get", "secrets", "192.0.2.9", T0.plusSeconds(80)),
      result("act-1", "req-1", "k8s.deny-token", token("jti-1"), Outcome.DRY_RUN, T0.plusSeconds(75)));

  private static Map<String, Chain> inOrder;

  @Property(tries = 40)
  void anyOrderAndAnyDuplicationGiveTheSameChains(@ForAll("deliveries") List<Envelope<?>> deliveries) {
    assertThat(chainsAfter(deliveries)).isEqualTo(inOrder());
  }

  @Property(tries = 20)
  void anyOrderCoversEveryCredentialOfTheCompletedRunExactlyOnce(@ForAll("deliveries") List<Envelope<?>> deliveries) {
    try (Harness h = new Harness(c -> c, T0, false)) {
      h.sendAll(deliveries);
      var requests = h.requests();
      assertThat(requests).extracting(r -> r.requestId()).doesNotHaveDuplicates();
      assertThat(requests).extracting(r -> r.target()).contains(Events.run("9001"))
          .doesNotContain(Events.run("9002"), token("jti-3"));
      assertThat(h.latestSnapshots().values()).filteredOn(c -> c.root().equals(Events.run("9001")))
          .flatExtracting(ChainSnapshot::nodes)
          .filteredOn(n -> n.kind().equals("k8s-token"))
          .extracting(ChainSnapshot.Node::revocation)
          .containsExactlyInAnyOrder("dry-run", "requested");
    }
  }

  @Provide
  Arbitrary<List<Envelope<?>>> deliveries() {
    return Arbitraries.of(SCENARIO).list().ofMaxSize(5).flatMap(again -> {
      List<Envelope<?>> all = new ArrayList<>(SCENARIO);
      all.addAll(again);
      return Arbitraries.shuffle(all);
    });
  }

  private static synchronized Map<String, Chain> inOrder() {
    if (inOrder == null) {
      inOrder = chainsAfter(SCENARIO);
      assertThat(inOrder).hasSize(2);
    }
    return inOrder;
  }

  private static Map<String, Chain> chainsAfter(List<Envelope<?>> deliveries) {
    try (Harness h = new Harness(c -> c, T0, false)) {
      h.sendAll(deliveries);
      Map<String, Chain> chains = new TreeMap<>();
      h.latestSnapshots().forEach((id, s) -> chains.put(id, new Chain(s.root(), s.status(), s.nodes(), s.edges())));
      return chains;
    }
  }
}
