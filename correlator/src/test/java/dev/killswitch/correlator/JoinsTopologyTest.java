package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.OIDC_USER;
import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.job;
import static dev.killswitch.correlator.Events.run;
import static dev.killswitch.correlator.Events.sa;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequestBy;
import static dev.killswitch.correlator.Events.tokenUse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.killswitch.correlator.internal.query.Views;
import dev.killswitch.correlator.internal.streams.TopologyNames;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.testkit.scenarios.GithubIrsa;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The joins that put a node into a chain, in both arrival orders where order could matter. */
class JoinsTopologyTest {

  private static final String SUB = "repo:acme/app:ref:refs/heads/main";
  private static final String SUBJECT = IdentityRef.oidcSubject(CloudEvents.GITHUB, SUB).toString();
  private static final String GH_RUN = run("12345678");

  @Test
  void aJobReferenceAloneAttributesTheEventToTheJobsRunInEitherOrder() {
    List<Envelope<?>> events = List.of(
        tokenRequestBy("a-1", OIDC_USER, Map.of("killswitch.dev/ci-job", List.of(job("71"))), "jti-1", "ci",
            "deployer", T0.plusSeconds(10)),
        ciJob("d-1", "9001", "71", "in_progress", null, T0));
    ChainSnapshot forward = chain(c -> c, events, run("9001"));
    ChainSnapshot backward = chain(c -> c, reversed(events), run("9001"));

    assertThat(forward.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
        ChainSnapshot.Edge::to).containsExactlyInAnyOrder(
        tuple(job("71"), "authenticated-as", Events.oidcUser()),
        tuple(Events.oidcUser(), "minted", token("jti-1")),
        tuple(token("jti-1"), "credential-of", sa("ci", "deployer")));
    assertSameChain(backward, forward);
  }

  @Test
  void rawClaimsInUserExtraNameTheRun() {
    ChainSnapshot chain = chain(c -> c.withRawClaims(List.of(new Correlation.RawClaims("github", null,
        "github.com/repository", "github.com/run_id", null))), List.of(tokenRequestBy("a-1", OIDC_USER,
        Map.of("github.com/repository", List.of("acme/app"), "github.com/run_id", List.of("9001")), "jti-1", "ci",
        "deployer", T0)), run("9001"));

    assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref).contains(token("jti-1"));
  }

  @Test
  void theCiExtraKeysAreSettings() {
    ChainSnapshot chain = chain(c -> c.withCiExtraKeys("example.com/run", "example.com/job"), List.of(
        tokenRequestBy("a-1", OIDC_USER, Map.of("example.com/run", List.of(run("9001"))), "jti-1", "ci", "deployer",
            T0)), run("9001"));

    assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref).contains(token("jti-1"));
  }

  @Test
  void aGithubFederationNamingTheRunInItsSessionNameJoinsExactly() {
    ChainSnapshot chain = chain(c -> c, List.of(CloudEvents.githubFederation("ct-1", SUB, "gha-run-12345678-1",
        "ASIAONEEXAMPLE000001", "deploy", "198.51.100.24", T0)), GH_RUN);

    assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind, ChainSnapshot.Edge::to,
        ChainSnapshot.Edge::confidence).containsExactlyInAnyOrder(
        tuple(GH_RUN, "authenticated-as", SUBJECT, 1.0),
        tuple(SUBJECT, "assumed", CloudEvents.session("ASIAONEEXAMPLE000001"), 1.0),
        tuple(CloudEvents.session("ASIAONEEXAMPLE000001"), "credential-of", CloudEvents.role("deploy"), 1.0));
  }

  @Test
  void aGithubFederationWithoutRunIdJoinsTheRunsOfItsSubjectWithinTheWindowInEitherOrder() {
    List<Envelope<?>> events = List.of(
        ciJob("d-1", "12345678", "71", "in_progress", null, T0),
        CloudEvents.githubFederation("ct-1", SUB, "GitHubActions", "ASIAONEEXAMPLE000001", "deploy",
            "198.51.100.24", T0.plusSeconds(60)),
        CloudEvents.githubFederation("ct-2", SUB, "GitHubActions", "ASIATWOEXAMPLE000002", "deploy",
            "198.51.100.24", T0.plus(Duration.ofHours(2))));
    ChainSnapshot forward = chain(c -> c, events, GH_RUN);
    ChainSnapshot backward = chain(c -> c, reversed(events), GH_RUN);

    assertThat(forward.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
        ChainSnapshot.Edge::to, ChainSnapshot.Edge::confidence).contains(
        tuple(GH_RUN, "authenticated-as", SUBJECT, 0.7),
        tuple(SUBJECT, "assumed", CloudEvents.session("ASIAONEEXAMPLE000001"), 0.7));
    assertThat(forward.nodes()).extracting(ChainSnapshot.Node::ref).as("two hours later: outside the window")
        .doesNotContain(CloudEvents.session("ASIATWOEXAMPLE000002"));
    assertSameChain(backward, forward);
  }

  @Test
  void manyRunsOfOneServiceAccountEachGetOnlyTheIrsaSessionOfTheirOwnToken() {
    Scenario irsa = Scenarios.githubIrsa();
    var assume = (dev.killswitch.schemas.event.AwsCloudTrailEvent) irsa.events().stream()
        .filter(e -> e.data() instanceof dev.killswitch.schemas.event.AwsCloudTrailEvent a
            && a.mintedSession() != null).findFirst().orElseThrow().data();
    try (Harness h = Harness.inMemory(ScenarioChainsTest::settings)) {
      for (int i = 0; i < 30; i++) {
        var at = T0.plus(Duration.ofHours(i));
        h.send(tokenRequestBy("tr-" + i, "github:" + SUB, Map.of("killswitch.dev/ci-run", List.of(run("5000" + i))),
            "jti-" + i, "payments", "billing-api", at));
        var data = new dev.killswitch.schemas.event.AwsCloudTrailEvent("as-" + i, assume.eventName(),
            assume.eventSource(), assume.awsRegion(), assume.account(), assume.actor(), assume.identity(),
            CloudEvents.session(String.format("ASIAMANY%012d", i)), assume.assumedRole(), assume.sessionName(), null,
            Map.of(), null, "203.0.113.10", "aws-cli", null, null, true, assume.raw());
        h.send(new Envelope<>("as-" + i, java.net.URI.create("aws://111122223333/eu-west-1"),
            dev.killswitch.schemas.EventType.AWS_CLOUDTRAIL, assume.actor(),
            java.time.OffsetDateTime.ofInstant(at.plusSeconds(15), java.time.ZoneOffset.UTC), assume.actor(), data));
      }
      for (int i = 0; i < 30; i++) {
        ChainSnapshot chain = h.latestSnapshots().get(DeterministicIds.chainId(run("5000" + i)));
        int self = i;
        assertThat(chain.edges()).filteredOn(e -> e.kind().equals("assumed")).singleElement().satisfies(e -> {
          assertThat(e.from()).isEqualTo(IdentityRef.k8sToken("prod-eu", "jti-" + self).toString());
          assertThat(e.to()).isEqualTo(CloudEvents.session(String.format("ASIAMANY%012d", self)));
        });
      }
    }
  }

  @Test
  void aConfiguredRootPatternRootsAChainOfItsOwnAndItsTokensUsesFollow() {
    String alice = IdentityRef.k8sUser(Events.CLUSTER, "alice@example.com").toString();
    ChainSnapshot chain = chain(c -> c.withRoots(List.of("k8s:prod-eu:user/*@example.com")), List.of(
        tokenRequestBy("a-1", "alice@example.com", Map.of(), "jti-7", "ci", "deployer", T0),
        tokenUse("a-2", "jti-7", "ci", "deployer", "get", "pods", "203.0.113.7", T0.plusSeconds(5))), alice);

    assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind, ChainSnapshot.Edge::to)
        .containsExactlyInAnyOrder(tuple(alice, "minted", token("jti-7")),
            tuple(token("jti-7"), "credential-of", sa("ci", "deployer")),
            tuple(token("jti-7"), "used", sa("ci", "deployer")));
  }

  @Test
  void roleChainingFromAnIrsaSessionAddsAHopWhoseCallsFollow() {
    Scenario s = Scenarios.githubIrsa();
    List<Envelope<?>> events = new ArrayList<>(s.events());
    events.add(CloudEvents.assumeRole("ct-9", GithubIrsa.SESSION_KEY, GithubIrsa.ROLE, "ASIACHAINEDEXAMPLE09",
        "reporting", GithubIrsa.RUNNER_IP, T0.plusSeconds(80)));
    events.add(CloudEvents.call("ct-10", "ASIACHAINEDEXAMPLE09", "reporting", "GetObject", CloudEvents.ACCOUNT,
        GithubIrsa.RUNNER_IP, null, T0.plusSeconds(85)));
    ChainSnapshot chain = chain(ScenarioChainsTest::settings, reversed(events), s.ref("run"));

    String chained = CloudEvents.session("ASIACHAINEDEXAMPLE09");
    assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind, ChainSnapshot.Edge::to)
        .contains(tuple(s.ref("token"), "assumed", s.ref("session")), tuple(s.ref("session"), "assumed", chained),
            tuple(chained, "used", CloudEvents.role("reporting")));
  }

  @Test
  void aSecretReadThatIsNeverUsedAsATokenStaysOutOfTheChain() {
    Scenario s = Scenarios.legacySecretToken();
    List<Envelope<?>> readOnly = s.events().stream()
        .filter(e -> !(e.data() instanceof dev.killswitch.schemas.event.K8sAuditEvent a)
            || !"system:serviceaccount:legacy:deployer".equals(a.user().username())).toList();
    ChainSnapshot chain = chain(c -> c, readOnly, s.ref("run"));

    assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref).doesNotContain(s.ref("secretToken"));
  }

  @Test
  void keptJoinFactsAndCandidatesExpireWithTheRetention() {
    try (Harness h = Harness.inMemory(c -> c.withRetention(Duration.ofHours(1)))) {
      h.send(CloudEvents.githubFederation("ct-1", SUB, "GitHubActions", "ASIAONEEXAMPLE000001", "deploy",
          "198.51.100.24", T0));
      h.send(ciJob("d-1", "9001", "71", "in_progress", null, T0.minus(Duration.ofHours(3))));
      long kept = h.storeSize(TopologyNames.NODE_ATTRIBUTIONS_STORE);
      assertThat(kept).as("the fact, the candidate and its activity index").isGreaterThanOrEqualTo(3);

      h.advanceWallClock(Duration.ofMinutes(30));
      assertThat(h.storeSize(TopologyNames.NODE_ATTRIBUTIONS_STORE)).isEqualTo(kept);
      h.advanceWallClock(Duration.ofMinutes(45));
      assertThat(h.storeSize(TopologyNames.NODE_ATTRIBUTIONS_STORE)).isZero();
      assertThat(h.storeSize(TopologyNames.NODE_EXPIRY_STORE)).isZero();
      assertThat(h.storeSize(TopologyNames.CHAIN_EXPIRY_STORE)).isZero();
      assertThat(h.answers().identity(IdentityRef.parse(SUBJECT))).isEmpty();
    }
  }

  @Test
  void theIdentityAnswerShowsHowEachEdgeWasLearned() {
    try (Harness h = Harness.inMemory(c -> c)) {
      h.send(ciJob("d-1", "12345678", "71", "in_progress", null, T0));
      h.send(CloudEvents.githubFederation("ct-1", SUB, "GitHubActions", "ASIAONEEXAMPLE000001", "deploy",
          "198.51.100.24", T0.plusSeconds(60)));

      Views.IdentityView subject = h.answers().identity(IdentityRef.parse(SUBJECT)).orElseThrow();
      assertThat(subject.outbound()).extracting(Views.EdgeView::kind, Views.EdgeView::confidence,
          Views.EdgeView::basis).containsExactly(tuple("assumed", 1.0, List.of("exact:web-identity")));
      Views.ChainView chain = h.answers().chain(DeterministicIds.chainId(GH_RUN)).orElseThrow();
      assertThat(chain.edges()).filteredOn(e -> e.from().equals(SUBJECT)).singleElement()
          .satisfies(e -> assertThat(e.basis()).containsExactly("window:oidc-subject"));
    }
  }

  private static ChainSnapshot chain(UnaryOperator<CorrelatorConfig> settings, List<Envelope<?>> events,
                                     String root) {
    try (Harness h = Harness.inMemory(settings)) {
      h.sendAll(events);
      ChainSnapshot chain = h.latestSnapshots().get(DeterministicIds.chainId(root));
      assertThat(chain).as("chain of " + root).isNotNull();
      return chain;
    }
  }

  private static void assertSameChain(ChainSnapshot actual, ChainSnapshot expected) {
    assertThat(actual.status()).isEqualTo(expected.status());
    assertThat(actual.nodes()).isEqualTo(expected.nodes());
    assertThat(actual.edges()).isEqualTo(expected.edges());
  }

  private static List<Envelope<?>> reversed(List<Envelope<?>> events) {
    List<Envelope<?>> r = new ArrayList<>(events);
    java.util.Collections.reverse(r);
    return r;
  }
}
