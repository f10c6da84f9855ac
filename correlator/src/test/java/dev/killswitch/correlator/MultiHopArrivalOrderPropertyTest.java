package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The multi-hop scenarios (every scenario of the testkit library at once) give the same chains and fire the same
 * triggers exactly once, whatever the arrival order, duplicates, or the cloud part arriving ten minutes late.
 */
class MultiHopArrivalOrderPropertyTest {

  /** What a chain is, apart from when it was processed. */
  record Chain(String root, String status, List<ChainSnapshot.Node> nodes, List<ChainSnapshot.Edge> edges) {}

  /**
   * What the triggers did, apart from when. A credential that joins a chain after its run completed (the cloud part
   * arriving after the CI completion) gets a job-completed request of its own instead of being covered by the run's:
   * the chains' node states ("requested") show the coverage is the same, so those requests are left out here.
   */
  record Fired(Set<String> requests, Set<String> alerts) {}

  record Outcome(Map<String, Chain> chains, Fired fired) {}

  private static final List<Envelope<?>> EVENTS = Scenarios.all().stream().map(Scenario::events)
      .flatMap(List::stream).toList();
  private static Outcome inOrder;

  @Property(tries = 30)
  void anyOrderAndAnyDuplicationGiveTheSameChainsAndTheSameTriggersOnce(
      @ForAll("deliveries") List<Envelope<?>> deliveries) {
    assertThat(outcome(deliveries, List.of())).isEqualTo(inOrder());
  }

  @Property(tries = 15)
  void theCloudPartTenMinutesLateGivesTheSameChainsAndTheSameTriggersOnce(
      @ForAll("ciAndClusterShuffled") List<Envelope<?>> first, @ForAll("cloudShuffled") List<Envelope<?>> late) {
    assertThat(outcome(first, late)).isEqualTo(inOrder());
  }

  @Provide
  Arbitrary<List<Envelope<?>>> deliveries() {
    return Arbitraries.of(EVENTS).list().ofMaxSize(6).flatMap(again -> {
      List<Envelope<?>> all = new ArrayList<>(EVENTS);
      all.addAll(again);
      return Arbitraries.shuffle(all);
    });
  }

  @Provide
  Arbitrary<List<Envelope<?>>> ciAndClusterShuffled() {
    return Arbitraries.shuffle(EVENTS.stream().filter(e -> !isCloud(e)).toList());
  }

  @Provide
  Arbitrary<List<Envelope<?>>> cloudShuffled() {
    return Arbitraries.shuffle(EVENTS.stream().filter(MultiHopArrivalOrderPropertyTest::isCloud).toList());
  }

  private static boolean isCloud(Envelope<?> e) {
    return e.type() == EventType.AWS_CLOUDTRAIL || e.type() == EventType.GCP_AUDIT;
  }

  private static synchronized Outcome inOrder() {
    if (inOrder == null) {
      inOrder = outcome(EVENTS, List.of());
      assertThat(inOrder.chains()).hasSize(5);
      assertThat(inOrder.fired().requests()).hasSize(6);
      assertThat(inOrder.chains().values()).flatExtracting(Chain::nodes)
          .filteredOn(n -> IdentityRef.parse(n.ref()).kind().isCredential()
              || n.kind().equals("k8s-binding"))
          .extracting(ChainSnapshot.Node::revocation).containsOnly("requested");
      assertThat(inOrder.fired().alerts()).hasSize(2);
    }
    return inOrder;
  }

  /** Delivers {@code first}, then ten minutes later (wall clock) {@code late}. */
  private static Outcome outcome(List<Envelope<?>> first, List<Envelope<?>> late) {
    try (Harness h = new Harness(ScenarioChainsTest::settings, Scenarios.T0, false)) {
      h.sendAll(first);
      if (!late.isEmpty()) {
        h.advanceWallClock(Duration.ofMinutes(10));
        h.sendAll(late);
      }
      return outcome(h.latestSnapshots(), h.requests(), h.alerts());
    }
  }

  /** What the latest snapshots, the requests and the alerts amount to, apart from when they were written. */
  static Outcome outcome(Map<String, ChainSnapshot> snapshots, List<RevocationRequested> requests,
                         List<Alert> alerts) {
    Map<String, Chain> chains = new TreeMap<>();
    snapshots.forEach((id, s) -> chains.put(id, new Chain(s.root(), s.status(), s.nodes(), s.edges())));
    assertThat(requests).extracting(RevocationRequested::requestId).doesNotHaveDuplicates();
    assertThat(alerts).extracting(Alert::alertId).doesNotHaveDuplicates();
    Set<String> r = new TreeSet<>();
    requests.stream().filter(x -> !x.requestedBy().equals("trigger:job-completed") || x.target().startsWith("ci:"))
        .forEach(x -> r.add(x.requestedBy() + " " + x.target() + " " + x.requestId()));
    Set<String> a = new TreeSet<>();
    alerts.forEach(x -> a.add(x.kind() + " " + x.subject() + " " + x.alertId()));
    return new Outcome(chains, new Fired(r, a));
  }
}
