package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator.Request;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's scenario path (everything {@code killswitch demo} does but leaving the explorer up): the run's chain
 * reaches the cluster token, the AWS session and the GCP principal; when the job completes, the trigger's enforced
 * revocation lands action by action (the token through the webhook, the AWS session and the GCP principal through
 * the real SDK clients against the testkit's IAM fakes: the IRSA session is denied alone, by its role id and session
 * name, without escalating to the role), and the apiserver's SubjectAccessReview is denied.
 */
class DemoIT {

  @TempDir Path dataDir;

  @Test
  void theDemoRunIsLinkedFromCiToClusterToCloudsAndRevokedWhenItsJobCompletes() throws Exception {
    Demo.Clouds clouds = Demo.Clouds.start();
    Settings settings = Settings.load(clouds.writeSettings(dataDir), Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
    StringWriter text = new StringWriter();
    Demo.Outcome outcome;
    try (clouds; Application app = Application.start(settings, EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Demo.TUNING)) {
      outcome = new Demo(app, clouds, dataDir, new PrintWriter(text, true), System.nanoTime()).play();
    }
    String out = text.toString();

    assertThat(refs(outcome.chain())).contains(Demo.RUN, Demo.TOKEN, "k8s:prod-eu:sa/payments/billing-api",
        "aws:111122223333:session/ASIAIRSAEXAMPLE00001");
    assertThat(refs(outcome.chain())).anyMatch(r -> r.startsWith("gcp:wif/"));
    assertThat(out).contains("replayed 10 events from 10 file(s)").contains("10 accepted")
        .contains("Root        " + Demo.RUN).contains("-assumed->");

    JsonNode revocation = outcome.revocation();
    assertThat(revocation.path("request").path("requestedBy").asText()).isEqualTo("trigger:job-completed");
    assertThat(revocation.path("request").path("mode").asText()).isEqualTo("enforce");
    assertThat(revocation.path("status").asText()).isEqualTo("done");
    JsonNode denyToken = null;
    for (JsonNode a : revocation.path("actions")) {
      if (a.path("action").asText().equals("k8s.deny-token")) {
        denyToken = a;
      }
    }
    assertThat(denyToken).as("a k8s.deny-token action").isNotNull();
    assertThat(denyToken.path("target").asText()).isEqualTo(Demo.TOKEN);
    assertThat(denyToken.path("outcome").asText()).isEqualTo("revoked");
    assertThat(out).contains("k8s.deny-token         revoked");

    // The clouds are the testkit's fakes, called by the real SDK clients. The chain knows the IRSA session's name and
    // role id (its AssumeRoleWithWebIdentity record), so aws.deny-session denies that one session and no other.
    String session = "aws:111122223333:session/ASIAIRSAEXAMPLE00001";
    String userId = Demo.AWS_ROLE_ID + ":" + Demo.AWS_SESSION_NAME;
    JsonNode denySession = action(revocation, "aws.deny-session");
    assertThat(denySession.path("target").asText()).isEqualTo(session);
    assertThat(denySession.path("outcome").asText()).isEqualTo("revoked");
    assertThat(denySession.path("detail").asText()).doesNotContain("escalated")
        .contains("aws:userid = " + userId, "role: " + Demo.AWS_ROLE);
    assertThat(clouds.aws.calls("PutRolePolicy")).singleElement().satisfies(c -> {
      assertThat(c.account()).isEqualTo(Demo.AWS_ACCOUNT);
      assertThat(c.params()).containsEntry("RoleName", Demo.AWS_ROLE).containsEntry("PolicyName", "KillswitchDenySessions");
      assertThat(c.status()).isEqualTo(200);
    });
    assertThat(clouds.aws.rolePolicy(Demo.AWS_ACCOUNT, Demo.AWS_ROLE, "AWSRevokeOlderSessions")).isEmpty();
    String policy = clouds.aws.rolePolicy(Demo.AWS_ACCOUNT, Demo.AWS_ROLE, "KillswitchDenySessions").orElseThrow();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("s3:GetObject", "*", Map.of("aws:userid", userId))))
        .as("the run's session").isTrue();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("s3:GetObject", "*",
        Map.of("aws:userid", Demo.AWS_ROLE_ID + ":botocore-session-1748772999")))).as("another session of the role").isFalse();

    JsonNode denyPrincipal = action(revocation, "gcp.deny-principal");
    assertThat(denyPrincipal.path("target").asText()).startsWith("gcp:wif/projects/" + Demo.GCP_POOL_PROJECT + "/");
    assertThat(denyPrincipal.path("outcome").asText()).isEqualTo("revoked");
    assertThat(denyPrincipal.path("detail").asText()).contains("residual exposure:");
    String gcpPolicy = "policies/cloudresourcemanager.googleapis.com%2Fprojects%2F" + Demo.GCP_POOL_PROJECT
        + "/denypolicies/killswitch-deny-principals";
    assertThat(clouds.gcp.calls("CreatePolicy")).singleElement()
        .satisfies(c -> assertThat(c.resource()).isEqualTo(gcpPolicy));
    assertThat(clouds.gcp.denyPolicy(gcpPolicy)).hasValueSatisfying(p -> assertThat(p.getRules(0).getDenyRule()
        .getDeniedPrincipalsList()).containsExactly("principal://iam.googleapis.com/projects/" + Demo.GCP_POOL_PROJECT
        + "/locations/global/workloadIdentityPools/github/subject/repo:acme/payments:ref:refs/heads/main"));

    assertThat(out).doesNotContain("no provider")
        .contains("AWS IAM: PutRolePolicy KillswitchDenySessions on billing-api-irsa in 111122223333 (HTTP 200)")
        .contains("GCP: CreatePolicy " + gcpPolicy + " (OK)")
        .contains("deny principal://iam.googleapis.com/projects/987654321098/");

    assertThat(outcome.tokenDenied()).isTrue();
    assertThat(out).contains("DENIED, killswitch: token revoked");
  }

  private static JsonNode action(JsonNode revocation, String action) {
    for (JsonNode a : revocation.path("actions")) {
      if (a.path("action").asText().equals(action)) {
        return a;
      }
    }
    throw new AssertionError("no " + action + " action in " + revocation);
  }

  private static List<String> refs(JsonNode chain) {
    List<String> out = new ArrayList<>();
    chain.path("nodes").forEach(n -> out.add(n.path("ref").asText()));
    return out;
  }
}
