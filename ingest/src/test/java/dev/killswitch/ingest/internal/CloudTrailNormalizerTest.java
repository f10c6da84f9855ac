package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.CloudSamples.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.CloudSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudTrailNormalizerTest {

  private final CloudTrailNormalizer normalizer = new CloudTrailNormalizer(new Redactor());

  private Envelope<?> envelope(JsonNode root) {
    List<CloudTrailRoute.Item> items = CloudTrailRoute.items(root);
    assertThat(items).hasSize(1);
    CloudTrailRoute.Item item = items.get(0);
    Normalized n = normalizer.normalize(CloudTrailRoute.recordOf(item), item.envelopeAccount(), item.envelopeRegion());
    assertThat(n).isInstanceOf(Normalized.Publish.class);
    return ((Normalized.Publish) n).event();
  }

  private AwsCloudTrailEvent event(JsonNode root) {
    return envelope(root).dataAs(AwsCloudTrailEvent.class);
  }

  private static AwsCloudTrailEvent data(Envelope<?> e) {
    return e.dataAs(AwsCloudTrailEvent.class);
  }

  // ---- the shared fixtures ----

  @Test
  void podIdentityAgentCallIsActedByTheNodeRoleSessionAndMintsNothingCloudTrailShows() {
    Envelope<?> env = envelope(Fixtures.json("cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json"));
    AwsCloudTrailEvent e = data(env);

    String nodeSession = "aws:823571991546:session/ASIA37QFXJP5LMALW5PH";
    assertThat(env.id()).isEqualTo("eaef7c6d-f6d0-4a9a-8380-4547a9ac326e");
    assertThat(env.type()).isEqualTo(EventType.AWS_CLOUDTRAIL);
    assertThat(env.source()).isEqualTo(URI.create("aws://823571991546/us-west-2"));
    assertThat(env.subject()).isEqualTo(nodeSession);
    assertThat(env.partitionKey()).isEqualTo(nodeSession);
    assertThat(env.time()).isEqualTo(OffsetDateTime.parse("2024-04-16T08:29:33Z"));
    assertThat(e.eventName()).isEqualTo("AssumeRoleForPodIdentity");
    assertThat(e.eventSource()).isEqualTo("eks-auth.amazonaws.com");
    assertThat(e.actor()).isEqualTo(nodeSession);
    assertThat(e.identity().type()).isEqualTo("AssumedRole");
    assertThat(e.identity().principalId()).isEqualTo("AROA37QFXJP5E2DPF472Q:i-07574d724fb843fda");
    assertThat(e.identity().sessionIssuerArn()).isEqualTo("arn:aws:iam::823571991546:role/eks-security-workshop");
    assertThat(e.identity().sessionIssuerType()).isEqualTo("Role");
    assertThat(e.identity().sessionIssuerUserName()).isEqualTo("eks-security-workshop");
    // CloudTrail logs responseElements: null for eks-auth: the minted session is only known from the sts record.
    assertThat(e.mintedSession()).isNull();
    assertThat(e.assumedRole()).isNull();
    assertThat(e.errorCode()).isNull();
    assertThat(e.readOnly()).isTrue();
    assertThat(e.sourceIp()).isEqualTo("34.222.6.96");
    assertThat(e.userAgent()).contains("command/eks-auth.assume-role-for-pod-identity");
    assertThat(e.raw().at("/requestParameters/token").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().at("/requestParameters/clusterName").asText()).isEqualTo("eksworkshop-eksctl");
  }

  @Test
  void accessDeniedPodIdentityCallKeepsTheErrorCodeAndMessage() {
    AwsCloudTrailEvent e = event(Fixtures.json(
        "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_AccessDenied.json"));

    assertThat(e.errorCode()).isEqualTo("AccessDenied");
    assertThat(e.errorMessage()).isEqualTo(
        "Unauthorized Exception! EKS does not have permissions to assume the associated role.");
    assertThat(e.actor()).isEqualTo("aws:753273931759:session/ASIA26YVAA7XWZTLILHG");
    assertThat(e.account()).isEqualTo("753273931759");
    assertThat(e.mintedSession()).isNull();
    assertThat(e.identity().sessionIssuerUserName()).isEqualTo("eks-bootstrap-template-ws-EKSNodegroupRole-E1potkq4Auqa");
  }

  @Test
  void recordWithThePlaceholderAccountOfTheLookupEventsSampleStillNormalizes() {
    Envelope<?> env = envelope(Fixtures.json(
        "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_from-lookup-events.json"));

    assertThat(data(env).account()).isEqualTo("ACCOUNT_ID");
    assertThat(data(env).actor()).isEqualTo("aws:ACCOUNT_ID:session/ASIAQAHCJ2QPOFDF6NOW");
    assertThat(env.source()).isEqualTo(URI.create("aws://ACCOUNT_ID/us-west-2"));
    assertThat(env.id()).isEqualTo("e05b6d2e-4be6-45dd-8ad5-ba1e076002a5");
  }

  @Test
  void lookupEventsOutputIsReadFromTheCloudTrailEventStringAndMatchesTheSameRecordDeliveredAsJson() {
    JsonNode output = Fixtures.json("cloudtrail/aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json");

    List<CloudTrailRoute.Item> items = CloudTrailRoute.items(output);
    Envelope<?> fromString = envelope(output);
    Envelope<?> fromRecord = envelope(Fixtures.json(
        "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_AccessDenied.json"));

    assertThat(items).singleElement().satisfies(i -> assertThat(i.lookupEvent()).isTrue());
    assertThat(fromString.id()).isEqualTo("d647586b-b713-46af-b7f9-512c7f5145dd").isEqualTo(fromRecord.id());
    assertThat(fromString).isEqualTo(fromRecord);
    assertThat(data(fromString).errorCode()).isEqualTo("AccessDenied");
    assertThat(data(fromString).raw().has("EventId")).as("raw is the record, not the lookup envelope").isFalse();
  }

  @Test
  void podIdentitySessionMintedByTheEksServiceCarriesTheKubernetesSessionTagsAndIsKeyedBySession() {
    Envelope<?> env = envelope(Fixtures.json(
        "cloudtrail/aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json"));
    AwsCloudTrailEvent e = data(env);

    String session = "aws:823571991546:session/ASIA37QFXJP5MQOWRZ6Q";
    assertThat(e.identity().type()).isEqualTo("AWSService");
    assertThat(e.actor()).isNull();
    assertThat(e.mintedSession()).isEqualTo(session);
    assertThat(env.subject()).isEqualTo(session);
    assertThat(env.partitionKey()).isEqualTo(session);
    assertThat(e.assumedRole()).isEqualTo("aws:823571991546:role/eks-pod-s3-read-access-role");
    assertThat(e.sessionName()).isEqualTo("eks-eksworksho-app1-498124c2-a555-40bf-9059-ca9a26821eb0");
    assertThat(e.roleArn()).isEqualTo("arn:aws:iam::823571991546:role/eks-pod-s3-read-access-role");
    assertThat(e.roleId()).isEqualTo("AROA37QFXJP5LOO5CGXEC");
    assertThat(e.sessionExpiresAt()).isEqualTo(Instant.parse("2024-04-16T15:20:04Z"));
    assertThat(e.sessionTags()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "eks-cluster-arn", "arn:aws:eks:us-west-2:823571991546:cluster/eksworkshop-eksctl",
        "eks-cluster-name", "eksworkshop-eksctl",
        "kubernetes-namespace", "ns-a",
        "kubernetes-service-account", "sa1",
        "kubernetes-pod-name", "app1",
        "kubernetes-pod-uid", "0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012"));
    assertThat(e.sourceIp()).isEqualTo("pods.eks.amazonaws.com");
    assertThat(e.raw().at("/responseElements/credentials/sessionToken").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().at("/responseElements/credentials/accessKeyId").asText()).isEqualTo("ASIA37QFXJP5MQOWRZ6Q");
    assertThat(e.raw().toString()).doesNotContain("IQoJb3JpZ2luX2VjEIL");
  }

  @Test
  void eventBridgeEnvelopeYieldsItsCloudTrailDetailActedByTheLongLivedKey() {
    Envelope<?> env = envelope(Fixtures.json(
        "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json"));
    AwsCloudTrailEvent e = data(env);

    assertThat(env.id()).isEqualTo("cdc4b7ed-e171-4cef-975a-ad829d4123e8");
    assertThat(env.source()).isEqualTo(URI.create("aws://123456789012/us-east-2"));
    assertThat(e.actor()).isEqualTo("aws:123456789012:access-key/AKIAI44QH8DHBEXAMPLE");
    assertThat(e.identity().type()).isEqualTo("IAMUser");
    assertThat(e.identity().arn()).isEqualTo("arn:aws:iam::123456789012:user/username");
    assertThat(e.eventSource()).isEqualTo("s3.amazonaws.com");
    assertThat(e.eventName()).isEqualTo("PutObject");
    assertThat(e.readOnly()).isFalse();
    assertThat(e.iamTarget()).isNull();
    assertThat(e.raw().has("detail-type")).as("raw is the record, not the EventBridge envelope").isFalse();
  }

  @Test
  void eventBridgeEnvelopeFillsAccountAndRegionTheRecordLacks() {
    ObjectNode envelope = (ObjectNode) Fixtures.json(
        "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json");
    ((ObjectNode) envelope.get("detail")).remove(List.of("recipientAccountId", "awsRegion"));
    envelope.put("account", "444455556666").put("region", "eu-central-1");

    assertThat(envelope(envelope).source()).isEqualTo(URI.create("aws://444455556666/eu-central-1"));
  }

  @Test
  void eventBridgeEventThatIsNotFromCloudTrailHasNoRecord() {
    ObjectNode envelope = (ObjectNode) Fixtures.json(
        "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json");
    envelope.put("detail-type", "EC2 Instance State-change Notification");

    assertThat(CloudTrailRoute.recordOf(CloudTrailRoute.items(envelope).get(0))).isNull();
  }

  // ---- built from the AWS reference documentation: no public sample exists (see CloudSamples) ----

  @Test
  void githubOidcFederationIsActedByTheWorkflowSubjectAndMintsASessionOfTheRole() {
    Envelope<?> env = envelope(CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY));
    AwsCloudTrailEvent e = data(env);

    String subject = "oidc:token.actions.githubusercontent.com/" + CloudSamples.GITHUB_SUB;
    assertThat(e.actor()).isEqualTo(subject);
    assertThat(env.partitionKey()).isEqualTo(subject);
    assertThat(e.identity().type()).isEqualTo("WebIdentityUser");
    assertThat(e.identity().webIdFederationProvider())
        .isEqualTo("arn:aws:iam::" + ACCOUNT + ":oidc-provider/token.actions.githubusercontent.com");
    assertThat(e.mintedSession()).isEqualTo("aws:" + ACCOUNT + ":session/" + CloudSamples.GITHUB_SESSION_KEY);
    assertThat(e.assumedRole()).isEqualTo("aws:" + ACCOUNT + ":role/gha-deploy");
    assertThat(e.sessionName()).isEqualTo("GitHubActions");
    assertThat(e.sessionTags()).isEmpty();
    assertThat(e.raw().at("/responseElements/subjectFromWebIdentityToken").asText()).isEqualTo(CloudSamples.GITHUB_SUB);
    assertThat(e.raw().at("/responseElements/credentials/secretAccessKey").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().at("/responseElements/credentials/sessionToken").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().toString()).doesNotContain(CloudSamples.SECRET_ACCESS_KEY).doesNotContain(CloudSamples.SESSION_TOKEN);
  }

  @Test
  void irsaFederationIsActedByTheServiceAccountSubjectOfTheClusterIssuerAndTheRolePathIsNotPartOfTheName() {
    AwsCloudTrailEvent e = event(CloudSamples.json(CloudSamples.IRSA_ASSUME_ROLE_WITH_WEB_IDENTITY));

    assertThat(e.actor()).isEqualTo("oidc:oidc.eks.us-west-2.amazonaws.com/system:serviceaccount:payments:billing-api");
    // The grammar keeps the issuer host; the cluster's issuer id stays in the provider.
    assertThat(e.identity().webIdFederationProvider()).endsWith("/id/" + CloudSamples.IRSA_ISSUER_ID);
    assertThat(e.assumedRole()).isEqualTo("aws:" + ACCOUNT + ":role/billing-api-irsa");
    assertThat(e.mintedSession()).isEqualTo("aws:" + ACCOUNT + ":session/" + CloudSamples.IRSA_SESSION_KEY);
    assertThat(e.sessionName()).isEqualTo("1710408602123456789");
    // What denies this one session: aws:userid = <role id>:<session name>, until it expires.
    assertThat(e.roleArn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/payments/billing-api-irsa");
    assertThat(e.roleId()).isEqualTo("AROAEXAMPLEROLEID0002");
    assertThat(e.sessionExpiresAt()).isEqualTo(Instant.parse("2025-03-15T09:30:02Z"));
    assertThat(e.raw().toString()).doesNotContain(CloudSamples.SESSION_TOKEN);
  }

  @Test
  void createAccessKeyTargetsTheNewKeyAndItsSecretIsRemoved() {
    AwsCloudTrailEvent e = event(CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY));

    assertThat(e.iamTarget()).isEqualTo("aws:" + ACCOUNT + ":access-key/" + CloudSamples.NEW_ACCESS_KEY);
    assertThat(e.actor()).isEqualTo("aws:" + ACCOUNT + ":session/" + CloudSamples.GITHUB_SESSION_KEY);
    assertThat(e.identity().sessionIssuerArn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/gha-deploy");
    assertThat(e.identity().webIdFederationProvider()).endsWith(":oidc-provider/token.actions.githubusercontent.com");
    assertThat(e.identity().webIdFederationAttributes()).isEmpty();
    assertThat(e.raw().at("/responseElements/accessKey/secretAccessKey").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().at("/responseElements/accessKey/accessKeyId").asText()).isEqualTo(CloudSamples.NEW_ACCESS_KEY);
    assertThat(e.raw().toString()).doesNotContain(CloudSamples.NEW_KEY_SECRET);
  }

  @Test
  void iamChangesTargetTheKeyRoleOrUserTheyChanged() {
    assertThat(iamTarget("UpdateAccessKey", "{\"accessKeyId\":\"AKIAOLDKEYEXAMPLE001\",\"status\":\"Inactive\",\"userName\":\"u\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":access-key/AKIAOLDKEYEXAMPLE001");
    assertThat(iamTarget("AttachRolePolicy", "{\"roleName\":\"gha-deploy\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":role/gha-deploy");
    assertThat(iamTarget("PutRolePolicy", "{\"roleName\":\"gha-deploy\",\"policyName\":\"inline\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":role/gha-deploy");
    assertThat(iamTarget("DeleteUserPolicy", "{\"userName\":\"legacy-deployer\",\"policyName\":\"inline\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":user/legacy-deployer");
    assertThat(iamTarget("CreateRole", "{\"roleName\":\"new-role\",\"path\":\"/ci/\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":role/new-role");
    assertThat(iamTarget("UpdateAssumeRolePolicy", "{\"roleName\":\"gha-deploy\",\"policyDocument\":\"{}\"}"))
        .isEqualTo("aws:" + ACCOUNT + ":role/gha-deploy");
    assertThat(iamTarget("GetRole", "{\"roleName\":\"gha-deploy\"}")).isNull();
  }

  private String iamTarget(String eventName, String requestParameters) {
    ObjectNode record = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    record.put("eventName", eventName).set("requestParameters", CloudSamples.json(requestParameters));
    record.remove("responseElements");
    return event(record).iamTarget();
  }

  @Test
  void failedCallsMintAndChangeNothing() {
    ObjectNode denied = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    denied.put("errorCode", "AccessDenied").putNull("responseElements");
    ObjectNode deniedAssume = (ObjectNode) CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY);
    deniedAssume.put("errorCode", "AccessDenied").putNull("responseElements");

    assertThat(event(denied).iamTarget()).isNull();
    assertThat(event(denied).errorCode()).isEqualTo("AccessDenied");
    assertThat(event(deniedAssume).mintedSession()).isNull();
    assertThat(event(deniedAssume).assumedRole()).isNull();
    assertThat(event(deniedAssume).sessionName()).isEqualTo("GitHubActions");
    assertThat(event(deniedAssume).actor()).startsWith("oidc:token.actions.githubusercontent.com/");
  }

  @Test
  void webIdentitySessionContextAndSourceIdentityAreNormalized() {
    ObjectNode record = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    ObjectNode context = (ObjectNode) record.at("/userIdentity/sessionContext");
    context.put("sourceIdentity", "run-9876543210");
    ((ObjectNode) context.get("webIdFederationData")).putObject("attributes").put("aud", "sts.amazonaws.com");

    AwsCloudTrailEvent e = event(record);

    assertThat(e.identity().sourceIdentity()).isEqualTo("run-9876543210");
    assertThat(e.sourceIdentity()).isEqualTo("run-9876543210");
    assertThat(e.identity().webIdFederationAttributes()).containsEntry("aud", "sts.amazonaws.com");
  }

  @Test
  void assumeRoleCallerWithoutAKeyIsItsRoleAndPrincipalTagsAreSessionTags() {
    ObjectNode record = (ObjectNode) Fixtures.json(
        "cloudtrail/aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json");
    ObjectNode user = record.putObject("userIdentity");
    user.put("type", "AssumedRole").put("arn", "arn:aws:sts::823571991546:assumed-role/ci-runner/i-0abc")
        .put("accountId", "823571991546").putObject("sessionContext").putObject("sessionIssuer")
        .put("type", "Role").put("arn", "arn:aws:iam::823571991546:role/ci/ci-runner");
    ((ObjectNode) record.get("requestParameters")).putObject("principalTags").put("team", "payments");
    ((ObjectNode) record.get("requestParameters")).put("sourceIdentity", "alice");

    AwsCloudTrailEvent e = event(record);

    assertThat(e.actor()).isEqualTo("aws:823571991546:role/ci-runner");
    assertThat(e.sessionTags()).containsEntry("team", "payments").containsEntry("kubernetes-namespace", "ns-a");
    assertThat(e.sourceIdentity()).isEqualTo("alice");
  }

  @Test
  void insightEventsAreIgnoredAndRecordsWithoutIdOrIdentityAreInvalid() {
    ObjectNode insight = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    insight.put("eventType", "AwsCloudTrailInsight");
    ObjectNode noId = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    noId.remove("eventID");
    ObjectNode noIdentity = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    noIdentity.remove("userIdentity");

    assertThat(normalizer.normalize(insight, null, null)).isInstanceOf(Normalized.Ignore.class);
    assertThatThrownBy(() -> normalizer.normalize(noId, null, null)).isInstanceOf(IngestException.class)
        .hasMessageContaining("eventID");
    assertThatThrownBy(() -> normalizer.normalize(noIdentity, null, null)).isInstanceOf(IngestException.class)
        .hasMessageContaining("userIdentity");
  }

  @Test
  void lookupEventsEntryWithoutAParsableCloudTrailEventIsInvalid() {
    JsonNode output = CloudSamples.json("{\"Events\":[{\"EventId\":\"x\",\"CloudTrailEvent\":\"{not json\"}]}");

    CloudTrailRoute.Item item = CloudTrailRoute.items(output).get(0);

    assertThatThrownBy(() -> CloudTrailRoute.recordOf(item)).isInstanceOf(IngestException.class)
        .hasMessageContaining("CloudTrailEvent");
  }

  @Test
  void sessionExpiryIsReadInCloudTrailsFormAndIso8601AndRoleIdsOnlyFromAroaPrincipalIds() {
    assertThat(CloudTrailNormalizer.expiration("Apr 16, 2024, 3:20:04 PM")).isEqualTo(Instant.parse("2024-04-16T15:20:04Z"));
    assertThat(CloudTrailNormalizer.expiration("Jun 1, 2025, 12:05:00 AM")).isEqualTo(Instant.parse("2025-06-01T00:05:00Z"));
    assertThat(CloudTrailNormalizer.expiration("2025-06-01T11:00:45Z")).isEqualTo(Instant.parse("2025-06-01T11:00:45Z"));
    assertThat(CloudTrailNormalizer.expiration("tomorrow")).isNull();
    assertThat(CloudTrailNormalizer.roleId("AROAEXAMPLEROLEID0002:botocore-session-1")).isEqualTo("AROAEXAMPLEROLEID0002");
    assertThat(CloudTrailNormalizer.roleId("AIDAEXAMPLEUSER:x")).isNull();
    assertThat(CloudTrailNormalizer.roleId(null)).isNull();
  }

  @Test
  void aFailedAssumeRoleNamesNoRoleIdNorExpiry() {
    ObjectNode r = (ObjectNode) CloudSamples.json(CloudSamples.IRSA_ASSUME_ROLE_WITH_WEB_IDENTITY);
    r.put("errorCode", "AccessDenied");

    AwsCloudTrailEvent e = event(r);

    assertThat(e.roleId()).isNull();
    assertThat(e.roleArn()).isNull();
    assertThat(e.sessionExpiresAt()).isNull();
  }

  @Test
  void arnsNameRolesUsersAndSessionsWithoutTheirPath() {
    assertThat(CloudTrailNormalizer.Arn.parse("arn:aws:iam::111122223333:role/service-role/ci/deployer").roleName())
        .isEqualTo("deployer");
    assertThat(CloudTrailNormalizer.Arn.parse("arn:aws:iam::111122223333:user/division/alice").userName())
        .isEqualTo("alice");
    CloudTrailNormalizer.Arn session =
        CloudTrailNormalizer.Arn.parse("arn:aws:sts::111122223333:assumed-role/gha-deploy/GitHubActions");
    assertThat(session.account()).isEqualTo("111122223333");
    assertThat(session.roleName()).isEqualTo("gha-deploy");
    assertThat(session.sessionName()).isEqualTo("GitHubActions");
    assertThat(CloudTrailNormalizer.Arn.parse("not-an-arn")).isNull();
  }
}
