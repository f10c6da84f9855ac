package dev.killswitch.revoker.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.revoker.ResidualExposure;
import dev.killswitch.revoker.RetryPolicy;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.revoker.TestClock;
import dev.killswitch.revoker.aws.AwsConfig.AccountAccess;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.fakes.AwsIamState.Role;
import dev.killswitch.testkit.fakes.FakeAwsIam;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The AWS providers with the real SDK (IAM and STS clients on the URL-connection HTTP client) against
 * {@link FakeAwsIam}: the workload account is reached by assuming its Killswitch role with an external id, as in
 * production; the home account directly.
 */
class AwsProvidersIT {

  static final String HOME = FakeAwsIam.DEFAULT_HOME_ACCOUNT;
  static final String WORKLOAD = "222222222222";
  static final String EXTERNAL_ID = "killswitch-ext-7f3a";

  FakeAwsIam iam;
  TestClock clock;
  AwsAccounts accounts;
  Map<String, RevocationProvider> providers;

  @BeforeEach
  void start() {
    iam = FakeAwsIam.start();
    iam.addRole(WORKLOAD, "killswitch-revoker", "/");
    iam.requireExternalId(WORKLOAD, "killswitch-revoker", EXTERNAL_ID);
    clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    wire(false);
  }

  void wire(boolean escalate) {
    if (accounts != null) {
      accounts.close();
    }
    AwsConfig config = AwsConfig.of(Map.of(
            WORKLOAD, AccountAccess.assume("arn:aws:iam::" + WORKLOAD + ":role/killswitch-revoker", EXTERNAL_ID),
            HOME, AccountAccess.direct()))
        .withEndpoints(iam.endpoint(), iam.endpoint()).withCallTimeout(Duration.ofSeconds(2))
        .withEscalateUnboundSessions(escalate);
    accounts = AwsAccounts.withStaticCredentials(config, iam.homeCredentials().accessKeyId(),
        iam.homeCredentials().secretAccessKey());
    providers = new HashMap<>();
    accounts.providers(clock).forEach(p -> providers.put(p.actionId(), p));
  }

  @AfterEach
  void stop() {
    accounts.close();
    iam.close();
  }

  static RevocationAction action(String action, String target, Map<String, String> params, Instant expiresAt) {
    String request = "req-" + UUID.randomUUID();
    return new RevocationAction(DeterministicIds.actionId(request, action, target), request, action, target, params,
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

  /** Calls the provider as the executor does: again after each retriable failure, up to the policy's attempts. */
  static List<Outcome> attempts(RevocationProvider provider, RevocationAction action) {
    RetryPolicy policy = RetryPolicy.DEFAULT;
    List<Outcome> outcomes = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      Outcome o = provider.execute(action);
      outcomes.add(o);
      if (!(o instanceof Outcome.RetriableFailure) || !policy.mayRetryAfter(attempt)) {
        return outcomes;
      }
    }
  }

  static Request sessionCall(String userId, Instant issued) {
    return new Request("s3:PutObject", "arn:aws:s3:::artifacts/app.tar",
        Map.of("aws:userid", userId, "aws:TokenIssueTime", issued.toString()));
  }

  @Nested
  class DeactivateAccessKey {

    @Test
    void deactivatesTheKeyInItsAccountThroughTheAssumedRoleAndActivatesItAgainOnLift() {
      String key = iam.addUserWithKey(WORKLOAD, "ci-bot");
      RevocationAction a = action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(WORKLOAD, key).toString(),
          Map.of(), Instant.now().plus(Duration.ofHours(1)));

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).isEqualTo("deactivated access key " + key + " of user ci-bot in account " + WORKLOAD);
      assertThat(iam.accessKeyStatus(WORKLOAD, key)).contains("Inactive");
      assertThat(iam.calls("AssumeRole")).first().satisfies(c -> {
        assertThat(c.params()).containsEntry("ExternalId", EXTERNAL_ID)
            .containsEntry("RoleSessionName", AwsConfig.SESSION_NAME);
        assertThat(c.account()).isEqualTo(HOME);
      });
      assertThat(iam.calls("UpdateAccessKey")).singleElement().satisfies(c -> {
        assertThat(c.account()).isEqualTo(WORKLOAD);
        assertThat(c.params()).containsEntry("Status", "Inactive").containsEntry("UserName", "ci-bot");
      });

      Outcome lifted = providers.get(a.action()).lift(bare(a), revoked(a, o));

      assertThat(lifted).isInstanceOf(Outcome.Revoked.class);
      assertThat(iam.accessKeyStatus(WORKLOAD, key)).contains("Active");
    }

    @Test
    void usesTheUserTheChainNamesWithoutAskingIam() {
      String key = iam.addUserWithKey(HOME, "deployer");
      RevocationAction a = action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(HOME, key).toString(),
          Map.of(Planner.PARAM_PRINCIPAL, IdentityRef.awsUser(HOME, "deployer").toString()), null);

      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.Revoked.class);
      assertThat(iam.calls("GetAccessKeyLastUsed")).isEmpty();
      assertThat(iam.calls("AssumeRole")).as("the home account is reached directly").isEmpty();
    }

    @Test
    void anInactiveOrUnknownKeyIsAlreadyRevoked() {
      String key = iam.addUserWithKey(WORKLOAD, "ci-bot");
      RevocationAction first = action(Actions.AWS_DEACTIVATE_ACCESS_KEY,
          IdentityRef.awsAccessKey(WORKLOAD, key).toString(), Map.of(), null);
      providers.get(first.action()).execute(first);
      RevocationAction again = action(Actions.AWS_DEACTIVATE_ACCESS_KEY,
          IdentityRef.awsAccessKey(WORKLOAD, key).toString(), Map.of(), null);
      RevocationAction unknown = action(Actions.AWS_DEACTIVATE_ACCESS_KEY,
          IdentityRef.awsAccessKey(WORKLOAD, "AKIAUNKNOWNKEY000000").toString(), Map.of(), null);

      assertThat(providers.get(again.action()).execute(again)).isInstanceOf(Outcome.AlreadyRevoked.class)
          .extracting(Outcome::detail).asString().endsWith("is already inactive");
      assertThat(providers.get(unknown.action()).execute(unknown)).isInstanceOf(Outcome.AlreadyRevoked.class);
    }

    @Test
    void throttlingAndServerErrorsAreRetriedUntilTheKeyIsDeactivated() {
      String key = iam.addUserWithKey(WORKLOAD, "ci-bot");
      iam.faults().failNext("UpdateAccessKey", "Throttling", 1).failNext("ListAccessKeys", "ServiceUnavailable", 1)
          .failNext("UpdateAccessKey", "ServiceFailure", 1);
      RevocationAction a = action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(WORKLOAD, key).toString(),
          Map.of(), null);

      List<Outcome> outcomes = attempts(providers.get(a.action()), a);

      assertThat(outcomes).hasSize(4);
      assertThat(outcomes.subList(0, 3)).allMatch(o -> o instanceof Outcome.RetriableFailure);
      assertThat(outcomes.get(0).detail()).contains("ServiceUnavailable", "HTTP 503");
      assertThat(outcomes.get(1).detail()).contains("Throttling");
      assertThat(outcomes.get(2).detail()).contains("ServiceFailure");
      assertThat(outcomes.get(3)).isInstanceOf(Outcome.Revoked.class);
      assertThat(iam.accessKeyStatus(WORKLOAD, key)).contains("Inactive");
    }

    @Test
    void aCallSlowerThanTheTimeoutIsRetriable() {
      String key = iam.addUserWithKey(HOME, "ci-bot");
      iam.faults().latency(Duration.ofMillis(2500));
      RevocationAction a = action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(HOME, key).toString(),
          Map.of(Planner.PARAM_PRINCIPAL, IdentityRef.awsUser(HOME, "ci-bot").toString()), null);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.RetriableFailure.class);
      iam.faults().clear();
    }

    @Test
    void accessDeniedAndAWrongExternalIdFailPermanently() {
      String key = iam.addUserWithKey(HOME, "ci-bot");
      iam.faults().failNext("UpdateAccessKey", "AccessDenied", 1);
      RevocationAction denied = action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(HOME, key).toString(),
          Map.of(), null);

      Outcome o = providers.get(denied.action()).execute(denied);

      assertThat(o).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(o.detail()).contains("AccessDenied", "HTTP 403");

      iam.requireExternalId(WORKLOAD, "killswitch-revoker", "rotated-external-id");
      String other = iam.addUserWithKey(WORKLOAD, "ci-bot");
      RevocationAction crossAccount = action(Actions.AWS_DEACTIVATE_ACCESS_KEY,
          IdentityRef.awsAccessKey(WORKLOAD, other).toString(), Map.of(), null);
      Outcome refused = providers.get(crossAccount.action()).execute(crossAccount);
      assertThat(refused).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(refused.detail()).contains("AccessDenied", "sts:AssumeRole");
      assertThat(iam.accessKeyStatus(WORKLOAD, other)).contains("Active");
    }

    @Test
    void anAccountWithoutConfiguredAccessFailsPermanently() {
      RevocationAction a = action(Actions.AWS_DEACTIVATE_ACCESS_KEY,
          IdentityRef.awsAccessKey("333333333333", "AKIAEXAMPLEKEY000000").toString(), Map.of(), null);

      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.PermanentFailure.class)
          .extracting(Outcome::detail).asString().contains("no access is configured for AWS account 333333333333");
    }
  }

  @Nested
  class DenySession {

    Role role;

    @BeforeEach
    void role() {
      role = iam.addRole(WORKLOAD, "ci-deployer", "/ci/");
    }

    RevocationAction session(String name, Instant expiresAt) {
      Map<String, String> params = new HashMap<>();
      params.put(Planner.PARAM_PRINCIPAL, IdentityRef.awsRole(WORKLOAD, "ci-deployer").toString());
      if (name != null) {
        params.put(DenySessionProvider.PARAM_SESSION_NAME, name);
      }
      params.put(DenySessionProvider.PARAM_SESSION_EXPIRES_AT, clock.instant().plus(Duration.ofMinutes(50)).toString());
      return action(Actions.AWS_DENY_SESSION, IdentityRef.awsSession(WORKLOAD, "ASIA" + UUID.randomUUID()
          .toString().replace("-", "").substring(0, 16).toUpperCase()).toString(), params, expiresAt);
    }

    String policy() {
      return iam.rolePolicy(WORKLOAD, "ci-deployer", SessionDenyPolicy.NAME).orElseThrow();
    }

    @Test
    void deniesTheTargetedSessionAndNoOtherSessionOfTheRole() {
      RevocationAction a = session("gha-run-1001", null);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).contains("aws:userid = " + role.roleId() + ":gha-run-1001",
          "inline policy KillswitchDenySessions");
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":gha-run-1001", clock.instant())))
          .isTrue();
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":gha-run-1002", clock.instant())))
          .isFalse();
      assertThat(iam.calls("PutRolePolicy")).singleElement()
          .satisfies(c -> assertThat(c.params()).containsEntry("PolicyName", SessionDenyPolicy.NAME));
    }

    @Test
    void theRoleIdTheSessionWasMintedWithIsDeniedEvenAfterTheRoleWasRecreated() {
      RevocationAction a = session("gha-run-2001", null);
      Map<String, String> params = new HashMap<>(a.params());
      params.put(DenySessionProvider.PARAM_ROLE_ID, "AROAOLDROLEID0000001");
      RevocationAction minted = new RevocationAction(a.actionId(), a.requestId(), a.action(), a.target(), params,
          a.mode(), a.reason(), a.requestedBy(), a.plannedAt(), null);

      Outcome o = providers.get(a.action()).execute(minted);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).contains("aws:userid = AROAOLDROLEID0000001:gha-run-2001 (the session's role id; role "
          + "ci-deployer now has id " + role.roleId() + ")");
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall("AROAOLDROLEID0000001:gha-run-2001", clock.instant())))
          .isTrue();
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":gha-run-2002", clock.instant())))
          .isFalse();
    }

    @Test
    void sessionsOfTheRoleGatherInOneInlinePolicyAndARepeatedCallIsRevokedAgain() {
      RevocationAction first = session("run-1", null);
      RevocationAction second = session("run-2", null);
      providers.get(first.action()).execute(first);
      providers.get(second.action()).execute(second);

      Outcome repeated = providers.get(first.action()).execute(first);

      assertThat(repeated).isInstanceOf(Outcome.Revoked.class);
      assertThat(repeated.detail()).contains("2 session(s) denied on the role");
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":run-1", clock.instant()))).isTrue();
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":run-2", clock.instant()))).isTrue();
    }

    @Test
    void aSourceIdentityIsDeniedWhenTheSessionNameIsUnknown() {
      RevocationAction a = session(null, null);
      Map<String, String> params = new HashMap<>(a.params());
      params.put(DenySessionProvider.PARAM_SOURCE_IDENTITY, "ci:github:acme/app/runs/77");
      RevocationAction bySource = new RevocationAction(a.actionId(), a.requestId(), a.action(), a.target(), params,
          a.mode(), a.reason(), a.requestedBy(), a.plannedAt(), null);

      assertThat(providers.get(a.action()).execute(bySource)).isInstanceOf(Outcome.Revoked.class);
      assertThat(IamPolicyEvaluator.denies(policy(), new Request("s3:GetObject", "*", Map.of("aws:userid",
          role.roleId() + ":x", "aws:SourceIdentity", "ci:github:acme/app/runs/77")))).isTrue();
    }

    @Test
    void theLiftOfALockRemovesItsEntryAndTheEmptiedPolicy() {
      RevocationAction permanent = session("keep", null);
      RevocationAction lock = session("locked", clock.instant().plus(Duration.ofMinutes(30)));
      providers.get(permanent.action()).execute(permanent);
      Outcome o = providers.get(lock.action()).execute(lock);

      Outcome lifted = providers.get(lock.action()).lift(bare(lock), revoked(lock, o));

      assertThat(lifted).isInstanceOf(Outcome.Revoked.class);
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":locked", clock.instant()))).isFalse();
      assertThat(IamPolicyEvaluator.denies(policy(), sessionCall(role.roleId() + ":keep", clock.instant()))).isTrue();

      RevocationAction onlyLock = session("alone", clock.instant().plus(Duration.ofMinutes(30)));
      iam.putRolePolicy(WORKLOAD, "ci-deployer", SessionDenyPolicy.NAME, "{\"Version\":\"2012-10-17\",\"Statement\":[]}");
      Outcome alone = providers.get(onlyLock.action()).execute(onlyLock);
      providers.get(onlyLock.action()).lift(bare(onlyLock), revoked(onlyLock, alone));
      assertThat(iam.rolePolicy(WORKLOAD, "ci-deployer", SessionDenyPolicy.NAME)).isEmpty();
    }

    @Test
    void expiredEntriesAreDroppedOnTheNextWrite() {
      providers.get(Actions.AWS_DENY_SESSION).execute(session("early", null));
      clock.advance(Duration.ofHours(2));

      Outcome o = providers.get(Actions.AWS_DENY_SESSION).execute(session("late", null));

      assertThat(o.detail()).contains("1 session(s) denied on the role", "1 expired entry(ies) dropped");
      assertThat(policy()).doesNotContain("early").contains("late");
    }

    @Test
    void aServiceLinkedRoleIsSkippedWithTheReason() {
      iam.addRole(WORKLOAD, "AWSServiceRoleForECS", "/aws-service-role/ecs.amazonaws.com/");
      RevocationAction a = action(Actions.AWS_DENY_SESSION, IdentityRef.awsSession(WORKLOAD, "ASIAEXAMPLE000000001")
          .toString(), Map.of(Planner.PARAM_PRINCIPAL, IdentityRef.awsRole(WORKLOAD, "AWSServiceRoleForECS").toString(),
          DenySessionProvider.PARAM_SESSION_NAME, "ecs-task"), null);

      assertThat(providers.get(a.action()).preflight(a)).get().isInstanceOf(Outcome.Skipped.class)
          .extracting(Outcome::detail).asString().contains("service-linked", "/aws-service-role/");
      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.Skipped.class);
      assertThat(iam.calls("PutRolePolicy")).isEmpty();
    }

    @Test
    void aSessionWithoutNameOrSourceIdentityFailsWithItsResidualExposure() {
      RevocationAction a = session(null, null);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(ResidualExposure.in(o.detail())).singleElement().satisfies(r -> {
        assertThat(r.credential()).isEqualTo(a.target());
        assertThat(r.until()).isEqualTo(Instant.parse(a.params().get(DenySessionProvider.PARAM_SESSION_EXPIRES_AT)));
        assertThat(r.remaining(clock.instant())).isEqualTo(Duration.ofMinutes(50));
      });
      assertThat(o.detail()).contains("(50m left)");
    }

    @Test
    void escalatesToRevokingTheRolesSessionsWhenConfiguredAndLiftsThatToo() {
      wire(true);
      RevocationAction a = session(null, clock.instant().plus(Duration.ofMinutes(20)));

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).startsWith("escalated to aws.revoke-role-sessions (neither the session name");
      String cutoffPolicy = iam.rolePolicy(WORKLOAD, "ci-deployer", RevokeRoleSessionsProvider.POLICY).orElseThrow();
      assertThat(IamPolicyEvaluator.denies(cutoffPolicy, sessionCall(role.roleId() + ":any", clock.instant().minusSeconds(1))))
          .isTrue();

      assertThat(providers.get(a.action()).lift(bare(a), revoked(a, o))).isInstanceOf(Outcome.Revoked.class);
      assertThat(iam.rolePolicy(WORKLOAD, "ci-deployer", RevokeRoleSessionsProvider.POLICY)).isEmpty();
    }

    @Test
    void aRoleWhoseInlinePoliciesAreFullCannotTakeTheDenyAndSaysWhatStaysExposed() {
      iam.putRolePolicy(WORKLOAD, "ci-deployer", "Existing", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\""
          + "x".repeat(10_100) + "\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
      RevocationAction a = session("too-late", null);

      Outcome o = providers.get(a.action()).execute(a);

      assertThat(o).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(o.detail()).contains("IAM refused a larger deny policy", ResidualExposure.MARKER);
    }

    @Test
    void aDeletedRoleOrAnExpiredSessionIsAlreadyRevoked() {
      RevocationAction a = session("gone", null);
      iam.deleteRole(WORKLOAD, "ci-deployer");
      assertThat(providers.get(a.action()).execute(a)).isInstanceOf(Outcome.AlreadyRevoked.class);

      Map<String, String> params = new HashMap<>(a.params());
      params.put(DenySessionProvider.PARAM_SESSION_EXPIRES_AT, clock.instant().minusSeconds(5).toString());
      RevocationAction expired = new RevocationAction(a.actionId(), a.requestId(), a.action(), a.target(), params,
          a.mode(), a.reason(), a.requestedBy(), a.plannedAt(), null);
      assertThat(providers.get(a.action()).execute(expired)).isInstanceOf(Outcome.AlreadyRevoked.class);
    }

    @Test
    void throttledWritesAreRetriedAndMalformedPoliciesFailPermanently() {
      iam.faults().failNext("PutRolePolicy", "Throttling", 2);
      List<Outcome> outcomes = attempts(providers.get(Actions.AWS_DENY_SESSION), session("retried", null));
      assertThat(outcomes).hasSize(3).last().isInstanceOf(Outcome.Revoked.class);

      iam.faults().failNext("PutRolePolicy", "MalformedPolicyDocument", 1);
      Outcome o = providers.get(Actions.AWS_DENY_SESSION).execute(session("malformed", null));
      assertThat(o).isInstanceOf(Outcome.PermanentFailure.class);
      assertThat(o.detail()).contains("MalformedPolicyDocument");
    }
  }

  @Nested
  class RevokeRoleSessions {

    Role role;

    @BeforeEach
    void role() {
      role = iam.addRole(WORKLOAD, "deploy", "/");
    }

    RevocationAction revoke(Instant expiresAt) {
      return action(Actions.AWS_REVOKE_ROLE_SESSIONS, IdentityRef.awsRole(WORKLOAD, "deploy").toString(), Map.of(),
          expiresAt);
    }

    @Test
    void deniesEverySessionIssuedBeforeNowAndNoneIssuedLater() {
      Outcome o = providers.get(Actions.AWS_REVOKE_ROLE_SESSIONS).execute(revoke(null));

      assertThat(o).isInstanceOf(Outcome.Revoked.class);
      assertThat(o.detail()).endsWith("cutoff: " + clock.instant());
      String policy = iam.rolePolicy(WORKLOAD, "deploy", RevokeRoleSessionsProvider.POLICY).orElseThrow();
      assertThat(IamPolicyEvaluator.denies(policy, sessionCall(role.roleId() + ":old", clock.instant().minusSeconds(1))))
          .isTrue();
      assertThat(IamPolicyEvaluator.denies(policy, sessionCall(role.roleId() + ":new", clock.instant().plusSeconds(1))))
          .isFalse();
    }

    @Test
    void theCutoffNeverMovesBackAndALiftLeavesALaterRevocationsPolicy() {
      RevocationAction lock = revoke(clock.instant().plus(Duration.ofHours(1)));
      Outcome first = providers.get(lock.action()).execute(lock);
      clock.advance(Duration.ofMinutes(10));
      Outcome later = providers.get(Actions.AWS_REVOKE_ROLE_SESSIONS).execute(revoke(null));
      assertThat(later.detail()).endsWith("cutoff: " + clock.instant());

      Outcome lifted = providers.get(lock.action()).lift(bare(lock), revoked(lock, first));

      assertThat(lifted.detail()).contains("set by a later revocation");
      assertThat(iam.rolePolicy(WORKLOAD, "deploy", RevokeRoleSessionsProvider.POLICY)).isPresent();

      RevocationAction latest = revoke(clock.instant().plus(Duration.ofHours(1)));
      clock.advance(Duration.ofMinutes(1));
      Outcome third = providers.get(latest.action()).execute(latest);
      assertThat(providers.get(latest.action()).lift(bare(latest), revoked(latest, third)).detail()).startsWith("deleted");
      assertThat(iam.rolePolicy(WORKLOAD, "deploy", RevokeRoleSessionsProvider.POLICY)).isEmpty();
    }

    @Test
    void aServiceLinkedRoleIsSkippedAndAMissingRoleIsAlreadyRevoked() {
      iam.addRole(WORKLOAD, "AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/");
      RevocationAction linked = action(Actions.AWS_REVOKE_ROLE_SESSIONS,
          IdentityRef.awsRole(WORKLOAD, "AWSServiceRoleForSupport").toString(), Map.of(), null);
      RevocationAction missing = action(Actions.AWS_REVOKE_ROLE_SESSIONS,
          IdentityRef.awsRole(WORKLOAD, "nobody").toString(), Map.of(), null);

      assertThat(providers.get(linked.action()).preflight(linked)).get().isInstanceOf(Outcome.Skipped.class);
      assertThat(providers.get(linked.action()).execute(linked)).isInstanceOf(Outcome.Skipped.class);
      assertThat(providers.get(missing.action()).execute(missing)).isInstanceOf(Outcome.AlreadyRevoked.class);
    }

    @Test
    void randomThrottlingAndServerErrorsEndRevokedThroughRetries() {
      iam.faults().seed(7).throttleRatio(0.3).serverErrorRatio(0.2);

      List<Outcome> outcomes = attempts(providers.get(Actions.AWS_REVOKE_ROLE_SESSIONS), revoke(null));

      iam.faults().clear();
      assertThat(outcomes).hasSizeGreaterThan(1).last().isInstanceOf(Outcome.Revoked.class);
      assertThat(outcomes.subList(0, outcomes.size() - 1)).allMatch(o -> o instanceof Outcome.RetriableFailure);
    }
  }

  /** What each action calls (execute, then lift) is in its shipped permission file: least privilege, checked. */
  @Test
  void everyIamCallOfAnActionIsAllowedByItsPermissionFile() throws Exception {
    Role role = iam.addRole(WORKLOAD, "app", "/");
    String key = iam.addUserWithKey(WORKLOAD, "bot");
    Map<String, String> session = Map.of(Planner.PARAM_PRINCIPAL, IdentityRef.awsRole(WORKLOAD, "app").toString(),
        DenySessionProvider.PARAM_SESSION_NAME, "s1");
    List<RevocationAction> actions = List.of(
        action(Actions.AWS_DEACTIVATE_ACCESS_KEY, IdentityRef.awsAccessKey(WORKLOAD, key).toString(), Map.of(),
            clock.instant().plusSeconds(60)),
        action(Actions.AWS_DENY_SESSION, IdentityRef.awsSession(WORKLOAD, "ASIAEXAMPLE000000009").toString(), session,
            clock.instant().plusSeconds(60)),
        action(Actions.AWS_REVOKE_ROLE_SESSIONS, IdentityRef.awsRole(WORKLOAD, "app").toString(), Map.of(),
            clock.instant().plusSeconds(60)));
    for (RevocationAction a : actions) {
      iam.clearCalls();
      RevocationProvider p = providers.get(a.action());
      assertThat(p.preflight(a)).isEmpty();
      Outcome o = p.execute(a);
      assertThat(o).as(a.action()).isInstanceOf(Outcome.Revoked.class);
      assertThat(p.lift(bare(a), revoked(a, o))).as(a.action()).isInstanceOf(Outcome.Revoked.class);
      List<String> used = iam.calls().stream().filter(c -> !c.action().equals("AssumeRole"))
          .map(c -> "iam:" + c.action()).distinct().toList();
      assertThat(AwsPermissionsDocTest.iamActions(a.action())).as(a.action()).containsAll(used);
    }
    assertThat(role.roleId()).startsWith("AROA");
  }
}
