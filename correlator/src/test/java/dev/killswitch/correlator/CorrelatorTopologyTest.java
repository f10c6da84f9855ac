package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.ciRun;
import static dev.killswitch.correlator.Events.job;
import static dev.killswitch.correlator.Events.oidcUser;
import static dev.killswitch.correlator.Events.result;
import static dev.killswitch.correlator.Events.run;
import static dev.killswitch.correlator.Events.sa;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequest;
import static dev.killswitch.correlator.Events.tokenUse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.killswitch.correlator.internal.query.Views;
import dev.killswitch.correlator.internal.streams.TopologyNames;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class CorrelatorTopologyTest {

  private static final String RUN = run("9001");
  private static final String CHAIN = DeterministicIds.chainId(RUN);
  private static final String TOKEN = token("jti-1");
  private static final String SA = sa("ci", "deployer");

  @Test
  void linksTheRunToTheTokenItMintedAndTheTokenToItsServiceAccount() {
    try (Harness h = new Harness()) {
      h.send(ciJob("d-1", "9001", "71", "queued", null, T0));
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)));

      ChainSnapshot chain = h.latestSnapshots().get(CHAIN);
      assertThat(chain.root()).isEqualTo(RUN);
      assertThat(chain.status()).isEqualTo("active");
      assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref, ChainSnapshot.Node::kind).containsExactlyInAnyOrder(
          tuple(RUN, "github-run"), tuple(job("71"), "github-job"), tuple(oidcUser(), "k8s-user"),
          tuple(TOKEN, "k8s-token"), tuple(SA, "k8s-service-account"));
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind, ChainSnapshot.Edge::to,
              ChainSnapshot.Edge::confidence, ChainSnapshot.Edge::evidence)
          .containsExactlyInAnyOrder(
              tuple(RUN, "authenticated-as", oidcUser(), 1.0, List.of("a-1:ResponseComplete")),
              tuple(oidcUser(), "minted", TOKEN, 1.0, List.of("a-1:ResponseComplete")),
              tuple(TOKEN, "credential-of", SA, 1.0, List.of("a-1:ResponseComplete")));
      assertThat(chain.edges()).allSatisfy(e -> {
        assertThat(e.firstSeen()).isEqualTo(T0.plusSeconds(10));
        assertThat(e.count()).isEqualTo(1);
      });
      assertThat(h.requests()).isEmpty();
    }
  }

  @Test
  void snapshotsAreChainCloudEventsKeyedByChainId() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));

      var event = h.snapshotEvents().get(h.snapshotEvents().size() - 1);
      assertThat(event.type()).isEqualTo(EventType.CHAIN);
      assertThat(event.partitionKey()).isEqualTo(CHAIN);
      assertThat(event.subject()).isEqualTo(RUN);
      assertThat(h.snapshotEvents()).extracting(e -> e.id()).doesNotHaveDuplicates();
    }
  }

  @Test
  void requestsRevocationOnceWhenEveryJobOfTheRunHasCompleted() {
    try (Harness h = new Harness()) {
      h.send(ciJob("d-1", "9001", "71", "queued", null, T0));
      h.send(ciJob("d-2", "9001", "72", "queued", null, T0));
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)));
      h.send(ciJob("d-3", "9001", "71", "completed", "success", T0.plusSeconds(60)));
      assertThat(h.requests()).as("job 72 still runs").isEmpty();

      h.send(ciJob("d-4", "9001", "72", "completed", "success", T0.plusSeconds(90)));
      h.send(ciJob("d-4", "9001", "72", "completed", "success", T0.plusSeconds(90))); // redelivered webhook
      h.send(ciJob("d-5", "9001", "72", "completed", "success", T0.plusSeconds(91))); // another delivery, same state
      h.send(tokenUse("a-2", "jti-1", "ci", "deployer", "get", "secrets", "10.0.0.5", T0.plusSeconds(120)));

      assertThat(h.requests()).singleElement().satisfies(r -> {
        assertThat(r.requestId()).isEqualTo(DeterministicIds.of("trigger", "job-completed", RUN));
        assertThat(r.target()).isEqualTo(RUN);
        assertThat(r.cascade()).isEqualTo(RevocationRequested.Cascade.DOWNSTREAM);
        assertThat(r.requestedBy()).isEqualTo("trigger:job-completed");
        assertThat(r.mode()).isEqualTo(RevocationRequested.Mode.DRY_RUN);
        assertThat(r.reason()).isEqualTo("CI run completed (success)");
      });
      var event = h.requestEvents().get(0);
      assertThat(event.type()).isEqualTo(EventType.REVOCATION_REQUESTED);
      assertThat(event.id()).isEqualTo(h.requests().get(0).requestId());
      assertThat(event.partitionKey()).isEqualTo(RUN);
      assertThat(h.counter("killswitch.correlator.duplicates")).isEqualTo(1.0);

      ChainSnapshot chain = h.latestSnapshots().get(CHAIN);
      assertThat(chain.status()).isEqualTo("completed");
      assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(TOKEN))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("requested");
    }
  }

  @Test
  void theSnapshotWrittenWithTheRequestHoldsEveryCredentialTheRequestCovers() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(ciJob("d-1", "9001", "71", "completed", "failure", T0.plusSeconds(30)));

      assertThat(h.requests()).hasSize(1);
      ChainSnapshot last = h.snapshots().get(h.snapshots().size() - 1);
      assertThat(last.nodes()).extracting(ChainSnapshot.Node::ref).contains(TOKEN);
      assertThat(last.status()).isEqualTo("completed");
      assertThat(h.requests().get(0).reason()).isEqualTo("CI run completed (failure)");
    }
  }

  @Test
  void aRunLevelCompletionFiresEvenWithoutJobEvents() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(ciRun("r-1", "9001", "in_progress", null, 1, T0));
      h.send(ciRun("r-2", "9001", "completed", "cancelled", 1, T0.plusSeconds(30)));

      assertThat(h.requests()).extracting(RevocationRequested::target, RevocationRequested::reason)
          .containsExactly(tuple(RUN, "CI run completed (cancelled)"));
    }
  }

  @Test
  void aTokenMintedAfterTheRunCompletedIsRevokedToo() {
    try (Harness h = new Harness()) {
      h.send(ciJob("d-1", "9001", "71", "queued", null, T0));
      h.send(ciJob("d-2", "9001", "71", "completed", "success", T0.plusSeconds(60)));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(RUN);

      // The apiserver's batch webhook delivers the TokenRequest late, twice.
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(30)));
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(30)));
      h.send(tokenUse("a-2", "jti-1", "ci", "deployer", "list", "pods", "10.0.0.5", T0.plusSeconds(90)));

      assertThat(h.requests()).extracting(RevocationRequested::requestId, RevocationRequested::target)
          .containsExactly(
              tuple(DeterministicIds.of("trigger", "job-completed", RUN), RUN),
              tuple(DeterministicIds.of("trigger", "job-completed", RUN, TOKEN), TOKEN));
      assertThat(h.requests().get(1).cascade()).isEqualTo(RevocationRequested.Cascade.DOWNSTREAM);
      assertThat(h.requests().get(1).reason()).contains("after it completed");
    }
  }

  @Test
  void theGracePeriodDelaysTheTriggerByWallClockTime() {
    try (Harness h = new Harness(Duration.ofMinutes(5))) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(ciJob("d-1", "9001", "71", "completed", "success", T0.plusSeconds(30)));
      h.advanceWallClock(Duration.ofMinutes(4));
      assertThat(h.requests()).isEmpty();

      h.advanceWallClock(Duration.ofMinutes(1).plusSeconds(1));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(RUN);

      h.advanceWallClock(Duration.ofMinutes(10));
      assertThat(h.requests()).hasSize(1);
    }
  }

  @Test
  void aJobQueuedDuringTheGracePeriodHoldsTheTriggerUntilItCompletes() {
    try (Harness h = new Harness(Duration.ofMinutes(5))) {
      h.send(ciJob("d-1", "9001", "71", "completed", "success", T0));
      h.advanceWallClock(Duration.ofMinutes(1));
      h.send(ciJob("d-2", "9001", "72", "queued", null, T0.plusSeconds(70))); // a job that needs 71
      h.advanceWallClock(Duration.ofMinutes(10));
      assertThat(h.requests()).isEmpty();

      h.send(ciJob("d-3", "9001", "72", "completed", "success", T0.plusSeconds(700)));
      h.advanceWallClock(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(RUN);
    }
  }

  @Test
  void usesOfATokenSeenBeforeItsTokenRequestJoinTheChainWhenTheLinkArrives() {
    try (Harness h = new Harness()) {
      h.send(tokenUse("a-2", "jti-1", "ci", "deployer", "get", "secrets", "10.0.0.5", T0.plusSeconds(20)));
      h.send(tokenUse("a-3", "jti-1", "ci", "deployer", "list", "pods", "10.0.0.6", T0.plusSeconds(25)));
      assertThat(h.snapshots()).as("no root known yet: the uses are parked").isEmpty();

      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)));

      ChainSnapshot chain = h.latestSnapshots().get(CHAIN);
      assertThat(chain.edges()).filteredOn(e -> e.kind().equals("used")).singleElement().satisfies(e -> {
        assertThat(e.from()).isEqualTo(TOKEN);
        assertThat(e.to()).isEqualTo(SA);
        assertThat(e.count()).isEqualTo(2);
        assertThat(e.evidence()).containsExactly("a-2:ResponseComplete", "a-3:ResponseComplete");
        assertThat(e.firstSeen()).isEqualTo(T0.plusSeconds(20));
        assertThat(e.lastSeen()).isEqualTo(T0.plusSeconds(25));
      });
      Views.ChainView view = h.answers().chain(CHAIN).orElseThrow();
      assertThat(view.edges()).filteredOn(e -> e.kind().equals("used")).singleElement().satisfies(e -> {
        assertThat(e.verbs()).containsExactly("get", "list");
        assertThat(e.resources()).containsExactly("ci/pods", "ci/secrets");
        assertThat(e.sourceIps()).containsExactly("10.0.0.5", "10.0.0.6");
      });
    }
  }

  @Test
  void aRedeliveredUseIsCountedOnce() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      var use = tokenUse("a-2", "jti-1", "ci", "deployer", "get", "secrets", "10.0.0.5", T0.plusSeconds(20));
      h.send(use).send(use).send(use);

      assertThat(h.latestSnapshots().get(CHAIN).edges()).filteredOn(e -> e.kind().equals("used"))
          .extracting(ChainSnapshot.Edge::count).containsExactly(1L);
      assertThat(h.counter("killswitch.correlator.duplicates")).isEqualTo(2.0);
    }
  }

  @Test
  void aSharedCiIdentityDoesNotCarryOneRunsTokensIntoAnotherRunsChain() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(tokenRequest("a-2", "9002", "jti-2", "ci", "deployer", T0.plusSeconds(5)));
      h.send(ciJob("d-1", "9001", "71", "completed", "success", T0.plusSeconds(30)));

      assertThat(h.latestSnapshots().get(CHAIN).nodes()).extracting(ChainSnapshot.Node::ref)
          .contains(TOKEN).doesNotContain(token("jti-2"));
      assertThat(h.latestSnapshots().get(DeterministicIds.chainId(run("9002"))).nodes())
          .extracting(ChainSnapshot.Node::ref).contains(token("jti-2")).doesNotContain(TOKEN);
      assertThat(h.answers().chainsOf(IdentityRef.parse(oidcUser()))).extracting(Views.ChainRef::root)
          .containsExactlyInAnyOrder(RUN, run("9002"));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(RUN);
    }
  }

  @Test
  void undecodableRecordsGoToTheDeadLetterTopicAndProcessingContinues() {
    try (Harness h = new Harness()) {
      long ts = T0.toEpochMilli();
      h.sendRaw(h.topics.k8sEvents(), "k", "{not json".getBytes(StandardCharsets.UTF_8), null, ts);
      RecordHeaders unknown = new RecordHeaders();
      unknown.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
      unknown.add("ce_id", "x-1".getBytes(StandardCharsets.UTF_8));
      unknown.add("ce_source", "urn:test".getBytes(StandardCharsets.UTF_8));
      unknown.add("ce_type", "com.example.unknown".getBytes(StandardCharsets.UTF_8));
      unknown.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
      h.sendRaw(h.topics.ciEvents(), "k", "{}".getBytes(StandardCharsets.UTF_8), unknown, ts);
      h.sendRaw(h.topics.ciEvents(), "k", null, null, ts);
      // Decodes, but names the run with a malformed reference.
      var bad = ciJob("d-9", "9001", "71", "queued", null, T0);
      var badData = new dev.killswitch.schemas.event.CiJobEvent("github", job("71"), "ci:github:not-a-run", "acme/app",
          "deploy", "queued", null, 1, null, List.of(), null, null, null, null, null, null);
      h.send(new dev.killswitch.schemas.Envelope<>(bad.id(), bad.source(), bad.type(), bad.subject(), bad.time(),
          bad.partitionKey(), badData));

      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));

      assertThat(h.deadLetters()).extracting(r -> header(r.headers(), DeadLetter.REASON))
          .containsExactly("not-a-cloudevent", "unknown-type", "empty-value", "invalid-identity-ref");
      assertThat(h.deadLetters()).allSatisfy(r -> {
        assertThat(header(r.headers(), DeadLetter.ORIGIN)).startsWith("correlator:t.events.");
        assertThat(header(r.headers(), "ce_id")).isNull();
      });
      assertThat(new String(h.deadLetters().get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
      assertThat(header(h.deadLetters().get(3).headers(), DeadLetter.DETAIL)).contains("ci:github:not-a-run");
      assertThat(h.counter("killswitch.correlator.deadletter", "reason", "not-a-cloudevent")).isEqualTo(1.0);
      assertThat(h.latestSnapshots()).containsKey(CHAIN);
    }
  }

  @Test
  void revocationResultsShowOnTheNodeTheyTarget() {
    try (Harness h = new Harness()) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(ciJob("d-1", "9001", "71", "completed", "success", T0.plusSeconds(30)));
      String requestId = h.requests().get(0).requestId();
      String actionId = DeterministicIds.actionId(requestId, "k8s.deny-token", TOKEN);

      h.send(result(actionId, requestId, "k8s.deny-token", TOKEN, Outcome.DRY_RUN, T0.plusSeconds(31)));

      assertThat(h.latestSnapshots().get(CHAIN).nodes()).filteredOn(n -> n.ref().equals(TOKEN))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("dry-run");
      Views.IdentityView token = h.answers().identity(IdentityRef.parse(TOKEN)).orElseThrow();
      assertThat(token.revocation()).isEqualTo("dry-run");
      assertThat(token.kind()).isEqualTo("k8s-token");
      assertThat(token.chains()).extracting(Views.ChainRef::chainId).containsExactly(CHAIN);
      assertThat(token.inbound()).extracting(Views.EdgeView::from, Views.EdgeView::kind)
          .containsExactly(tuple(oidcUser(), "minted"));
      assertThat(token.outbound()).extracting(Views.EdgeView::kind, Views.EdgeView::to)
          .containsExactly(tuple("credential-of", SA));

      h.send(result(actionId, requestId, "k8s.deny-token", TOKEN, Outcome.REVOKED, T0.plusSeconds(40)));
      ChainSnapshot chain = h.latestSnapshots().get(CHAIN);
      assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(TOKEN))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("revoked");
      assertThat(chain.status()).isEqualTo("revoked");
    }
  }

  @Test
  void aResultThatArrivesBeforeTheNodeJoinsAChainIsShownOnceItDoes() {
    try (Harness h = new Harness()) {
      h.send(result("act-1", "req-1", "k8s.deny-token", TOKEN, Outcome.REVOKED, T0));
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(5)));

      assertThat(h.latestSnapshots().get(CHAIN).nodes()).filteredOn(n -> n.ref().equals(TOKEN))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("revoked");
    }
  }

  @Test
  void chainsAndNodesExpireAfterTheRetention() {
    try (Harness h = new Harness(Duration.ZERO, Duration.ofHours(1))) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      assertThat(h.answers().chain(CHAIN)).isPresent();

      h.advanceWallClock(Duration.ofMinutes(30));
      assertThat(h.answers().chain(CHAIN)).isPresent();
      h.advanceWallClock(Duration.ofMinutes(40));

      assertThat(h.answers().chain(CHAIN)).isEmpty();
      assertThat(h.answers().identity(IdentityRef.parse(TOKEN))).isEmpty();
      assertThat(h.tombstones()).containsExactly(CHAIN);
    }
  }

  @Test
  void changesWithinTheSnapshotIntervalShareOneSnapshotButAFiringTriggerWritesItsSnapshotAtOnce() {
    try (Harness h = new Harness(c -> c.withSnapshotInterval(Duration.ofSeconds(1)))) {
      h.send(ciJob("d-1", "9001", "71", "queued", null, T0));
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)));
      h.send(tokenUse("a-2", "jti-1", "ci", "deployer", "get", "pods", "203.0.113.8", T0.plusSeconds(20)));
      assertThat(h.snapshots()).isEmpty();

      h.advanceWallClock(Duration.ofMillis(1100));
      assertThat(h.snapshots()).singleElement().satisfies(s ->
          assertThat(s.nodes()).extracting(ChainSnapshot.Node::ref).contains(TOKEN));

      h.send(ciJob("d-2", "9001", "71", "completed", "success", T0.plusSeconds(60)));
      assertThat(h.snapshots()).hasSize(2);
      assertThat(h.snapshots().get(1).status()).isEqualTo("completed");
      assertThat(h.requests()).hasSize(1);
      h.advanceWallClock(Duration.ofSeconds(5));
      assertThat(h.snapshots()).as("nothing changed since").hasSize(2);
    }
  }

  @Test
  void everyProcessorStoreAndRepartitionTopicIsNamed() {
    var description = Correlator.topology(CorrelatorConfig.defaults(java.nio.file.Path.of("x"), Harness.ACCESS),
        new dev.killswitch.schemas.Topics("t")).describe();
    String text = description.toString();
    assertThat(text).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
    assertThat(text).contains(TopologyNames.NODE_UPDATES + "-repartition", TopologyNames.CHAIN_UPDATES + "-repartition");
    assertThat(description.subtopologies()).hasSize(3);
    assertThat(description.subtopologies()).flatExtracting(TopologyDescription.Subtopology::nodes)
        .filteredOn(n -> n instanceof TopologyDescription.Processor)
        .flatExtracting(n -> ((TopologyDescription.Processor) n).stores())
        .contains(TopologyNames.DEDUPE_STORE, TopologyNames.NODE_CHAINS_STORE, TopologyNames.NODE_EDGES_STORE,
            TopologyNames.NODE_REVOCATIONS_STORE, TopologyNames.NODE_ATTRIBUTIONS_STORE,
            TopologyNames.NODE_EXPIRY_STORE, TopologyNames.CHAINS_STORE, TopologyNames.TRIGGER_SCHEDULE_STORE,
            TopologyNames.CHAIN_EXPIRY_STORE);
    // The loop writes into node-updates, which the graph step reads: no topic of its own, no fourth sub-topology.
    assertThat(description.subtopologies()).flatExtracting(TopologyDescription.Subtopology::nodes)
        .filteredOn(n -> n instanceof TopologyDescription.Sink s && n.name().equals(TopologyNames.SINK_NODE_LOOP))
        .singleElement().satisfies(n -> assertThat(((TopologyDescription.Sink) n).topic())
            .isEqualTo(TopologyNames.NODE_UPDATES + "-repartition"));
  }

  private static String header(org.apache.kafka.common.header.Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
