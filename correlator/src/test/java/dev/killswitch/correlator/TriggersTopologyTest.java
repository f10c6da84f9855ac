package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.result;
import static dev.killswitch.correlator.Events.run;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequest;
import static dev.killswitch.correlator.Events.tokenRequestBy;
import static dev.killswitch.correlator.Events.tokenUse;
import static dev.killswitch.correlator.Events.tokenUseAnswered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each trigger of DESIGN.md on the topology: what fires it, what does not, and that it fires once. */
class TriggersTopologyTest {

  private static final String RUN = run("9001");
  private static final String TOKEN = token("jti-1");
  private static final String SUB = "repo:acme/app:ref:refs/heads/main";
  private static final String GH_RUN = run("12345678");
  private static final String SESSION = CloudEvents.session("ASIAONEEXAMPLE000001");

  @Test
  void aCredentialUsedAfterItsRunCompletedIsRevokedAndAlertedOnceButNotWithinTheTolerance() {
    try (Harness h = Harness.inMemory(c -> c)) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(ciJob("d-1", "9001", "71", "completed", "success", T0.plusSeconds(60)));
      h.send(tokenUse("a-2", "jti-1", "ci", "deployer", "get", "pods", "203.0.113.8", T0.plusSeconds(90)));
      assertThat(h.alerts()).as("30 s after the completion: within the tolerance").isEmpty();

      h.send(tokenUse("a-3", "jti-1", "ci", "deployer", "get", "secrets", "203.0.113.8", T0.plusSeconds(360)));
      h.send(tokenUse("a-4", "jti-1", "ci", "deployer", "list", "secrets", "203.0.113.8", T0.plusSeconds(900)));
      h.send(tokenUse("a-3", "jti-1", "ci", "deployer", "get", "secrets", "203.0.113.8", T0.plusSeconds(360)));

      assertThat(h.requests()).extracting(RevocationRequested::requestedBy, RevocationRequested::target)
          .containsExactly(tuple("trigger:job-completed", RUN), tuple("trigger:reuse-after-completion", TOKEN));
      assertThat(h.requests().get(1).requestId())
          .isEqualTo(DeterministicIds.of("trigger", "reuse-after-completion", RUN, TOKEN));
      assertThat(h.alerts()).singleElement().satisfies(a -> {
        assertThat(a.kind()).isEqualTo("reuse-after-completion");
        assertThat(a.subject()).isEqualTo(TOKEN);
        assertThat(a.evidence()).containsExactly("a-3:ResponseComplete");
        assertThat(a.details()).containsEntry("root", RUN).containsEntry("completedAt", T0.plusSeconds(60).toString());
        assertThat(a.alertId()).isEqualTo(DeterministicIds.of("alert", "reuse-after-completion", RUN, TOKEN));
      });
      assertThat(h.alertEvents()).singleElement().satisfies(e -> {
        assertThat(e.partitionKey()).isEqualTo(TOKEN);
        assertThat(e.id()).isEqualTo(h.alerts().get(0).alertId());
      });
    }
  }

  @Test
  void aSessionUsedInAnotherAccountIsOutsideItsBoundaryAndAlertsWithoutRevokingByDefault() {
    try (Harness h = Harness.inMemory(c -> c)) {
      federatedRunWithCrossAccountCall(h);

      assertThat(h.alerts()).extracting(Alert::kind, Alert::subject).containsExactly(tuple("outside-boundary",
          SESSION));
      assertThat(h.alerts().get(0).details()).containsEntry("boundary", "scope").containsEntry("seen", "444455556666");
      assertThat(h.requests()).isEmpty();
    }
  }

  @Test
  void whenPolicySaysSoOutsideBoundaryAlsoRequestsRevocationAndAccountNamesShowInTheAlert() {
    try (Harness h = Harness.inMemory(c -> c.withBoundary(List.of(), 24, 64, true)
        .withDisplayNames(Map.of("444455556666", "partner-prod"), Map.of()))) {
      federatedRunWithCrossAccountCall(h);

      assertThat(h.requests()).extracting(RevocationRequested::requestedBy, RevocationRequested::target)
          .containsExactly(tuple("trigger:outside-boundary", SESSION));
      assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.summary()).contains("444455556666 (partner-prod)"));
    }
  }

  @Test
  void usesFromTheMintingNetworkOrATrustedNetworkStayInsideTheBoundaryOthersDoNot() {
    try (Harness h = Harness.inMemory(c -> c.withBoundary(List.of("10.0.0.0/8"), 24, 64, false))) {
      h.send(ciJob("d-1", "12345678", "71", "in_progress", null, T0));
      h.send(CloudEvents.githubFederation("ct-1", SUB, "gha-run-12345678", "ASIAONEEXAMPLE000001", "deploy",
          "198.51.100.24", T0.plusSeconds(10)));
      h.send(call("ct-2", "198.51.100.99", T0.plusSeconds(20)));
      h.send(call("ct-3", "10.1.2.3", T0.plusSeconds(30)));
      assertThat(h.alerts()).isEmpty();

      h.send(call("ct-4", "192.0.2.1", T0.plusSeconds(40)));
      h.send(call("ct-5", "192.0.2.2", T0.plusSeconds(50)));
      assertThat(h.alerts()).singleElement().satisfies(a -> {
        assertThat(a.kind()).isEqualTo("outside-boundary");
        assertThat(a.details()).containsEntry("boundary", "network").containsEntry("home", "198.51.100.24")
            .containsEntry("seen", "192.0.2.1");
      });
    }
  }

  @Test
  void aUseSeenBeforeTheMintIsJudgedOnceTheMintIsKnown() {
    try (Harness h = Harness.inMemory(c -> c)) {
      h.send(call("ct-4", "192.0.2.1", T0.plusSeconds(40)));
      h.send(ciJob("d-1", "12345678", "71", "in_progress", null, T0));
      assertThat(h.alerts()).isEmpty();

      h.send(CloudEvents.githubFederation("ct-1", SUB, "gha-run-12345678", "ASIAONEEXAMPLE000001", "deploy",
          "198.51.100.24", T0.plusSeconds(10)));
      assertThat(h.alerts()).extracting(Alert::kind, Alert::subject).containsExactly(tuple("outside-boundary",
          SESSION));
    }
  }

  @Test
  void aBreakGlassGrantIsRevokedOnceWhenItOutlivesItsBound() {
    String breakGlass = IdentityRef.k8sUser(Events.CLUSTER, "breakglass-alice").toString();
    try (Harness h = Harness.inMemory(c -> c.withBreakGlass(List.of(
        new Correlation.BreakGlass("k8s:prod-eu:user/breakglass-*", Duration.ofHours(1), true))))) {
      h.send(tokenRequestBy("a-1", "breakglass-alice", Map.of(), "jti-9", "kube-system", "admin", T0));
      h.advanceWallClock(Duration.ofMinutes(59));
      assertThat(h.requests()).isEmpty();

      h.advanceWallClock(Duration.ofMinutes(2));
      h.advanceWallClock(Duration.ofHours(1));
      assertThat(h.requests()).singleElement().satisfies(r -> {
        assertThat(r.requestedBy()).isEqualTo("trigger:break-glass-expired");
        assertThat(r.target()).isEqualTo(breakGlass);
        assertThat(r.override()).isTrue();
        assertThat(r.cascade()).isEqualTo(RevocationRequested.Cascade.DOWNSTREAM);
      });
      assertThat(h.alerts()).extracting(Alert::kind).containsExactly("break-glass-expired");
      assertThat(h.latestSnapshots().get(DeterministicIds.chainId(breakGlass)).nodes())
          .extracting(n -> n.ref()).contains(token("jti-9"));
    }
  }

  @Test
  void aBreakGlassActivityPastItsBoundFiresWithoutWaitingForTheClock() {
    try (Harness h = Harness.inMemory(c -> c.withBreakGlass(List.of(
        new Correlation.BreakGlass("k8s:prod-eu:user/breakglass-*", Duration.ofHours(1), false))))) {
      h.send(tokenRequestBy("a-1", "breakglass-alice", Map.of(), "jti-9", "kube-system", "admin", T0));
      h.send(tokenUse("a-2", "jti-9", "kube-system", "admin", "delete", "secrets", "203.0.113.7",
          T0.plus(Duration.ofHours(2))));

      assertThat(h.requests()).singleElement().satisfies(r -> {
        assertThat(r.requestedBy()).isEqualTo("trigger:break-glass-expired");
        assertThat(r.override()).isFalse();
      });
      assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.evidence())
          .containsExactly("a-2:ResponseComplete"));
    }
  }

  @Test
  void aCredentialSucceedingAfterTheLedgerSaysRevokedRaisesOneCriticalAlert() {
    try (Harness h = Harness.inMemory(c -> c)) {
      h.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0));
      h.send(result("act-1", "req-1", "k8s.deny-token", TOKEN, Outcome.REVOKED, T0.plusSeconds(100)));
      h.send(tokenUseAnswered("a-2", "jti-1", "ci", "deployer", "203.0.113.7", 403, T0.plusSeconds(200)));
      h.send(tokenUseAnswered("a-3", "jti-1", "ci", "deployer", "203.0.113.7", 200, T0.plusSeconds(130)));
      assertThat(h.alerts()).as("denied, or within the propagation allowance").isEmpty();

      h.send(tokenUseAnswered("a-4", "jti-1", "ci", "deployer", "203.0.113.7", 200, T0.plusSeconds(300)));
      h.send(tokenUseAnswered("a-5", "jti-1", "ci", "deployer", "203.0.113.7", 200, T0.plusSeconds(400)));

      assertThat(h.alerts()).singleElement().satisfies(a -> {
        assertThat(a.kind()).isEqualTo("revocation-ineffective");
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.subject()).isEqualTo(TOKEN);
        assertThat(a.details()).containsEntry("actionId", "act-1")
            .containsEntry("succeededAt", T0.plusSeconds(300).toString());
      });
      assertThat(h.requests()).isEmpty();
    }
  }

  @Test
  void aCredentialLinkedByAWindowMatchAlertsWithMediumSeverityAndSaysHowSure() {
    var s = dev.killswitch.testkit.scenarios.Scenarios.githubIrsa();
    try (Harness h = Harness.inMemory(ScenarioChainsTest::settings)) {
      h.sendAll(s.events());
      h.send(CloudEvents.call("ct-77", dev.killswitch.testkit.scenarios.GithubIrsa.SESSION_KEY,
          dev.killswitch.testkit.scenarios.GithubIrsa.ROLE, "GetObject", CloudEvents.ACCOUNT, "192.0.2.1", null,
          T0.plusSeconds(100)));

      assertThat(h.alerts()).singleElement().satisfies(a -> {
        assertThat(a.kind()).isEqualTo("outside-boundary");
        assertThat(a.subject()).isEqualTo(s.ref("session"));
        assertThat(a.severity()).isEqualTo("medium");
      });
    }
  }

  private void federatedRunWithCrossAccountCall(Harness h) {
    h.send(ciJob("d-1", "12345678", "71", "in_progress", null, T0));
    h.send(CloudEvents.githubFederation("ct-1", SUB, "gha-run-12345678", "ASIAONEEXAMPLE000001", "deploy",
        "198.51.100.24", T0.plusSeconds(10)));
    h.send(CloudEvents.call("ct-2", "ASIAONEEXAMPLE000001", "deploy", "GetObject", "444455556666",
        "198.51.100.24", null, T0.plusSeconds(20)));
    h.send(CloudEvents.call("ct-3", "ASIAONEEXAMPLE000001", "deploy", "PutObject", "444455556666",
        "198.51.100.24", null, T0.plusSeconds(25)));
    assertThat(h.latestSnapshots().get(DeterministicIds.chainId(GH_RUN)).nodes()).extracting(n -> n.ref())
        .contains(SESSION);
  }

  private static dev.killswitch.schemas.Envelope<?> call(String id, String ip, java.time.Instant at) {
    return CloudEvents.call(id, "ASIAONEEXAMPLE000001", "deploy", "GetObject", CloudEvents.ACCOUNT, ip, null, at);
  }
}
