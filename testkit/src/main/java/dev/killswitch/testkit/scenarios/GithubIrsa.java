package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (a) A GitHub Actions run whose job authenticates to EKS cluster {@code prod-eu} with its OIDC token (structured
 * authentication maps the run and job into user.extra), requests a token for service account
 * {@code payments/billing-api} with audience {@code sts.amazonaws.com} (TokenRequest), exchanges it for an AWS session
 * through IRSA (AssumeRoleWithWebIdentity: subject {@code system:serviceaccount:payments:billing-api}, the cluster's
 * OIDC issuer), and reads an S3 object and a Secrets Manager secret with the session. CloudTrail never names the
 * Kubernetes token, so the session joins the token by subject + issuer + time window.
 */
public final class GithubIrsa {

  public static final String NAME = "github-irsa";
  public static final String REPO = "acme/payments";
  public static final long RUN_ID = 12345678901L;
  public static final long JOB_ID = 33445566778L;
  public static final String CLUSTER = "prod-eu";
  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "eu-west-1";
  public static final String ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  public static final String ROLE = "billing-api-irsa";
  public static final String SESSION_KEY = "ASIAIRSAEXAMPLE00001";
  /** The IRSA session's name (botocore's default) and its role's unique id: its aws:userid is ROLE_ID:SESSION_NAME. */
  public static final String SESSION_NAME = "botocore-session-1748772045";
  public static final String ROLE_ID = "AROAEXAMPLEROLEID0002";
  public static final String JTI = "8c1a3f4e-2b7d-4e9a-9f61-0d3c5b7a1e22";
  public static final String RUNNER_IP = "203.0.113.10";
  public static final String OIDC_USER = "github:repo:acme/payments:ref:refs/heads/main";

  private GithubIrsa() {}

  public static Scenario scenario(Instant t0) {
    String run = IdentityRef.githubRun(REPO, Long.toString(RUN_ID)).toString();
    String job = IdentityRef.githubJob(REPO, Long.toString(JOB_ID)).toString();
    String session = IdentityRef.awsSession(ACCOUNT, SESSION_KEY).toString();
    String webId = "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + ISSUER;
    List<SourceRecord> r = new ArrayList<>();
    r.add(CiSources.githubJob("01-github-workflow_job-queued.json", REPO,
        RUN_ID, JOB_ID, "queued", null, t0, null, null, "deploy", "main"));
    r.add(CiSources.githubJob("02-github-workflow_job-in_progress.json",
        REPO, RUN_ID, JOB_ID, "in_progress", null, t0, t0.plusSeconds(20), null, "deploy", "main"));
    r.add(new AuditSource(CLUSTER, "1f7c9e2a-5b3d-4c8e-a1f0-6e2d4b9c7a31", t0.plusSeconds(30))
        .request("create", "/api/v1/namespaces/payments/serviceaccounts/billing-api/token")
        .user(OIDC_USER, List.of("system:authenticated"))
        .extra("killswitch.dev/ci-run", run).extra("killswitch.dev/ci-job", job)
        .from(RUNNER_IP, "kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e")
        .object(null, "serviceaccounts", "token", "payments", "billing-api").response(201)
        .annotation("authentication.kubernetes.io/issued-credential-id", "JTI=" + JTI)
        .build("03-k8s-audit-tokenrequest.json"));

    ObjectNode webUser = Json.mapper().createObjectNode();
    webUser.put("type", "WebIdentityUser").put("principalId", webId + ":sts.amazonaws.com:"
        + "system:serviceaccount:payments:billing-api").put("userName", "system:serviceaccount:payments:billing-api")
        .put("identityProvider", webId);
    ObjectNode assumeReq = Json.mapper().createObjectNode();
    assumeReq.put("roleArn", "arn:aws:iam::" + ACCOUNT + ":role/" + ROLE).put("roleSessionName", SESSION_NAME)
        .put("durationSeconds", 3600);
    Instant expires = t0.plusSeconds(45 + 3600);
    ObjectNode assumeResp = Json.mapper().createObjectNode();
    assumeResp.putObject("credentials").put("accessKeyId", SESSION_KEY)
        .put("sessionToken", CloudSources.SESSION_TOKEN_PLACEHOLDER).put("expiration", CloudSources.expiration(expires));
    assumeResp.put("subjectFromWebIdentityToken", "system:serviceaccount:payments:billing-api");
    assumeResp.putObject("assumedRoleUser").put("assumedRoleId", ROLE_ID + ":" + SESSION_NAME)
        .put("arn", "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + ROLE + "/" + SESSION_NAME);
    assumeResp.put("provider", webId).put("audience", "sts.amazonaws.com");
    ObjectNode assume = CloudSources.record("9e4f2b7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", t0.plusSeconds(45),
        "sts.amazonaws.com", "AssumeRoleWithWebIdentity", REGION, ACCOUNT, RUNNER_IP,
        "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 command/sts.assume-role-with-web-identity",
        webUser, assumeReq, assumeResp, List.<String[]>of(new String[] {"AWS::IAM::Role",
            "arn:aws:iam::" + ACCOUNT + ":role/" + ROLE, ACCOUNT}), true, true);
    r.add(CloudSources.trail("04-cloudtrail-assume-role-with-web-identity.json", assume,
        "oidc:oidc.eks.eu-west-1.amazonaws.com/system:serviceaccount:payments:billing-api",
        new dev.killswitch.schemas.event.AwsCloudTrailEvent.Identity("WebIdentityUser", null,
            webId + ":sts.amazonaws.com:system:serviceaccount:payments:billing-api", null, null, null, null, null,
            null, webId, null),
        session, IdentityRef.awsRole(ACCOUNT, ROLE).toString(), SESSION_NAME, null, Map.of(),
        new CloudSources.Assumed("arn:aws:iam::" + ACCOUNT + ":role/" + ROLE, ROLE_ID, expires), null));

    ObjectNode getReq = Json.mapper().createObjectNode();
    getReq.put("bucketName", "acme-payments-exports").put("Host", "acme-payments-exports.s3.eu-west-1.amazonaws.com")
        .put("key", "2025/06/01/settlement.csv");
    ObjectNode get = CloudSources.record("3b1e7c9d-4a2f-4d6b-9e8c-7f5a1b2c3d4e", t0.plusSeconds(60),
        "s3.amazonaws.com", "GetObject", REGION, ACCOUNT, RUNNER_IP, "[aws-cli/2.17.4 command/s3.cp]",
        CloudSources.assumedRoleIdentity(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, webId,
            t0.plusSeconds(45)), getReq, null,
        List.<String[]>of(new String[] {"AWS::S3::Object", "arn:aws:s3:::acme-payments-exports/2025/06/01/settlement.csv"},
            new String[] {"AWS::S3::Bucket", "arn:aws:s3:::acme-payments-exports", ACCOUNT}), true, false);
    r.add(CloudSources.trail("05-cloudtrail-s3-getobject.json", get, session,
        CloudSources.assumedRole(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, webId), null, null, null,
        null, Map.of(), null));

    String secretArn = "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:payments/db-AbCdEf";
    ObjectNode secretReq = Json.mapper().createObjectNode();
    secretReq.put("secretId", secretArn);
    ObjectNode secret = CloudSources.record("7d2c4e6f-8a1b-4c3d-9e5f-1a2b3c4d5e6f", t0.plusSeconds(75),
        "secretsmanager.amazonaws.com", "GetSecretValue", REGION, ACCOUNT, RUNNER_IP,
        "aws-cli/2.17.4 command/secretsmanager.get-secret-value",
        CloudSources.assumedRoleIdentity(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, webId,
            t0.plusSeconds(45)), secretReq, null, List.of(), true, true);
    r.add(CloudSources.trail("06-cloudtrail-secretsmanager-getsecretvalue.json", secret, session,
        CloudSources.assumedRole(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, webId), null, null, null,
        null, Map.of(), null));
    r.add(CiSources.githubJob("07-github-workflow_job-completed.json", REPO,
        RUN_ID, JOB_ID, "completed", "success", t0, t0.plusSeconds(20), t0.plusSeconds(120), "deploy", "main"));

    return new Scenario(NAME, "GitHub run -> OIDC user -> TokenRequest -> service-account token -> EKS IRSA "
        + "AssumeRoleWithWebIdentity -> S3 GetObject and Secrets Manager GetSecretValue. Correlator setting: "
        + "clusters {https://" + ISSUER + ": " + CLUSTER + "}.", r, Map.of(
        "run", run, "job", job, "user", IdentityRef.k8sUser(CLUSTER, OIDC_USER).toString(),
        "token", IdentityRef.k8sToken(CLUSTER, JTI).toString(),
        "serviceAccount", IdentityRef.k8sServiceAccount(CLUSTER, "payments", "billing-api").toString(),
        "session", session, "role", IdentityRef.awsRole(ACCOUNT, ROLE).toString(), "issuer", "https://" + ISSUER));
  }
}
