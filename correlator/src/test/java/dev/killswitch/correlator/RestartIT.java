package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A correlator instance is stopped while the scenarios are being correlated, and another one, with an empty state
 * directory (its stores come back from the changelogs), takes over: every trigger fires exactly once overall, none
 * is lost, including one scheduled by the wall clock across the restart.
 */
@ExtendWith(KafkaClusterExtension.class)
class RestartIT {

  private static final Duration MAX = Duration.ofSeconds(120);
  private static final Duration BOUND = Duration.ofSeconds(5);

  @Test
  void noTriggerFiresTwiceAndNoneIsLostWhenAnInstanceRestartsMidStream(KafkaTestCluster kafka, @TempDir Path dirA,
                                                                      @TempDir Path dirB) throws Exception {
    Topics topics = kafka.newTopics();
    Map<String, Object> props = kafka.clientProps();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    String applicationId = "correlator-restart-" + topics.prefix();
    UnaryOperator<CorrelatorConfig> settings = c -> ScenarioChainsTest.settings(c).withApplicationId(applicationId)
        .withBreakGlass(List.of(new Correlation.BreakGlass("k8s:prod-eu:user/breakglass-*", BOUND, true)));
    String breakGlass = IdentityRef.k8sUser(Events.CLUSTER, "breakglass-alice").toString();

    List<Envelope<?>> first = new ArrayList<>();
    List<Envelope<?>> second = new ArrayList<>();
    // Two stories complete before the restart, three are cut in the middle.
    first.addAll(Scenarios.githubIrsa().events());
    first.addAll(Scenarios.gitlabRoleBinding().events());
    for (Scenario s : List.of(Scenarios.githubGcp(), Scenarios.eksPodIdentity(), Scenarios.legacySecretToken())) {
      List<Envelope<?>> events = s.events();
      first.addAll(events.subList(0, events.size() / 2));
      second.addAll(events.subList(events.size() / 2, events.size()));
    }
    Expected expected = expected(settings, first, second);

    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      Correlator a = new Correlator(settings.apply(CorrelatorConfig.defaults(dirA, Harness.ACCESS)), topics, props,
          new SimpleMeterRegistry());
      a.start();
      send(producer, topics, first);
      // The first trigger is out: the rest of the first half is still being correlated. A break-glass grant starts
      // now (wall clock), so that the first instance schedules it and its bound passes while the second one starts.
      kafka.consume(topics.revocationRequests(), 1, MAX);
      send(producer, topics, List.of(breakGlassGrant(Instant.now())));
      await().atMost(MAX).pollInterval(Duration.ofMillis(500)).until(() -> kafka.readToEnd(topics.chains()).stream()
          .anyMatch(r -> breakGlass.equals(CloudEventCodec.fromKafka(r).subject())));
      a.close();
      // It left the group on close (the successor need not wait for its session to time out).
      assertThat(kafka.admin().describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId)
          .members()).isEmpty();

      try (Correlator b = new Correlator(settings.apply(CorrelatorConfig.defaults(dirB, Harness.ACCESS)), topics,
          props, new SimpleMeterRegistry())) {
        b.start();
        send(producer, topics, second);
        await().atMost(MAX).pollInterval(Duration.ofSeconds(1))
            .until(() -> outcome(kafka, topics).covers(expected));
      }
    }

    Outcome out = outcome(kafka, topics);
    assertThat(out.requestIds()).doesNotHaveDuplicates();
    assertThat(out.alertIds()).doesNotHaveDuplicates();
    assertThat(out.alerts()).isEqualTo(expected.alerts());
    assertThat(out.requests()).containsAll(expected.requests());
    assertThat(new TreeSet<>(out.requests())).allSatisfy(r -> assertThat(expected.requests().contains(r)
        || r.startsWith("trigger:job-completed ")).as(r).isTrue());
    assertThat(out.requests()).contains("trigger:break-glass-expired " + breakGlass);
    // Every credential of every completed chain is covered by a request (the run's, or its own when it joined late).
    assertThat(out.lastSnapshots()).flatExtracting(ChainSnapshot::nodes)
        .filteredOn(n -> IdentityRef.parse(n.ref()).kind().isCredential())
        .extracting(ChainSnapshot.Node::revocation).containsOnly("requested");
  }

  private static Envelope<?> breakGlassGrant(Instant at) {
    return Events.tokenRequestBy("bg-1", "breakglass-alice", Map.of(), "jti-bg", "kube-system", "admin",
        at.truncatedTo(ChronoUnit.MILLIS));
  }

  /** What the same events give on a TopologyTestDriver: every trigger but the late-credential requests. */
  private static Expected expected(UnaryOperator<CorrelatorConfig> settings, List<Envelope<?>> first,
                                   List<Envelope<?>> second) {
    Instant now = Instant.now();
    try (Harness h = new Harness(settings, now, false)) {
      h.sendAll(first);
      h.send(breakGlassGrant(now));
      h.sendAll(second);
      h.advanceWallClock(BOUND.plusSeconds(2));
      Set<String> requests = new TreeSet<>();
      h.requests().stream().filter(r -> !r.requestedBy().equals("trigger:job-completed") || r.target().startsWith("ci:"))
          .forEach(r -> requests.add(r.requestedBy() + " " + r.target()));
      Set<String> alerts = new TreeSet<>();
      h.alerts().forEach(a -> alerts.add(a.kind() + " " + a.subject()));
      assertThat(requests).hasSize(7);
      assertThat(alerts).hasSize(3);
      return new Expected(requests, alerts);
    }
  }

  private static void send(KafkaProducer<String, byte[]> producer, Topics topics, List<Envelope<?>> events)
      throws Exception {
    for (Envelope<?> e : events) {
      producer.send(CloudEventCodec.toKafka(topics.of(e.type()), e)).get();
    }
  }

  record Expected(Set<String> requests, Set<String> alerts) {}

  record Outcome(List<String> requestIds, List<String> requests, List<String> alertIds, Set<String> alerts,
                 List<ChainSnapshot> lastSnapshots) {

    boolean covers(Expected e) {
      return requests.containsAll(e.requests()) && alerts.containsAll(e.alerts());
    }
  }

  private static Outcome outcome(KafkaTestCluster kafka, Topics topics) {
    List<String> requestIds = new ArrayList<>();
    List<String> requests = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.revocationRequests())) {
      RevocationRequested q = CloudEventCodec.fromKafka(r).dataAs(RevocationRequested.class);
      requestIds.add(q.requestId());
      requests.add(q.requestedBy() + " " + q.target());
    }
    List<String> alertIds = new ArrayList<>();
    Set<String> alerts = new TreeSet<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.alerts())) {
      Alert a = CloudEventCodec.fromKafka(r).dataAs(Alert.class);
      alertIds.add(a.alertId());
      alerts.add(a.kind() + " " + a.subject());
    }
    Map<String, ChainSnapshot> last = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.chains())) {
      if (r.value() != null) {
        ChainSnapshot c = CloudEventCodec.fromKafka(r).dataAs(ChainSnapshot.class);
        last.put(c.chainId(), c);
      }
    }
    return new Outcome(requestIds, requests, alertIds, alerts, List.copyOf(last.values()));
  }

  static String chainOf(String root) {
    return DeterministicIds.chainId(root);
  }
}
