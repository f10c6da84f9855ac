package dev.killswitch.revoker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.plan.ChainGraph.Edge;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String RUN = IdentityRef.githubRun("acme/app", "9001").toString();
  static final String USER = IdentityRef.k8sUser("prod", "ci:acme/app").toString();
  static final String TOKEN = IdentityRef.k8sToken("prod", "7c2b9e1f-4f7e-4a8e-9a31-3d1f0c6b2a10").toString();
  static final String SA = IdentityRef.k8sServiceAccount("prod", "ci", "deployer").toString();
  static final String SESSION = IdentityRef.awsSession("123456789012", "ASIAEXAMPLE1").toString();

  static RevocationRequested request(String target, Cascade cascade, Mode mode, boolean override) {
    return new RevocationRequested("req-1", target, cascade, "job completed", "trigger:job-completed", mode,
        NOW.minusSeconds(5), null, override);
  }

  static ChainGraph runChain() {
    return ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"),
        new Edge(USER, TOKEN, "minted"),
        new Edge(TOKEN, SA, "credential-of")));
  }

  @Test
  void revokesTheTokenARunMintedThroughItsUserWhenTheRunIsTheTarget() {
    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.DRY_RUN, false), runChain(),
        Guardrails.defaults(), NOW);

    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.actions()).containsExactly(new RevocationAction(
        DeterministicIds.actionId("req-1", "k8s.deny-token", TOKEN), "req-1", "k8s.deny-token", TOKEN,
        Map.of("depth", "2", "via", USER), Mode.DRY_RUN, "job completed", "trigger:job-completed", NOW, null));
  }

  @Test
  void mapsEachCredentialKindToItsActionAndExpandsPrincipalsWithoutActingOnThem() {
    String secretToken = IdentityRef.k8sSecretToken("prod", "ci", "deployer-token").toString();
    String accessKey = IdentityRef.awsAccessKey("123456789012", "AKIAEXAMPLE1").toString();
    String role = IdentityRef.awsRole("123456789012", "deployer").toString();
    String saKey = IdentityRef.gcpServiceAccountKey("proj", "ci@proj.iam.gserviceaccount.com", "k1").toString();
    String wif = IdentityRef.gcpWifPrincipal(
        "projects/1/locations/global/workloadIdentityPools/ci", "repo:acme/app:ref:refs/heads/main").toString();
    String pod = IdentityRef.k8sPod("prod", "ci", "runner").toString();
    ChainGraph graph = ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"),
        new Edge(USER, TOKEN, "minted"),
        new Edge(USER, secretToken, "minted"),
        new Edge(USER, pod, "minted"),
        new Edge(TOKEN, SA, "credential-of"),
        new Edge(SA, role, "assumed"),
        new Edge(role, SESSION, "assumed"),
        new Edge(RUN, accessKey, "minted"),
        new Edge(RUN, wif, "authenticated-as"),
        new Edge(wif, saKey, "impersonated")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).extracting(RevocationAction::action, RevocationAction::target).containsExactly(
        org.assertj.core.groups.Tuple.tuple("aws.deactivate-access-key", accessKey),
        org.assertj.core.groups.Tuple.tuple("gcp.deny-principal", wif),
        org.assertj.core.groups.Tuple.tuple("gcp.disable-sa-key", saKey),
        org.assertj.core.groups.Tuple.tuple("k8s.delete-secret-token", secretToken),
        org.assertj.core.groups.Tuple.tuple("k8s.deny-token", TOKEN),
        org.assertj.core.groups.Tuple.tuple("aws.deny-session", SESSION));
  }

  @Test
  void actsOnlyOnTheTargetWhenCascadeIsNone() {
    Plan run = Planner.plan(request(RUN, Cascade.NONE, Mode.ENFORCE, false), runChain(), Guardrails.defaults(), NOW);
    Plan token = Planner.plan(request(TOKEN, Cascade.NONE, Mode.ENFORCE, false), runChain(), Guardrails.defaults(), NOW);

    assertThat(run.actions()).isEmpty();
    assertThat(run.skipped()).isEmpty();
    assertThat(token.actions()).extracting(RevocationAction::target).containsExactly(TOKEN);
    assertThat(token.actions().get(0).params()).containsExactly(Map.entry("depth", "0"));
  }

  @Test
  void revokesATargetNoChainKnowsAsItself() {
    Plan plan = Planner.plan(request(SESSION, Cascade.DOWNSTREAM, Mode.ENFORCE, false), ChainGraph.empty(),
        Guardrails.defaults(), NOW);

    assertThat(plan.actions()).extracting(RevocationAction::action).containsExactly("aws.deny-session");
  }

  @Test
  void doesNotCascadeAlongUsedEdges() {
    String other = IdentityRef.k8sToken("prod", "someone-elses").toString();
    ChainGraph graph = ChainGraph.of(List.of(new Edge(RUN, USER, "authenticated-as"), new Edge(USER, other, "used")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).isEmpty();
  }

  @Test
  void skipsATokenOfAKubeSystemServiceAccountWithTheReasonUnlessOverridden() {
    String controllerSa = IdentityRef.k8sServiceAccount("prod", "kube-system", "replicaset-controller").toString();
    ChainGraph graph = ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"), new Edge(USER, TOKEN, "minted"),
        new Edge(TOKEN, controllerSa, "credential-of")));

    Plan guarded = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);
    Plan overridden = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, true), graph, Guardrails.defaults(), NOW);

    assertThat(guarded.actions()).isEmpty();
    assertThat(guarded.skipped()).singleElement().satisfies(s -> {
      assertThat(s.target()).isEqualTo(TOKEN);
      assertThat(s.actionId()).isEqualTo(DeterministicIds.actionId("req-1", "k8s.deny-token", TOKEN));
      assertThat(s.reason()).contains("protected identity (" + controllerSa + ")", "k8s:*:sa/kube-system/*", "override");
    });
    assertThat(overridden.skipped()).isEmpty();
    assertThat(overridden.actions()).singleElement()
        .satisfies(a -> assertThat(a.params()).containsEntry("override", "true"));
  }

  @Test
  void protectsConfiguredIdentitiesSuchAsABreakGlassRoleSession() {
    Guardrails guardrails = Guardrails.withDefaults(List.of("aws:*:session/ASIABREAKGLASS*"), 500);
    String breakGlass = IdentityRef.awsSession("123456789012", "ASIABREAKGLASS1").toString();

    Plan plan = Planner.plan(request(breakGlass, Cascade.NONE, Mode.ENFORCE, false), ChainGraph.empty(), guardrails, NOW);

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.skipped()).singleElement().satisfies(s ->
        assertThat(s.reason()).startsWith("protected identity matches aws:*:session/ASIABREAKGLASS*"));
  }

  @Test
  void capsTheActionsOfOneRequestAtTheBudgetAndSkipsTheRestNearestFirst() {
    List<Edge> edges = new ArrayList<>();
    edges.add(new Edge(RUN, USER, "authenticated-as"));
    for (int i = 0; i < 5; i++) {
      edges.add(new Edge(USER, IdentityRef.k8sToken("prod", "jti-" + i).toString(), "minted"));
    }
    edges.add(new Edge(RUN, IdentityRef.awsAccessKey("123456789012", "AKIAZZZ").toString(), "minted"));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), ChainGraph.of(edges),
        new Guardrails(Guardrails.DEFAULT_PROTECTED, 3), NOW);

    assertThat(plan.actions()).extracting(RevocationAction::target).containsExactly(
        "aws:123456789012:access-key/AKIAZZZ", "k8s:prod:token/jti-0", "k8s:prod:token/jti-1");
    assertThat(plan.skipped()).extracting(Plan.Skip::target)
        .containsExactly("k8s:prod:token/jti-2", "k8s:prod:token/jti-3", "k8s:prod:token/jti-4");
    assertThat(plan.skipped()).allSatisfy(s ->
        assertThat(s.reason()).isEqualTo("blast-radius budget: at most 3 actions per request"));
  }

  @Test
  void skipsABindingWhoseSubjectIsNotInTheChain() {
    String binding = IdentityRef.k8sBinding("prod", "ci", "deployer-edit").toString();

    Plan plan = Planner.plan(request(binding, Cascade.NONE, Mode.ENFORCE, false), ChainGraph.empty(),
        Guardrails.defaults(), NOW);

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.skipped()).singleElement().satisfies(s -> assertThat(s.action()).isEqualTo("k8s.remove-binding-subject"));
  }

  @Test
  void plansARequestWithoutModeAsDryRun() {
    Plan plan = Planner.plan(request(TOKEN, Cascade.NONE, null, false), ChainGraph.empty(), Guardrails.defaults(), NOW);

    assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.mode()).isEqualTo(Mode.DRY_RUN));
  }

  @Test
  void rejectsATargetThatIsNotAnIdentityReference() {
    assertThatThrownBy(() -> Planner.plan(request("prod/token/abc", Cascade.NONE, Mode.ENFORCE, false),
        ChainGraph.empty(), Guardrails.defaults(), NOW))
        .isInstanceOf(InvalidIdentityRefException.class)
        .hasMessageContaining("prod/token/abc");
  }

  @Test
  void aPrincipalThatIsTheTargetItselfGetsItsBroadActionAndAPodIsDeleted() {
    String role = IdentityRef.awsRole("123456789012", "deployer").toString();
    String gcpSa = IdentityRef.gcpServiceAccount("proj", "ci@proj.iam.gserviceaccount.com").toString();
    String pod = IdentityRef.k8sPod("prod", "ci", "runner").toString();

    assertThat(Planner.plan(request(SA, Cascade.NONE, Mode.ENFORCE, false), runChain(), Guardrails.defaults(), NOW)
        .actions()).extracting(RevocationAction::action).containsExactly("k8s.rotate-service-account");
    assertThat(Planner.plan(request(role, Cascade.NONE, Mode.ENFORCE, false), ChainGraph.empty(),
        Guardrails.defaults(), NOW).actions()).extracting(RevocationAction::action)
        .containsExactly("aws.revoke-role-sessions");
    assertThat(Planner.plan(request(gcpSa, Cascade.NONE, Mode.ENFORCE, false), ChainGraph.empty(),
        Guardrails.defaults(), NOW).actions()).extracting(RevocationAction::action)
        .containsExactly("gcp.disable-service-account");
    assertThat(Planner.plan(request(pod, Cascade.NONE, Mode.ENFORCE, false), ChainGraph.empty(),
        Guardrails.defaults(), NOW).actions()).extracting(RevocationAction::action)
        .containsExactly("k8s.delete-bound-object");
    // reached downstream, a service account is still only expanded
    assertThat(Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), runChain(), Guardrails.defaults(),
        NOW).actions()).extracting(RevocationAction::action).containsExactly("k8s.deny-token");
  }

  @Test
  void aTemporaryLockPlansOnlyActionsThatCanBeLifted() {
    String secretToken = IdentityRef.k8sSecretToken("prod", "ci", "deployer-token").toString();
    ChainGraph graph = ChainGraph.of(List.of(new Edge(RUN, TOKEN, "minted"), new Edge(RUN, secretToken, "minted")));
    RevocationRequested lock = new RevocationRequested("req-1", RUN, Cascade.DOWNSTREAM, "incident", "user:x",
        Mode.ENFORCE, NOW, NOW.plusSeconds(3600), false);

    Plan plan = Planner.plan(lock, graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).extracting(RevocationAction::target).containsExactly(TOKEN);
    assertThat(plan.actions().get(0).expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    assertThat(plan.skipped()).singleElement().satisfies(s -> {
      assertThat(s.target()).isEqualTo(secretToken);
      assertThat(s.reason()).startsWith("not reversible");
    });
  }

  @Test
  void actionsBeyondWhatIsLeftOfTheMinuteBudgetAreSkippedWithTheReason() {
    List<Edge> edges = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      edges.add(new Edge(RUN, IdentityRef.k8sToken("prod", "jti-" + i).toString(), "minted"));
    }

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), ChainGraph.of(edges),
        Guardrails.defaults(), NOW, 3);

    assertThat(plan.actions()).hasSize(3);
    assertThat(plan.skipped()).singleElement().satisfies(s -> {
      assertThat(s.target()).isEqualTo(IdentityRef.k8sToken("prod", "jti-3").toString());
      assertThat(s.reason()).isEqualTo("blast-radius budget: the per-minute budget of this planner is spent");
    });
  }

  static final String BINDING = IdentityRef.k8sBinding("prod", "ci", "deployer-edit").toString();

  @Test
  void aBindingTheRunsUserCreatedLosesItsSubjectsButNotTheUserWhoCreatedIt() {
    // The correlator's model: actor -minted-> binding -credential-of-> each subject (docs/correlation.md).
    ChainGraph graph = ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"),
        new Edge(USER, BINDING, "minted"),
        new Edge(BINDING, SA, "credential-of")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).singleElement().satisfies(a -> {
      assertThat(a.action()).isEqualTo("k8s.remove-binding-subject");
      assertThat(a.target()).isEqualTo(BINDING);
      assertThat(a.params()).containsEntry("subjects", SA).containsEntry("via", USER);
    });
  }

  @Test
  void aCreatorWhoIsProtectedDoesNotProtectTheBindingOnlyAProtectedSubjectDoes() {
    String admin = IdentityRef.k8sUser("prod", "system:admin").toString();
    ChainGraph created = ChainGraph.of(List.of(new Edge(admin, BINDING, "minted"), new Edge(BINDING, SA, "credential-of")));
    Guardrails guardrails = Guardrails.withDefaults(List.of(admin), 100);

    Plan plan = Planner.plan(request(BINDING, Cascade.NONE, Mode.ENFORCE, false), created, guardrails, NOW);

    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.actions()).singleElement().satisfies(a -> assertThat(a.params()).containsEntry("subjects", SA));
    ChainGraph granted = ChainGraph.of(List.of(new Edge(BINDING, admin, "credential-of")));
    assertThat(Planner.plan(request(BINDING, Cascade.NONE, Mode.ENFORCE, false), granted, guardrails, NOW).skipped())
        .singleElement().satisfies(s -> assertThat(s.reason()).contains("protected identity (" + admin + ")"));
  }

  @Test
  void onlyTheBindingsSubjectsCountNotWhoeverElseChangedIt() {
    String other = IdentityRef.k8sUser("prod", "someone-else").toString();
    ChainGraph graph = ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"),
        new Edge(USER, BINDING, "minted"),
        new Edge(other, BINDING, "minted"),
        new Edge(BINDING, USER, "credential-of"),
        new Edge(BINDING, SA, "credential-of")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).singleElement()
        .satisfies(a -> assertThat(a.params()).containsEntry("subjects", SA + "," + USER));
  }

  @Test
  void aBindingTargetedItselfLosesEverySubjectItGrants() {
    String other = IdentityRef.k8sServiceAccount("prod", "ci", "other-team").toString();
    ChainGraph graph = ChainGraph.of(List.of(new Edge(RUN, BINDING, "minted"), new Edge(BINDING, USER, "credential-of"),
        new Edge(BINDING, other, "credential-of")));

    Plan plan = Planner.plan(request(BINDING, Cascade.NONE, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).singleElement()
        .satisfies(a -> assertThat(a.params()).containsEntry("subjects", other + "," + USER));
  }

  @Test
  void aBindingWithoutASubjectInTheChainIsSkippedWithTheReason() {
    ChainGraph graph = ChainGraph.of(List.of(new Edge(RUN, USER, "authenticated-as"), new Edge(USER, BINDING, "minted")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.skipped()).singleElement().satisfies(s -> assertThat(s.reason())
        .isEqualTo("no service account or user of the chain is a subject of the binding (binding -credential-of-> "
            + "subject), nothing to remove"));
  }

  @Test
  void anAwsSessionIsDeniedWithItsRoleSessionNameSourceIdentityAndExpiryFromTheChain() {
    String role = IdentityRef.awsRole("123456789012", "deployer").toString();
    ChainGraph graph = ChainGraph.of(List.of(
        new Edge(RUN, USER, "authenticated-as"), new Edge(USER, TOKEN, "minted"),
        new Edge(TOKEN, SESSION, "assumed"), new Edge(SESSION, role, "credential-of")),
        Map.of(SESSION, Map.of("roleArn", "arn:aws:iam::123456789012:role/ci/deployer", "roleId",
            "AROAEXAMPLEDEPLOYER01", "sessionName", "botocore-session-1", "sourceIdentity", "run-9001",
            "expiresAt", "2026-03-01T13:00:00Z", "unrelated", "x")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).filteredOn(a -> a.action().equals("aws.deny-session")).singleElement()
        .satisfies(a -> assertThat(a.params()).containsExactlyInAnyOrderEntriesOf(Map.of(
            Planner.PARAM_PRINCIPAL, role,
            Planner.PARAM_ROLE, "arn:aws:iam::123456789012:role/ci/deployer",
            Planner.PARAM_ROLE_ID, "AROAEXAMPLEDEPLOYER01",
            Planner.PARAM_SESSION_NAME, "botocore-session-1",
            Planner.PARAM_SOURCE_IDENTITY, "run-9001",
            Planner.PARAM_SESSION_EXPIRES_AT, "2026-03-01T13:00:00Z",
            Planner.PARAM_DEPTH, "3",
            Planner.PARAM_VIA, TOKEN)));
  }

  @Test
  void aSessionTheChainSaysNothingAboutGetsOnlyItsPrincipalAndAnAccessKeyNeverSessionParams() {
    String role = IdentityRef.awsRole("123456789012", "deployer").toString();
    String key = IdentityRef.awsAccessKey("123456789012", "AKIAEXAMPLE1").toString();
    ChainGraph graph = ChainGraph.of(List.of(new Edge(RUN, SESSION, "assumed"), new Edge(SESSION, role, "credential-of"),
        new Edge(RUN, key, "minted")), Map.of(key, Map.of("sessionName", "not-a-session")));

    Plan plan = Planner.plan(request(RUN, Cascade.DOWNSTREAM, Mode.ENFORCE, false), graph, Guardrails.defaults(), NOW);

    assertThat(plan.actions()).filteredOn(a -> a.action().equals("aws.deny-session")).singleElement()
        .satisfies(a -> assertThat(a.params()).containsOnlyKeys(Planner.PARAM_PRINCIPAL, Planner.PARAM_DEPTH,
            Planner.PARAM_VIA));
    assertThat(plan.actions()).filteredOn(a -> a.target().equals(key)).singleElement()
        .satisfies(a -> assertThat(a.params()).doesNotContainKey(Planner.PARAM_SESSION_NAME));
  }
}
