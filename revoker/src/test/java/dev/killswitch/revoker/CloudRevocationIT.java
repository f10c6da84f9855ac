package dev.killswitch.revoker;

import static dev.killswitch.revoker.Harness.MAX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.revoker.aws.AwsAccounts;
import dev.killswitch.revoker.aws.AwsConfig;
import dev.killswitch.revoker.aws.AwsConfig.AccountAccess;
import dev.killswitch.revoker.gcp.GcpClients;
import dev.killswitch.revoker.gcp.GcpConfig;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import dev.killswitch.testkit.fakes.FakeAwsIam;
import dev.killswitch.testkit.fakes.FakeGoogleIam;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pipeline run's cloud credentials through the whole revoker, on a real broker, into the AWS and Google fakes: the
 * planner gives each AWS credential its principal from the chain, a throttled call is retried by the executor after
 * its backoff on the revoker's clock, a session the chain cannot name is escalated to its role, the residual
 * exposure of the Google deny lands in the ledger, and everything is lifted when the temporary lock ends.
 */
@ExtendWith(KafkaClusterExtension.class)
class CloudRevocationIT {

  static final String ACCOUNT = "222222222222";
  static final String PROJECT = "acme-prod";
  static final String POOL = "projects/123456789012/locations/global/workloadIdentityPools/github";
  static final RetryPolicy RETRY = new RetryPolicy(4, Duration.ofSeconds(10), Duration.ofSeconds(20));

  @Test
  void aRunsCloudCredentialsAreRevokedAcrossAccountsAndProjectsAndLiftedWhenTheLockEnds(KafkaTestCluster kafka)
      throws Exception {
    TestClock clock = new TestClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    try (FakeAwsIam aws = FakeAwsIam.start(); FakeGoogleIam gcp = FakeGoogleIam.start()) {
      aws.addRole(ACCOUNT, "killswitch", "/");
      aws.requireExternalId(ACCOUNT, "killswitch", "ext-1");
      aws.addRole(ACCOUNT, "deploy", "/");
      String key = aws.addUserWithKey(ACCOUNT, "ci-bot");
      gcp.addServiceAccount(PROJECT, "builder@acme-prod.iam.gserviceaccount.com");
      String gcpKey = gcp.addKey(PROJECT, "builder@acme-prod.iam.gserviceaccount.com");
      aws.faults().failNext("UpdateAccessKey", "Throttling", 1);

      AwsConfig awsConfig = AwsConfig.of(Map.of(ACCOUNT,
              AccountAccess.assume("arn:aws:iam::" + ACCOUNT + ":role/killswitch", "ext-1")))
          .withEndpoints(aws.endpoint(), aws.endpoint()).withEscalateUnboundSessions(true);
      GcpConfig gcpConfig = GcpConfig.of(Set.of(PROJECT, "123456789012")).withEndpoint("inprocess:" + gcp.serverName());
      try (AwsAccounts accounts = AwsAccounts.withStaticCredentials(awsConfig, aws.homeCredentials().accessKeyId(),
               aws.homeCredentials().secretAccessKey());
           GcpClients google = GcpClients.fromConfig(gcpConfig);
           Harness h = new Harness(kafka, clock, c -> c.withRetry(RETRY))) {
        ProviderRegistry providers = new ProviderRegistry();
        accounts.providers(clock).forEach(providers::register);
        google.providers(clock).forEach(providers::register);
        h.start(providers);

        String run = Harness.run("cloud-" + UUID.randomUUID());
        String keyRef = IdentityRef.awsAccessKey(ACCOUNT, key).toString();
        String session = IdentityRef.awsSession(ACCOUNT, "ASIAEXAMPLE000000042").toString();
        String principal = IdentityRef.gcpWifPrincipal(POOL, "repo:acme/app:ref:refs/heads/main").toString();
        String saKey = IdentityRef.gcpServiceAccountKey(PROJECT, "builder@acme-prod.iam.gserviceaccount.com", gcpKey)
            .toString();
        Instant t = clock.instant();
        h.publishChain(run, List.of(
            edge(run, keyRef, "minted", t), edge(keyRef, IdentityRef.awsUser(ACCOUNT, "ci-bot").toString(),
                "credential-of", t),
            edge(run, session, "assumed", t), edge(session, IdentityRef.awsRole(ACCOUNT, "deploy").toString(),
                "credential-of", t),
            edge(run, principal, "authenticated-as", t), edge(run, saKey, "minted", t)));

        String requestId = h.request(new RevocationRequested("req-" + UUID.randomUUID(), run, Cascade.DOWNSTREAM,
            "pipeline compromised", "user:soc", Mode.ENFORCE, t, t.plus(Duration.ofHours(1)), false));

        await().atMost(MAX).untilAsserted(() -> {
          assertThat(h.result(requestId, session).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
          assertThat(h.result(requestId, principal).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
          assertThat(h.result(requestId, saKey).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
          assertThat(h.result(requestId, keyRef).outcome()).isEqualTo(RevocationResult.Outcome.PENDING);
          assertThat(h.result(requestId, keyRef).detail()).startsWith("attempt 1 of 4 failed (retriable): "
              + "aws.deactivate-access-key " + keyRef + " failed: Throttling");
        });
        assertThat(h.result(requestId, session).detail()).startsWith("escalated to aws.revoke-role-sessions");
        assertThat(aws.rolePolicy(ACCOUNT, "deploy", "AWSRevokeOlderSessions")).isPresent();
        assertThat(ResidualExposure.in(h.result(requestId, principal).detail())).singleElement()
            .satisfies(r -> assertThat(r.until()).isEqualTo(clock.instant().plus(Duration.ofHours(1))));
        assertThat(gcp.key("builder@acme-prod.iam.gserviceaccount.com", gcpKey).orElseThrow().getDisabled()).isTrue();
        assertThat(aws.calls("GetAccessKeyLastUsed")).as("the chain named the key's user").isEmpty();

        clock.advance(RETRY.bound(1));
        await().atMost(MAX).untilAsserted(() ->
            assertThat(h.result(requestId, keyRef).outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
        assertThat(aws.accessKeyStatus(ACCOUNT, key)).contains("Inactive");

        clock.advance(Duration.ofHours(1));
        await().atMost(MAX).untilAsserted(() -> {
          for (String target : List.of(keyRef, session, principal, saKey)) {
            assertThat(h.result(requestId, target).outcome()).as(target).isEqualTo(RevocationResult.Outcome.LIFTED);
          }
        });
        assertThat(aws.accessKeyStatus(ACCOUNT, key)).contains("Active");
        assertThat(aws.rolePolicy(ACCOUNT, "deploy", "AWSRevokeOlderSessions")).isEmpty();
        assertThat(gcp.key("builder@acme-prod.iam.gserviceaccount.com", gcpKey).orElseThrow().getDisabled()).isFalse();
        assertThat(gcp.state().policy("policies/cloudresourcemanager.googleapis.com%2Fprojects%2F123456789012"
            + "/denypolicies/killswitch-deny-principals")).isEmpty();
      }
    }
  }

  private static ChainSnapshot.Edge edge(String from, String to, String kind, Instant t) {
    return new ChainSnapshot.Edge(from, to, kind, 1.0, List.of("ev-" + UUID.randomUUID()), t, t, 1);
  }
}
