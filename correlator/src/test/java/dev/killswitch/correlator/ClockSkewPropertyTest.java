package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Clock skew between sources: every timestamp of the cloud events (CloudTrail, GCP audit: the CloudEvent time and
 * every time inside the data) shifted minutes ahead of or behind the Kubernetes and CI clocks gives the same chains
 * (roots, statuses, nodes, edges with their kinds and confidence) and the same triggers, each once. Arrival order and
 * lateness are covered by {@link MultiHopArrivalOrderPropertyTest}; this varies the sources' clocks instead.
 */
class ClockSkewPropertyTest {

  /** What a chain is apart from when: the times themselves move with the skew. */
  record Chain(String root, String status, Set<String> nodes, Set<String> edges) {}

  record Outcome(Map<String, Chain> chains, Set<String> requests) {}

  private static final List<Envelope<?>> EVENTS = Scenarios.all().stream().map(Scenario::events)
      .flatMap(List::stream).toList();
  private static Outcome unskewed;

  /** Within the default reuse tolerance (1 minute): nothing changes. */
  @Property(tries = 12)
  void cloudClocksUpToFiftySecondsAheadOrBehindGiveTheSameChainsAndTriggers(@ForAll("skews") Duration skew) {
    assertThat(outcome(skewCloud(skew), ScenarioChainsTest::settings)).isEqualTo(unskewed());
  }

  /**
   * Minutes of skew need the tolerances to cover them: with the reuse tolerance above the skew, cloud clocks five
   * minutes ahead or behind (both in one run) still give the same triggers, the same nodes in every chain and the
   * same exact-key (confidence 1.0) edges. Not the same weak (window-plus-subject) evidence: a window match reaches
   * only {@code Joins.SKEW_SECONDS} (60 s, fixed) before the candidate's first activity, so a cloud clock minutes
   * behind loses those matches (docs/reliability.md, "Clock skew").
   */
  @Example
  void fiveMinutesAheadAndBehindKeepTriggersNodesAndExactEdgesWhenTheReuseToleranceCoversTheSkew() {
    List<Envelope<?>> mixed = new ArrayList<>();
    int i = 0;
    for (Envelope<?> e : EVENTS) {
      mixed.add(isCloud(e) ? shift(e, Duration.ofMinutes(i++ % 2 == 0 ? 5 : -5)) : e);
    }
    java.util.function.UnaryOperator<dev.killswitch.correlator.CorrelatorConfig> tolerant =
        c -> ScenarioChainsTest.settings(c).withReuseTolerance(Duration.ofMinutes(6));
    Outcome skewed = outcome(mixed, tolerant);
    Outcome straight = outcome(EVENTS, tolerant);
    assertThat(skewed.requests()).isEqualTo(straight.requests());
    assertThat(skewed.chains().keySet()).isEqualTo(straight.chains().keySet());
    skewed.chains().forEach((id, chain) -> {
      Chain other = straight.chains().get(id);
      assertThat(chain.root()).isEqualTo(other.root());
      assertThat(chain.status()).isEqualTo(other.status());
      assertThat(chain.nodes()).isEqualTo(other.nodes());
      assertThat(exact(chain.edges())).isEqualTo(exact(other.edges()));
    });
  }

  private static Set<String> exact(Set<String> edges) {
    return edges.stream().filter(e -> e.contains(" 1.0 [")).collect(TreeSet::new, Set::add, Set::addAll);
  }

  @Provide
  Arbitrary<Duration> skews() {
    return Arbitraries.integers().between(-50, 50).map(Duration::ofSeconds);
  }

  private static List<Envelope<?>> skewCloud(Duration skew) {
    return EVENTS.stream().<Envelope<?>>map(e -> isCloud(e) ? shift(e, skew) : e).toList();
  }

  private static boolean isCloud(Envelope<?> e) {
    return e.type() == EventType.AWS_CLOUDTRAIL || e.type() == EventType.GCP_AUDIT;
  }

  /** The same event as seen by a source whose clock is off by {@code skew}: every timestamp in it moves. */
  private static Envelope<?> shift(Envelope<?> e, Duration skew) {
    JsonNode data = Json.mapper().valueToTree(e.data());
    shiftTimes(data, skew);
    Object shifted;
    try {
      shifted = Json.mapper().treeToValue(data, e.type().dataClass());
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
    return new Envelope<>(e.id(), e.source(), e.type(), e.subject(), e.time() == null ? null : e.time().plus(skew),
        e.partitionKey(), shifted);
  }

  private static void shiftTimes(JsonNode node, Duration skew) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode moved = moved(f.getValue(), skew);
        if (moved != null) {
          f.setValue(moved);
        } else {
          shiftTimes(f.getValue(), skew);
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        JsonNode moved = moved(a.get(i), skew);
        if (moved != null) {
          a.set(i, moved);
        } else {
          shiftTimes(a.get(i), skew);
        }
      }
    }
  }

  private static JsonNode moved(JsonNode value, Duration skew) {
    if (!value.isTextual() || value.textValue().length() < 20 || !Character.isDigit(value.textValue().charAt(0))) {
      return null;
    }
    try {
      return new TextNode(OffsetDateTime.parse(value.textValue()).plus(skew).toInstant().toString());   // Instant keeps :00 seconds
    } catch (DateTimeParseException notATime) {
      return null;
    }
  }

  private static synchronized Outcome unskewed() {
    if (unskewed == null) {
      unskewed = outcome(EVENTS, ScenarioChainsTest::settings);
      assertThat(unskewed.chains()).hasSize(5);
      assertThat(unskewed.requests()).isNotEmpty();
    }
    return unskewed;
  }

  private static Outcome outcome(List<Envelope<?>> events,
                                 java.util.function.UnaryOperator<dev.killswitch.correlator.CorrelatorConfig> settings) {
    try (Harness h = new Harness(settings, Scenarios.T0, false)) {
      h.sendAll(events);
      Map<String, Chain> chains = new TreeMap<>();
      h.latestSnapshots().forEach((id, s) -> chains.put(id, new Chain(s.root(), s.status(),
          s.nodes().stream().map(n -> n.ref() + " " + n.kind() + " " + n.revocation())
              .collect(TreeSet::new, Set::add, Set::addAll),
          s.edges().stream().map(ClockSkewPropertyTest::edge).collect(TreeSet::new, Set::add, Set::addAll))));
      List<RevocationRequested> requests = h.requests();
      assertThat(requests).extracting(RevocationRequested::requestId).doesNotHaveDuplicates();
      Set<String> r = new TreeSet<>();
      requests.forEach(x -> r.add(x.requestedBy() + " " + x.target() + " " + x.requestId()));
      return new Outcome(chains, r);
    }
  }

  private static String edge(ChainSnapshot.Edge e) {
    return e.from() + " -" + e.kind() + "-> " + e.to() + " " + e.confidence() + " " + e.evidence() + " " + e.count();
  }
}
