package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.killswitch.correlator.internal.query.Views;
import dev.killswitch.correlator.internal.streams.StoreKeys;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.scenarios.GithubIrsa;
import dev.killswitch.testkit.scenarios.Scenario;
import dev.killswitch.testkit.scenarios.Scenarios;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each scenario of the testkit library, in source order, resolves to its multi-hop chain. */
class ScenarioChainsTest {

  /** The settings every scenario needs: the IRSA cluster's issuer. */
  static CorrelatorConfig settings(CorrelatorConfig c) {
    return c.withClusters(Map.of("https://" + GithubIrsa.ISSUER, GithubIrsa.CLUSTER));
  }

  @Test
  void aGithubRunsIrsaSessionJoinsItsTokenBySubjectIssuerAndWindowAndItsCallsFollow() {
    Scenario s = Scenarios.githubIrsa();
    try (Harness h = new Harness(ScenarioChainsTest::settings)) {
      h.sendAll(s.events());

      ChainSnapshot chain = chainOf(h, s);
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
          ChainSnapshot.Edge::to, ChainSnapshot.Edge::confidence).containsExactlyInAnyOrder(
          tuple(s.ref("run"), "authenticated-as", s.ref("user"), 1.0),
          tuple(s.ref("user"), "minted", s.ref("token"), 1.0),
          tuple(s.ref("token"), "credential-of", s.ref("serviceAccount"), 1.0),
          tuple(s.ref("token"), "assumed", s.ref("session"), 0.7),
          tuple(s.ref("session"), "credential-of", s.ref("role"), 1.0),
          tuple(s.ref("session"), "used", s.ref("role"), 1.0));
      assertThat(chain.edges()).filteredOn(e -> e.kind().equals("used")).singleElement().satisfies(e -> {
        assertThat(e.count()).isEqualTo(2);
        assertThat(e.verbs()).containsExactly("GetObject", "GetSecretValue");
        assertThat(e.resources()).containsExactly("arn:aws:s3:::acme-payments-exports/2025/06/01/settlement.csv",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments/db-AbCdEf");
      });
      Views.ChainView view = h.answers().chain(chain.chainId()).orElseThrow();
      assertThat(view.edges()).filteredOn(e -> e.kind().equals("assumed")).singleElement()
          .satisfies(e -> assertThat(e.basis()).containsExactly("window:service-account-subject+issuer"));
      assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref).contains(s.ref("job"));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(s.ref("run"));
      assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(s.ref("session")))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("requested");
    }
  }

  @Test
  void anIrsaSessionNodeCarriesWhatPinsDownThatOneSessionWhicheverRecordArrivesFirst() {
    Scenario s = Scenarios.githubIrsa();
    Map<String, String> expected = Map.of(
        ChainSnapshot.Node.ROLE_ARN, "arn:aws:iam::" + GithubIrsa.ACCOUNT + ":role/" + GithubIrsa.ROLE,
        ChainSnapshot.Node.ROLE_ID, GithubIrsa.ROLE_ID,
        ChainSnapshot.Node.SESSION_NAME, GithubIrsa.SESSION_NAME,
        ChainSnapshot.Node.EXPIRES_AT, Scenarios.T0.plusSeconds(45 + 3600).toString());
    for (List<Envelope<?>> order : List.of(s.events(), reversed(s.events()))) {
      try (Harness h = new Harness(ScenarioChainsTest::settings)) {
        h.sendAll(order);

        ChainSnapshot chain = chainOf(h, s);
        assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(s.ref("session"))).singleElement()
            .satisfies(n -> assertThat(n.attributes()).isEqualTo(expected));
        assertThat(chain.nodes()).filteredOn(n -> !n.ref().equals(s.ref("session")))
            .allSatisfy(n -> assertThat(n.attributes()).as(n.ref()).isNull());
        // Kept once, in the session's own row: the role, shared by every session of it, holds no copy.
        assertThat(h.stores().edges(s.ref("session"), StoreKeys.OUT)).filteredOn(e -> e.kind().equals("credential-of"))
            .singleElement().satisfies(e -> assertThat(e.fromAttributes()).isEqualTo(expected));
        assertThat(h.stores().edges(s.ref("role"), StoreKeys.IN))
            .isNotEmpty().allSatisfy(e -> assertThat(e.fromAttributes()).isEmpty());
      }
    }
  }

  private static <T> List<T> reversed(List<T> in) {
    List<T> out = new ArrayList<>(in);
    Collections.reverse(out);
    return out;
  }

  @Test
  void withoutTheIssuerOfItsClusterAnIrsaSessionStaysOutOfTheChain() {
    Scenario s = Scenarios.githubIrsa();
    try (Harness h = new Harness()) {
      h.sendAll(s.events());

      assertThat(chainOf(h, s).nodes()).extracting(ChainSnapshot.Node::ref).contains(s.ref("token"))
          .doesNotContain(s.ref("session"));
    }
  }

  @Test
  void aGitlabJobsRoleBindingIsMintedByItsUserForEachSubject() {
    Scenario s = Scenarios.gitlabRoleBinding();
    try (Harness h = new Harness()) {
      h.sendAll(s.events());

      ChainSnapshot chain = chainOf(h, s);
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
          ChainSnapshot.Edge::to).containsExactlyInAnyOrder(
          tuple(s.ref("run"), "authenticated-as", s.ref("user")),
          tuple(s.ref("user"), "minted", s.ref("binding")),
          tuple(s.ref("binding"), "credential-of", s.ref("user")),
          tuple(s.ref("binding"), "credential-of", s.ref("serviceAccount")));
      assertThat(chain.status()).isEqualTo("completed");
      assertThat(h.requests()).singleElement().satisfies(r -> {
        assertThat(r.target()).isEqualTo(s.ref("run"));
        assertThat(r.requestedBy()).isEqualTo("trigger:job-completed");
      });
      assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(s.ref("binding")))
          .extracting(ChainSnapshot.Node::revocation).containsExactly("requested");
    }
  }

  @Test
  void aGithubRunsGcpFederationJoinsTheRunBySubjectAndWindowAndCarriesTheDelegatedCalls() {
    Scenario s = Scenarios.githubGcp();
    try (Harness h = new Harness()) {
      h.sendAll(s.events());

      ChainSnapshot chain = chainOf(h, s);
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
          ChainSnapshot.Edge::to, ChainSnapshot.Edge::confidence).containsExactlyInAnyOrder(
          tuple(s.ref("run"), "authenticated-as", s.ref("subject"), 0.7),
          tuple(s.ref("subject"), "authenticated-as", s.ref("principal"), 0.7),
          tuple(s.ref("principal"), "impersonated", s.ref("serviceAccount"), 0.7),
          tuple(s.ref("principal"), "used", s.ref("serviceAccount"), 0.7));
      assertThat(chain.edges()).filteredOn(e -> e.kind().equals("used")).singleElement().satisfies(e -> {
        assertThat(e.count()).isEqualTo(2);
        assertThat(e.verbs()).containsExactly("google.cloud.bigquery.v2.JobService.InsertJob", "storage.objects.get");
      });
      Views.ChainView view = h.answers().chain(chain.chainId()).orElseThrow();
      assertThat(view.edges()).allSatisfy(e -> assertThat(e.basis()).contains("window:oidc-subject"));
      assertThat(h.requests()).extracting(RevocationRequested::target).containsExactly(s.ref("run"));
    }
  }

  @Test
  void anEksPodIdentitySessionJoinsThePodItsTagsNameExactly() {
    Scenario s = Scenarios.eksPodIdentity();
    try (Harness h = new Harness()) {
      h.sendAll(s.events());

      ChainSnapshot chain = chainOf(h, s);
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
          ChainSnapshot.Edge::to, ChainSnapshot.Edge::confidence).containsExactlyInAnyOrder(
          tuple(s.ref("run"), "authenticated-as", s.ref("user"), 1.0),
          tuple(s.ref("user"), "minted", s.ref("pod"), 1.0),
          tuple(s.ref("pod"), "assumed", s.ref("session"), 1.0),
          tuple(s.ref("session"), "credential-of", s.ref("role"), 1.0),
          tuple(s.ref("session"), "used", s.ref("role"), 1.0));
      Views.IdentityView sa = h.answers().identity(IdentityRef.parse(s.ref("serviceAccount"))).orElseThrow();
      assertThat(sa.outbound()).extracting(Views.EdgeView::kind, Views.EdgeView::to)
          .containsExactly(tuple("assumed", s.ref("session")));
    }
  }

  @Test
  void aLegacyTokenReadByTheRunAndReusedAfterItFromAnotherNetworkFiresReuseAndOutsideBoundary() {
    Scenario s = Scenarios.legacySecretToken();
    try (Harness h = new Harness()) {
      h.sendAll(s.events());

      ChainSnapshot chain = chainOf(h, s);
      assertThat(chain.edges()).extracting(ChainSnapshot.Edge::from, ChainSnapshot.Edge::kind,
          ChainSnapshot.Edge::to).containsExactlyInAnyOrder(
          tuple(s.ref("run"), "authenticated-as", s.ref("user")),
          tuple(s.ref("user"), "minted", s.ref("secretToken")),
          tuple(s.ref("secretToken"), "credential-of", s.ref("serviceAccount")),
          tuple(s.ref("secretToken"), "used", s.ref("serviceAccount")));
      String token = s.ref("secretToken");
      assertThat(h.requests()).extracting(RevocationRequested::requestedBy, RevocationRequested::target)
          .containsExactly(tuple("trigger:job-completed", s.ref("run")),
              tuple("trigger:reuse-after-completion", token));
      assertThat(h.requests().get(1).requestId())
          .isEqualTo(DeterministicIds.of("trigger", "reuse-after-completion", s.ref("run"), token));
      assertThat(h.alerts()).extracting(Alert::kind, Alert::subject, Alert::severity).containsExactlyInAnyOrder(
          tuple("reuse-after-completion", token, "high"), tuple("outside-boundary", token, "high"));
      assertThat(h.alerts()).filteredOn(a -> a.kind().equals("outside-boundary")).singleElement()
          .satisfies(a -> assertThat(a.details()).containsEntry("seen", "198.51.100.77")
              .containsEntry("home", "203.0.113.50"));
    }
  }

  /** The latest snapshot of the scenario's run's chain. */
  static ChainSnapshot chainOf(Harness h, Scenario s) {
    ChainSnapshot chain = h.latestSnapshots().get(DeterministicIds.chainId(s.ref("run")));
    assertThat(chain).as("chain of " + s.ref("run")).isNotNull();
    return chain;
  }

  static List<String> refs(ChainSnapshot chain) {
    return chain.nodes().stream().map(ChainSnapshot.Node::ref).toList();
  }
}
