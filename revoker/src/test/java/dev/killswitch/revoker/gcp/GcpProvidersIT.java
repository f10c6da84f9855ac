package dev.killswitch.revoker.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.iam.v2.Policy;
import dev.killswitch.revoker.ResidualExposure;
import dev.killswitch.revoker.RetryPolicy;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.revoker.TestClock;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.fakes.FakeGoogleIam;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Google Cloud providers with the real {@code IAMClient} and {@code PoliciesClient} (gax over gRPC, on an
 * in-process channel without credentials) against {@link FakeGoogleIam}.
 */
class GcpProvidersIT {

  static final String PROJECT = "acme-prod";
  static final String OTHER_PROJECT = "acme-staging";
  static final String POOL_PROJECT = "123456789012";
  static final String POOL = "projects/" + POOL_PROJECT + "/locations/global/workloadIdentityPools/github";
  static final String SA = "deployer@acme-prod.iam.gserviceaccount.com";

  FakeGoogleIam gcp;
  TestClock clock;
  GcpClients clients;
  Map<String, RevocationProvider> providers;

  @BeforeEach
  void start() {
    gcp = FakeGoogleIam.start();
    gcp.addServiceAccount(PROJECT, SA);
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    wire(c -> c);
  }

  void wire(java.util.function.UnaryOperator<GcpConfig> change) {
    if (clients != null) {
      clients.close();
    }
    GcpConfig config = change.apply(GcpConfig.of(Set.of(PROJECT, OTHER_PROJECT, POOL_PROJECT))
        .withEndpoint("inprocess:" + gcp.serverName()).withCallTimeout(Duration.ofSeconds(2)));
    clients = GcpClients.fromConfig(config);
    providers = new HashMap<>();
    clients.providers(clock).forEach(p -> providers.put(p.actionId(), p));
  }

  @AfterEach
  void stop() {
    clients.close();
    gcp.close();
  }

  static RevocationAction action(String action, String target, Instant expiresAt) {
    String request = "req-" + UUID.randomUUID();
    return new RevocationAction(DeterministicIds.actionId(request, action, target), request, action, target, Map.of(),
        Mode.ENFORCE, "test", "user:test", Instant.now(), expiresAt);
  }

  /** The action as the executor hands it to a lift: rebuilt from the ledger, without parameters. */
  static RevocationAction bare(RevocationAction a) {
    return new RevocationAction(a.actionId(), a.requestId(), a.action(), a.target(), Map.of(), a.mode(), a.reason(),
        a.requestedBy(), null, a.expiresAt());
  }

  static RevocationResult revoked(RevocationAction a, Outcome o) {
    return new RevocationResult(a.actionId(), a.requestId(), a.action(), a.target(),
        RevocationResult.Outcome.REVOKED, o.detail(), 1, Instant.now());
  }

  static List<Outcome> attempts(RevocationProvider provider, RevocationAction action) {
    List<Outcome> outcomes = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      Outcome o = provider.execute(action);
      outcomes.add(o);
      if (!(o instanceof Outcome.RetriableFailure) || !RetryPolicy.DEFAULT.mayRetryAfter(attempt)) {
        return outcomes;
      }
    }
  }

  @Nested
  class DisableSaKey {

    String keyId;
    RevocationAction disable;

    @BeforeEach
    void key() {
      keyId = gcp.addKey(PROJECT, SA);
      disable = action(Actions.GCP_DISABLE_SA_KEY, IdentityRef.gcpServiceAccountKey(PROJECT, SA, keyId).toString(),
          Instant.now().plus(Duration.ofHours(1)));
    }

    @Test
    void disablesTheKeyReportsTheTokensItMintedAndEnablesItAgainOnLift() {
      Outcome o = providers.get(disable.action()).execute(disable);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(gcp.key(SA, keyId).orElseThrow().getDisabled()).isTrue();
      assertThat(ResidualExposure.in(o.detail())).singleElement().satisfies(r -> {
        assertThat(r.credential()).isEqualTo(disable.target());
        assertThat(r.remaining(clock.instant())).isEqualTo(Duration.ofHours(1));
      });
      assertThat(gcp.calls("DisableServiceAccountKey")).singleElement()
          .satisfies(c -> assertThat(c.resource()).isEqualTo("projects/" + PROJECT + "/serviceAccounts/" + SA
              + "/keys/" + keyId));

      assertThat(providers.get(disable.action()).lift(bare(disable), revoked(disable, o))).isInstanceOf(Outcome.Revoked.class);
      assertThat(gcp.key(SA, keyId).orElseThrow().getDisabled()).isFalse();
    }

    @Test
    void aDisabledOrDeletedKeyIsAlreadyRevoked() {
      providers.get(disable.action()).execute(disable);
      assertThat(providers.get(disable.action()).execute(disable)).isInstanceOf(Outcome.AlreadyRevoked.class);

      gcp.state().deleteKey(SA, keyId);
      assertThat(providers.get(disable.action()).execute(disable)).isInstanceOf(Outcome.AlreadyRevoked.class)
          .extracting(Outcome::detail).asString().endsWith("not found");
    }

    @Test
    void notFoundOnTheDisableCallItselfIsAlreadyRevoked() {
      gcp.faults().failNext("DisableServiceAccountKey", "NOT_FOUND", 1);

      assertThat(providers.get(disable.action()).execute(disable)).isInstanceOf(Outcome.AlreadyRevoked.class);
    }

    @Test
    void escalatesToTheServiceAccountWhenConfiguredSoThatMintedTokensAreRejected() {
      wire(c -> c.withEscalateKeyTokens(true));

      Outcome o = providers.get(disable.action()).execute(disable);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).contains("escalated to gcp.disable-service-account: disabled service account " + SA);
      assertThat(ResidualExposure.in(o.detail())).isEmpty();
      assertThat(gcp.serviceAccount(SA).orElseThrow().getDisabled()).isTrue();

      providers.get(disable.action()).lift(bare(disable), revoked(disable, o));
      assertThat(gcp.serviceAccount(SA).orElseThrow().getDisabled()).isFalse();
      assertThat(gcp.key(SA, keyId).orElseThrow().getDisabled()).isFalse();
    }

    @Test
    void unavailableExhaustedAndDeadlineExceededAreRetriedUntilTheKeyIsDisabled() {
      gcp.faults().failNext("GetServiceAccountKey", "UNAVAILABLE", 1)
          .failNext("DisableServiceAccountKey", "RESOURCE_EXHAUSTED", 1)
          .failNext("DisableServiceAccountKey", "DEADLINE_EXCEEDED", 1);

      List<Outcome> outcomes = attempts(providers.get(disable.action()), disable);

      assertThat(outcomes).hasSize(4).last().isInstanceOf(Outcome.Revoked.class);
      assertThat(outcomes.subList(0, 3)).allMatch(o -> o instanceof Outcome.RetriableFailure);
      assertThat(outcomes.get(0).detail()).contains("UNAVAILABLE");
      assertThat(outcomes.get(1).detail()).contains("RESOURCE_EXHAUSTED");
      assertThat(outcomes.get(2).detail()).contains("DEADLINE_EXCEEDED");
    }

    @Test
    void permissionDeniedAndInvalidArgumentFailPermanently() {
      gcp.faults().failNext("DisableServiceAccountKey", "PERMISSION_DENIED", 1)
          .failNext("GetServiceAccountKey", "INVALID_ARGUMENT", 1);

      Outcome invalid = providers.get(disable.action()).execute(disable);
      Outcome denied = providers.get(disable.action()).execute(disable);

      assertThat(invalid).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(invalid.detail()).contains("INVALID_ARGUMENT");
      assertThat(denied).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(denied.detail()).contains("PERMISSION_DENIED");
    }

    @Test
    void aProjectKillswitchMayNotActInFailsPermanently() {
      RevocationAction elsewhere = action(Actions.GCP_DISABLE_SA_KEY,
          IdentityRef.gcpServiceAccountKey("someone-else", "x@someone-else.iam.gserviceaccount.com", "abc").toString(), null);

      assertThat(providers.get(elsewhere.action()).execute(elsewhere)).isInstanceOf(Outcome.PermanentFailure.class)
          .extracting(Outcome::detail).asString().contains("not one Killswitch may act in");
      assertThat(gcp.calls()).isEmpty();
    }
  }

  @Nested
  class DisableServiceAccount {

    RevocationAction disable(String email) {
      return action(Actions.GCP_DISABLE_SERVICE_ACCOUNT, IdentityRef.gcpServiceAccount(PROJECT, email).toString(),
          Instant.now().plus(Duration.ofHours(1)));
    }

    @Test
    void disablesTheAccountAndEnablesItAgainOnLift() {
      RevocationAction a = disable(SA);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).contains("existing access tokens are rejected");
      assertThat(gcp.serviceAccount(SA).orElseThrow().getDisabled()).isTrue();
      assertThat(providers.get(a.action()).lift(bare(a), revoked(a, o))).isInstanceOf(Outcome.Revoked.class);
      assertThat(gcp.serviceAccount(SA).orElseThrow().getDisabled()).isFalse();
    }

    @Test
    void aDisabledOrMissingAccountIsAlreadyRevoked() {
      providers.get(Actions.GCP_DISABLE_SERVICE_ACCOUNT).execute(disable(SA));

      assertThat(providers.get(Actions.GCP_DISABLE_SERVICE_ACCOUNT).execute(disable(SA)))
          .isInstanceOf(Outcome.AlreadyRevoked.class);
      assertThat(providers.get(Actions.GCP_DISABLE_SERVICE_ACCOUNT).execute(
          disable("gone@acme-prod.iam.gserviceaccount.com"))).isInstanceOf(Outcome.AlreadyRevoked.class);
    }

    @Test
    void aGoogleManagedServiceAgentIsSkipped() {
      String agent = "service-123456789012@gcp-sa-cloudbuild.iam.gserviceaccount.com";
      gcp.addServiceAccount(PROJECT, agent);
      RevocationAction a = disable(agent);

      assertThat(providers.get(a.action()).preflight(a)).get().isInstanceOf(Outcome.Skipped.class);
      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.Skipped.class);
      assertThat(gcp.serviceAccount(agent).orElseThrow().getDisabled()).isFalse();
    }

    @Test
    void randomUnavailabilityEndsDisabledThroughRetries() {
      gcp.faults().seed(11).serverErrorRatio(0.2).throttleRatio(0.1).failNext("GetServiceAccount", "UNAVAILABLE", 1);

      List<Outcome> outcomes = attempts(providers.get(Actions.GCP_DISABLE_SERVICE_ACCOUNT), disable(SA));

      gcp.faults().clear();
      assertThat(outcomes).hasSizeGreaterThan(1).last().isInstanceOf(Outcome.Revoked.class);
      assertThat(outcomes.subList(0, outcomes.size() - 1)).allMatch(o -> o instanceof Outcome.RetriableFailure);
    }
  }

  @Nested
  class DenyPrincipal {

    static final String SUBJECT = "repo:acme/app:ref:refs/heads/main";
    static final String PRINCIPAL = "principal://iam.googleapis.com/" + POOL + "/subject/" + SUBJECT;
    static final String POLICY = "policies/cloudresourcemanager.googleapis.com%2Fprojects%2F" + POOL_PROJECT
        + "/denypolicies/" + GcpConfig.DEFAULT_DENY_POLICY_ID;

    RevocationAction deny(String subject, Instant expiresAt) {
      return action(Actions.GCP_DENY_PRINCIPAL, IdentityRef.gcpWifPrincipal(POOL, subject).toString(), expiresAt);
    }

    @Test
    void createsADenyPolicyOnThePoolsProjectNamingThePrincipal() {
      RevocationAction a = deny(SUBJECT, null);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      Policy policy = gcp.denyPolicy(POLICY).orElseThrow();
      assertThat(policy.getRulesList()).singleElement().satisfies(r -> {
        assertThat(r.getDescription()).isEqualTo("killswitch " + a.actionId() + " " + PRINCIPAL);
        assertThat(r.getDenyRule().getDeniedPrincipalsList()).containsExactly(PRINCIPAL);
        assertThat(r.getDenyRule().getDeniedPermissionsList())
            .containsExactlyElementsOf(GcpConfig.DEFAULT_DENIED_PERMISSIONS)
            .contains("iam.googleapis.com/serviceAccounts.getAccessToken");
      });
      assertThat(ResidualExposure.in(o.detail())).singleElement()
          .satisfies(r -> assertThat(r.remaining(clock.instant())).isEqualTo(Duration.ofHours(1)));
    }

    @Test
    void eachActionAddsItsOwnRuleAndARepeatedCallFindsIt() {
      RevocationAction first = deny(SUBJECT, null);
      RevocationAction second = deny("repo:acme/app:ref:refs/heads/release", null);
      providers.get(first.action()).execute(first);
      providers.get(second.action()).execute(second);

      Outcome repeated = providers.get(first.action()).execute(first);

      assertThat(repeated).isInstanceOf(Outcome.Revoked.class);
      assertThat(repeated.detail()).contains("(already there)");
      assertThat(gcp.denyPolicy(POLICY).orElseThrow().getRulesCount()).isEqualTo(2);
    }

    @Test
    void theLiftRemovesOnlyItsRuleAndTheLastLiftDeletesThePolicy() {
      RevocationAction lock = deny(SUBJECT, clock.instant().plus(Duration.ofHours(1)));
      RevocationAction other = deny("repo:acme/other:ref:refs/heads/main", clock.instant().plus(Duration.ofHours(1)));
      Outcome lockOutcome = providers.get(lock.action()).execute(lock);
      Outcome otherOutcome = providers.get(other.action()).execute(other);

      providers.get(lock.action()).lift(bare(lock), revoked(lock, lockOutcome));

      assertThat(gcp.denyPolicy(POLICY).orElseThrow().getRulesList()).singleElement()
          .satisfies(r -> assertThat(r.getDenyRule().getDeniedPrincipalsList().get(0)).endsWith("acme/other:ref:refs/heads/main"));
      assertThat(providers.get(other.action()).lift(bare(other), revoked(other, otherOutcome)).detail())
          .contains("deleted the emptied deny policy");
      assertThat(gcp.denyPolicy(POLICY)).isEmpty();
      assertThat(providers.get(other.action()).lift(bare(other), revoked(other, otherOutcome)).detail())
          .contains("nothing to lift");
    }

    @Test
    void attachesToEveryConfiguredAttachmentPoint() {
      wire(c -> c.withDenyAttachmentPoints(List.of("projects/" + PROJECT, "folders/4242"))
          .withDeniedPermissions(List.of("storage.googleapis.com/objects.get")));
      RevocationAction a = deny(SUBJECT, null);

      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.Revoked.class);

      assertThat(gcp.denyPolicy("policies/cloudresourcemanager.googleapis.com%2Fprojects%2F" + PROJECT
          + "/denypolicies/killswitch-deny-principals")).isPresent();
      assertThat(gcp.denyPolicy("policies/cloudresourcemanager.googleapis.com%2Ffolders%2F4242"
          + "/denypolicies/killswitch-deny-principals").orElseThrow().getRules(0).getDenyRule()
          .getDeniedPermissionsList()).containsExactly("storage.googleapis.com/objects.get");
      assertThat(gcp.denyPolicy(POLICY)).as("not the pool's project when points are configured").isEmpty();
    }

    @Test
    void aConcurrentChangeIsRetriedAndAnInvalidPolicyFailsPermanently() {
      providers.get(Actions.GCP_DENY_PRINCIPAL).execute(deny("repo:acme/first:ref:refs/heads/main", null));
      gcp.faults().failNext("UpdatePolicy", "ABORTED", 1);

      List<Outcome> outcomes = attempts(providers.get(Actions.GCP_DENY_PRINCIPAL), deny(SUBJECT, null));

      assertThat(outcomes).hasSize(2);
      assertThat(outcomes.get(0)).isInstanceOf(Outcome.RetriableFailure.class);
      assertThat(outcomes.get(0).detail()).contains("ABORTED");
      assertThat(outcomes.get(1)).isInstanceOf(Outcome.Revoked.class);

      gcp.faults().failNext("UpdatePolicy", "INVALID_ARGUMENT", 1);
      assertThat(providers.get(Actions.GCP_DENY_PRINCIPAL).execute(deny("repo:acme/x:ref:refs/heads/main", null)))
          .isInstanceOf(Outcome.PermanentFailure.class);
    }
  }

  /** What each action calls (execute, then lift) needs only permissions of its shipped custom role. */
  @Test
  void everyCallOfAnActionIsAllowedByItsCustomRole() throws Exception {
    Map<String, String> permissionOf = Map.of(
        "GetServiceAccountKey", "iam.serviceAccountKeys.get",
        "DisableServiceAccountKey", "iam.serviceAccountKeys.disable",
        "EnableServiceAccountKey", "iam.serviceAccountKeys.enable",
        "GetServiceAccount", "iam.serviceAccounts.get",
        "DisableServiceAccount", "iam.serviceAccounts.disable",
        "EnableServiceAccount", "iam.serviceAccounts.enable",
        "GetPolicy", "iam.denypolicies.get",
        "CreatePolicy", "iam.denypolicies.create",
        "UpdatePolicy", "iam.denypolicies.update",
        "DeletePolicy", "iam.denypolicies.delete");
    String keyId = gcp.addKey(PROJECT, SA);
    Instant lock = clock.instant().plusSeconds(60);
    List<RevocationAction> actions = List.of(
        action(Actions.GCP_DISABLE_SA_KEY, IdentityRef.gcpServiceAccountKey(PROJECT, SA, keyId).toString(), lock),
        action(Actions.GCP_DISABLE_SERVICE_ACCOUNT, IdentityRef.gcpServiceAccount(PROJECT, SA).toString(), lock),
        action(Actions.GCP_DENY_PRINCIPAL, IdentityRef.gcpWifPrincipal(POOL, "repo:acme/app:ref:refs/heads/main")
            .toString(), lock));
    for (RevocationAction a : actions) {
      gcp.clearCalls();
      RevocationProvider p = providers.get(a.action());
      assertThat(p.preflight(a)).isEmpty();
      Outcome o = p.execute(a);
      assertThat(o).as(a.action()).isInstanceOf(Outcome.Revoked.class);
      assertThat(p.lift(bare(a), revoked(a, o))).as(a.action()).isInstanceOf(Outcome.Revoked.class);
      List<String> used = gcp.calls().stream().map(c -> permissionOf.get(c.method())).distinct().toList();
      assertThat(used).doesNotContainNull();
      assertThat(GcpPermissionsDocTest.permissions(a.action())).as(a.action()).containsAll(used);
    }
  }
}
