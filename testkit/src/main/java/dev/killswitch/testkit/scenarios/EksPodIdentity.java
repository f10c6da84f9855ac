package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * (d) A GitHub Actions run starts pod {@code ns-a/app1} (service account {@code sa1}) in EKS cluster
 * {@code eksworkshop-eksctl}; the EKS Pod Identity agent gets the pod AWS credentials (eks-auth
 * AssumeRoleForPodIdentity, then sts AssumeRole by pods.eks.amazonaws.com with the kubernetes-* session tags) and the
 * pod lists an S3 bucket. Account, cluster, namespace, service account, pod, role and key ids are those of the
 * aws-samples EKS Pod Identity records (see /work/shared/fixtures/PROVENANCE.md); the times are the scenario's.
 */
public final class EksPodIdentity {

  public static final String NAME = "eks-pod-identity";
  public static final String REPO = "acme/reports";
  public static final long RUN_ID = 33445566778L;
  public static final long JOB_ID = 55667788990L;
  public static final String CLUSTER = "eksworkshop-eksctl";
  public static final String ACCOUNT = "823571991546";
  public static final String REGION = "us-west-2";
  public static final String ROLE = "eks-pod-s3-read-access-role";
  public static final String SESSION_KEY = "ASIA37QFXJP5MQOWRZ6Q";
  public static final String SESSION_NAME = "eks-eksworksho-app1-498124c2-a555-40bf-9059-ca9a26821eb0";
  /** The role's unique id (the aws-samples record's): the session's aws:userid is ROLE_ID:SESSION_NAME. */
  public static final String ROLE_ID = "AROA37QFXJP5LOO5CGXEC";
  public static final String OIDC_USER = "github:repo:acme/reports:ref:refs/heads/main";
  public static final String POD_IP = "192.168.45.17";

  private EksPodIdentity() {}

  public static Scenario scenario(Instant t0) {
    String run = IdentityRef.githubRun(REPO, Long.toString(RUN_ID)).toString();
    String job = IdentityRef.githubJob(REPO, Long.toString(JOB_ID)).toString();
    String session = IdentityRef.awsSession(ACCOUNT, SESSION_KEY).toString();
    List<SourceRecord> r = new ArrayList<>();
    r.add(CiSources.githubJob("01-github-workflow_job-in_progress.json",
        REPO, RUN_ID, JOB_ID, "in_progress", null, t0, t0.plusSeconds(5), null, "report", "main"));
    ObjectNode pod = Json.mapper().createObjectNode();
    pod.put("kind", "Pod").put("apiVersion", "v1");
    pod.putObject("metadata").put("name", "app1").put("namespace", "ns-a");
    ObjectNode spec = pod.putObject("spec");
    spec.put("serviceAccountName", "sa1");
    spec.putArray("containers").addObject().put("name", "app").put("image",
        "public.ecr.aws/aws-cli/aws-cli:2.15.38");
    r.add(new AuditSource(CLUSTER, "2c7a1e9f-3b4d-4e8a-9c0f-5d6e7f8a9b0c", t0.plusSeconds(20))
        .request("create", "/api/v1/namespaces/ns-a/pods")
        .user(OIDC_USER, List.of("system:authenticated"))
        .extra("killswitch.dev/ci-run", run).extra("killswitch.dev/ci-job", job)
        .from("20.42.11.9", "kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e")
        .object(null, "pods", null, "ns-a", "app1").response(201)
        .objects("Request", pod, null)
        .build("02-k8s-audit-create-pod.json"));

    ObjectNode nodeReq = Json.mapper().createObjectNode();
    nodeReq.put("clusterName", CLUSTER).put("token", "HIDDEN_DUE_TO_SECURITY_REASONS");
    ObjectNode agent = CloudSources.record("eaef7c6d-f6d0-4a9a-8380-4547a9ac326e", t0.plusSeconds(40),
        "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity", REGION, ACCOUNT, "34.222.6.96",
        "aws-sdk-go-v2/1.25.2 os/linux lang/go api/eksauth#1.0.3",
        CloudSources.assumedRoleIdentity(ACCOUNT, "eks-security-workshop", "i-07574d724fb843fda",
            "ASIA37QFXJP5LMALW5PH", null, t0.minusSeconds(360)), nodeReq, null, List.of(), true, true);
    r.add(CloudSources.trail("03-cloudtrail-eks-auth-assume-role-for-pod-identity.json", agent,
        IdentityRef.awsSession(ACCOUNT, "ASIA37QFXJP5LMALW5PH").toString(),
        CloudSources.assumedRole(ACCOUNT, "eks-security-workshop", "i-07574d724fb843fda", "ASIA37QFXJP5LMALW5PH",
            null), null, null, null, null, Map.of(), null));

    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("eks-cluster-arn", "arn:aws:eks:" + REGION + ":" + ACCOUNT + ":cluster/" + CLUSTER);
    tags.put("eks-cluster-name", CLUSTER);
    tags.put("kubernetes-namespace", "ns-a");
    tags.put("kubernetes-service-account", "sa1");
    tags.put("kubernetes-pod-name", "app1");
    tags.put("kubernetes-pod-uid", "0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012");
    ObjectNode service = Json.mapper().createObjectNode();
    service.put("type", "AWSService").put("invokedBy", "pods.eks.amazonaws.com");
    ObjectNode assumeReq = Json.mapper().createObjectNode();
    assumeReq.put("roleArn", "arn:aws:iam::" + ACCOUNT + ":role/" + ROLE).put("roleSessionName", SESSION_NAME)
        .put("durationSeconds", 21600);
    ArrayNode tagList = assumeReq.putArray("tags");
    tags.forEach((k, v) -> tagList.addObject().put("key", k).put("value", v));
    ArrayNode transitive = assumeReq.putArray("transitiveTagKeys");
    tags.keySet().forEach(transitive::add);
    Instant expires = t0.plusSeconds(40 + 21600);
    ObjectNode assumeResp = Json.mapper().createObjectNode();
    assumeResp.putObject("credentials").put("accessKeyId", SESSION_KEY)
        .put("sessionToken", CloudSources.SESSION_TOKEN_PLACEHOLDER).put("expiration", CloudSources.expiration(expires));
    assumeResp.putObject("assumedRoleUser").put("assumedRoleId", ROLE_ID + ":" + SESSION_NAME)
        .put("arn", "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + ROLE + "/" + SESSION_NAME);
    assumeResp.put("packedPolicySize", 56);
    ObjectNode assume = CloudSources.record("7b7e4636-4713-3d04-b86a-cd6774cdbae9", t0.plusSeconds(40),
        "sts.amazonaws.com", "AssumeRole", REGION, ACCOUNT, "pods.eks.amazonaws.com", "pods.eks.amazonaws.com",
        service, assumeReq, assumeResp, List.<String[]>of(new String[] {"AWS::IAM::Role",
            "arn:aws:iam::" + ACCOUNT + ":role/" + ROLE, ACCOUNT}), true, true);
    r.add(CloudSources.trail("04-cloudtrail-sts-assumerole-pod-identity.json", assume, null,
        new AwsCloudTrailEvent.Identity("AWSService", null, null, null, null, null, null, null, null, null, null),
        session, IdentityRef.awsRole(ACCOUNT, ROLE).toString(), SESSION_NAME, null, tags,
        new CloudSources.Assumed("arn:aws:iam::" + ACCOUNT + ":role/" + ROLE, ROLE_ID, expires), null));

    ObjectNode listReq = Json.mapper().createObjectNode();
    listReq.put("bucketName", "acme-reports").put("list-type", "2").put("prefix", "2025/06/")
        .put("Host", "acme-reports.s3.us-west-2.amazonaws.com");
    ObjectNode list = CloudSources.record("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", t0.plusSeconds(55),
        "s3.amazonaws.com", "ListObjects", REGION, ACCOUNT, POD_IP, "[aws-cli/2.15.38 command/s3.ls]",
        CloudSources.assumedRoleIdentity(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, null, t0.plusSeconds(40)),
        listReq, null, List.<String[]>of(new String[] {"AWS::S3::Bucket", "arn:aws:s3:::acme-reports", ACCOUNT}),
        true, false);
    r.add(CloudSources.trail("05-cloudtrail-s3-listobjects.json", list, session,
        CloudSources.assumedRole(ACCOUNT, ROLE, SESSION_NAME, SESSION_KEY, null), null, null, null, null, Map.of(),
        null));
    r.add(CiSources.githubJob("06-github-workflow_job-completed.json", REPO,
        RUN_ID, JOB_ID, "completed", "success", t0, t0.plusSeconds(5), t0.plusSeconds(300), "report", "main"));
    return new Scenario(NAME, "GitHub run -> OIDC user creates pod ns-a/app1 -> EKS Pod Identity "
        + "(eks-auth AssumeRoleForPodIdentity, sts AssumeRole by pods.eks.amazonaws.com with kubernetes-* session "
        + "tags) -> S3 ListObjects.", r, Map.of(
        "run", run, "job", job, "user", IdentityRef.k8sUser(CLUSTER, OIDC_USER).toString(),
        "pod", IdentityRef.k8sPod(CLUSTER, "ns-a", "app1").toString(),
        "serviceAccount", IdentityRef.k8sServiceAccount(CLUSTER, "ns-a", "sa1").toString(),
        "session", session, "role", IdentityRef.awsRole(ACCOUNT, ROLE).toString()));
  }
}
