package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.CloudSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.GcpAuditEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GcpAuditNormalizerTest {

  private static final String SA = "gcp:my-project:sa/my-service-account@my-project.iam.gserviceaccount.com";
  private final GcpAuditNormalizer normalizer = new GcpAuditNormalizer(new Redactor());

  private Envelope<?> envelope(JsonNode entry) {
    Normalized n = normalizer.normalize(entry);
    assertThat(n).isInstanceOf(Normalized.Publish.class);
    return ((Normalized.Publish) n).event();
  }

  private GcpAuditEvent event(JsonNode entry) {
    return envelope(entry).dataAs(GcpAuditEvent.class);
  }

  private static JsonNode fixture(String name) {
    return Fixtures.json("gcp-audit/" + name);
  }

  // ---- the shared fixtures (Google abbreviated them: many fields are missing) ----

  @Test
  void createServiceAccountByAHumanTargetsTheNewAccountAndHasNoActor() {
    Envelope<?> env = envelope(fixture("google-docs_iam-admin-CreateServiceAccount.json"));
    GcpAuditEvent e = env.dataAs(GcpAuditEvent.class);

    assertThat(env.type()).isEqualTo(EventType.GCP_AUDIT);
    assertThat(e.methodName()).isEqualTo("google.iam.admin.v1.CreateServiceAccount");
    assertThat(e.principalEmail()).isEqualTo("example-user@example.com");
    assertThat(e.actor()).isNull();
    assertThat(e.target()).isEqualTo(SA);
    assertThat(env.partitionKey()).isEqualTo(SA);
    // No insertId, no logName, no project label: a deterministic id and an unknown scope.
    assertThat(e.insertId()).isNull();
    assertThat(e.project()).isNull();
    assertThat(env.source()).isEqualTo(URI.create("gcp://_unknown"));
    assertThat(env.id()).matches("[0-9a-f]{32}");
    assertThat(env.time()).isNull();
    assertThat(e.delegationChain()).isEmpty();
  }

  @Test
  void entryWithoutInsertIdGetsTheSameIdWhateverTheOrderOfItsFields() throws Exception {
    JsonNode entry = fixture("google-docs_iam-admin-CreateServiceAccount.json");
    ObjectNode reordered = Json.mapper().createObjectNode();
    reordered.set("resource", entry.get("resource"));
    reordered.set("protoPayload", reversed((ObjectNode) entry.get("protoPayload")));
    ObjectNode other = entry.deepCopy();
    ((ObjectNode) other.get("protoPayload")).put("methodName", "google.iam.admin.v1.DeleteServiceAccount");

    String id = envelope(fixture("google-docs_iam-admin-CreateServiceAccount.json")).id();

    assertThat(envelope(reordered).id()).isEqualTo(id);
    assertThat(envelope(other).id()).isNotEqualTo(id);
  }

  private static ObjectNode reversed(ObjectNode node) {
    ObjectNode out = Json.mapper().createObjectNode();
    java.util.List<Map.Entry<String, JsonNode>> fields = new java.util.ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      fields.add(it.next());
    }
    java.util.Collections.reverse(fields);
    fields.forEach(f -> out.set(f.getKey(), f.getValue()));
    return out;
  }

  @Test
  void setIamPolicyOnAServiceAccountTargetsItThoughTheResourceNameHoldsItsUniqueId() {
    Envelope<?> env = envelope(fixture("google-docs_iam-admin-SetIAMPolicy_grant-serviceAccountUser.json"));
    GcpAuditEvent e = env.dataAs(GcpAuditEvent.class);

    assertThat(e.methodName()).isEqualTo("google.iam.admin.v1.SetIAMPolicy");
    assertThat(e.resourceName()).isEqualTo("projects/-/serviceAccounts/123456789012345678901");
    assertThat(e.target()).isEqualTo(SA);
    assertThat(e.project()).isEqualTo("my-project");
    assertThat(env.source()).isEqualTo(URI.create("gcp://my-project"));
    assertThat(e.raw().at("/protoPayload/response/bindings/0/members/0").asText()).isEqualTo("user:srini@example.com");
  }

  @Test
  void generateAccessTokenByAFederatedPrincipalIsActedByTheWifPrincipalAndTargetsTheImpersonatedAccount() {
    Envelope<?> env = envelope(fixture("google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json"));
    GcpAuditEvent e = env.dataAs(GcpAuditEvent.class);

    String principal = "gcp:wif/projects/1234567890123/locations/global/workloadIdentityPools/aws-pool/012345678901";
    assertThat(e.principalSubject()).isEqualTo("principal://iam.googleapis.com/projects/1234567890123/locations/"
        + "global/workloadIdentityPools/aws-pool/subject/012345678901");
    assertThat(e.actor()).isEqualTo(principal);
    assertThat(env.subject()).isEqualTo(principal);
    assertThat(e.methodName()).isEqualTo("GenerateAccessToken");
    assertThat(e.target()).isEqualTo(SA);
    assertThat(e.project()).isEqualTo("my-project");
  }

  @Test
  void callByAnImpersonatedAccountCarriesTheFederatedPrincipalAsItsDelegationChain() {
    GcpAuditEvent e = event(fixture(
        "google-docs_wif_pubsub-CreateTopic_impersonated-sa_serviceAccountDelegationInfo.json"));

    assertThat(e.principalEmail()).isEqualTo("my-service-account@my-project.iam.gserviceaccount.com");
    assertThat(e.actor()).isEqualTo(SA);
    assertThat(e.delegationChain()).containsExactly(
        "gcp:wif/projects/1234567890123/locations/global/workloadIdentityPools/aws-pool/arn:aws:iam::123456789012:role/my-role");
    assertThat(e.methodName()).isEqualTo("google.pubsub.v1.Publisher.CreateTopic");
    assertThat(e.resourceName()).isEqualTo("projects/my-project/topics/my-topic");
    assertThat(e.target()).isNull();
  }

  @Test
  void stsExchangeTokenIsActedByTheMappedPrincipalAndKeepsTheExternalSubject() {
    GcpAuditEvent e = event(fixture("google-docs_wif_sts-ExchangeToken_azure.json"));

    assertThat(e.methodName()).isEqualTo("google.identity.sts.v1.SecurityTokenService.ExchangeToken");
    assertThat(e.principalSubject()).isEqualTo("b6112abb-5791-4507-adb5-7e8cc306eb2e");
    assertThat(e.actor()).isEqualTo(
        "gcp:wif/projects/1234567890123/locations/global/workloadIdentityPools/azure-pool/a1234bcd-5678-9012-efa3-4b5cd678ef9a");
    assertThat(e.resourceName())
        .isEqualTo("projects/1234567890123/locations/global/workloadIdentityPools/azure-pool/providers/azure");
    assertThat(e.target()).isNull();
  }

  // ---- built from Google's reference documentation: no public sample exists (see CloudSamples) ----

  @Test
  void createServiceAccountKeyTargetsTheNewKeyAndItsPrivateKeyDataIsRemoved() {
    Envelope<?> env = envelope(CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY));
    GcpAuditEvent e = env.dataAs(GcpAuditEvent.class);

    assertThat(env.id()).isEqualTo("1x7b2kfe8q3l");
    assertThat(e.insertId()).isEqualTo("1x7b2kfe8q3l");
    assertThat(env.source()).isEqualTo(URI.create("gcp://acme-prod"));
    assertThat(env.time()).isEqualTo(OffsetDateTime.parse("2025-03-14T09:25:11.398227Z"));
    assertThat(e.serviceName()).isEqualTo("iam.googleapis.com");
    assertThat(e.target()).isEqualTo(
        "gcp:acme-prod:sa-key/backup-writer@acme-prod.iam.gserviceaccount.com/" + CloudSamples.GCP_KEY_ID);
    assertThat(e.actor()).isEqualTo("gcp:acme-prod:sa/deployer@acme-prod.iam.gserviceaccount.com");
    assertThat(e.delegationChain()).containsExactly(
        "gcp:wif/projects/987654321098/locations/global/workloadIdentityPools/github/repo:acme/app:ref:refs/heads/main");
    assertThat(e.callerIp()).isEqualTo("198.51.100.24");
    assertThat(e.userAgent()).startsWith("google-cloud-sdk gcloud/470.0.0");
    assertThat(e.statusCode()).isNull();
    assertThat(e.raw().at("/protoPayload/response/private_key_data").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().toString()).doesNotContain(CloudSamples.PRIVATE_KEY_DATA);
  }

  @Test
  void callMadeWithAServiceAccountKeyIsActedByThatKey() {
    ObjectNode entry = (ObjectNode) CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY);
    ((ObjectNode) entry.at("/protoPayload/authenticationInfo")).put("serviceAccountKeyName",
        "//iam.googleapis.com/projects/acme-prod/serviceAccounts/deployer@acme-prod.iam.gserviceaccount.com/keys/0a1b2c3d");

    GcpAuditEvent e = event(entry);

    assertThat(e.actor()).isEqualTo("gcp:acme-prod:sa-key/deployer@acme-prod.iam.gserviceaccount.com/0a1b2c3d");
    assertThat(e.serviceAccountKeyName()).endsWith("/keys/0a1b2c3d");
  }

  @Test
  void failedCallKeepsItsStatusAndTargetsNothing() {
    ObjectNode entry = (ObjectNode) CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY);
    ((ObjectNode) entry.get("protoPayload")).putObject("status").put("code", 7).put("message", "PERMISSION_DENIED");
    ((ObjectNode) entry.get("protoPayload")).remove("response");

    GcpAuditEvent e = event(entry);

    assertThat(e.statusCode()).isEqualTo(7);
    assertThat(e.statusMessage()).isEqualTo("PERMISSION_DENIED");
    assertThat(e.target()).isNull();
  }

  @Test
  void signJwtAndDisableServiceAccountKeyTargetTheAccountAndTheKeyTheyNameReadsTargetNothing() {
    assertThat(target("SignJwt", "projects/-/serviceAccounts/signer@acme-prod.iam.gserviceaccount.com"))
        .isEqualTo("gcp:acme-prod:sa/signer@acme-prod.iam.gserviceaccount.com");
    assertThat(target("google.iam.admin.v1.DisableServiceAccountKey",
        "projects/acme-prod/serviceAccounts/signer@acme-prod.iam.gserviceaccount.com/keys/k1"))
        .isEqualTo("gcp:acme-prod:sa-key/signer@acme-prod.iam.gserviceaccount.com/k1");
    assertThat(target("google.iam.admin.v1.GetServiceAccount",
        "projects/-/serviceAccounts/signer@acme-prod.iam.gserviceaccount.com")).isNull();
  }

  private String target(String methodName, String requestName) {
    ObjectNode entry = (ObjectNode) fixture("google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json");
    ObjectNode payload = (ObjectNode) entry.get("protoPayload");
    payload.put("methodName", methodName).putObject("request").put("name", requestName);
    payload.remove("resourceName");
    entry.remove("resource");
    return event(entry).target();
  }

  @Test
  void nonAuditEntriesAreIgnoredAndAnEntryWithoutMethodIsInvalid() {
    JsonNode app = CloudSamples.json("{\"insertId\":\"a\",\"jsonPayload\":{\"msg\":\"hello\"}}");
    ObjectNode noMethod = (ObjectNode) fixture("google-docs_iam-admin-CreateServiceAccount.json");
    ((ObjectNode) noMethod.get("protoPayload")).remove("methodName");

    assertThat(normalizer.normalize(app)).isInstanceOf(Normalized.Ignore.class);
    assertThatThrownBy(() -> normalizer.normalize(noMethod)).isInstanceOf(IngestException.class)
        .hasMessageContaining("methodName");
  }

  @Test
  void pubSubPushEnvelopeCarriesTheEntryBase64Encoded() throws Exception {
    byte[] entry = Fixtures.bytes("gcp-audit/google-docs_wif_sts-ExchangeToken_azure.json");
    ObjectNode push = Json.mapper().createObjectNode();
    push.putObject("message").put("data", Base64.getEncoder().encodeToString(entry))
        .put("messageId", "2070443601311540").putObject("attributes")
        .put("logging.googleapis.com/timestamp", "2025-03-14T09:25:11Z");
    push.put("subscription", "projects/my-project/subscriptions/killswitch-audit");

    assertThat(GcpAuditRoute.isPush(push)).isTrue();
    assertThat(GcpAuditRoute.pushedEntry(push)).isEqualTo(Json.mapper().readTree(entry));
    assertThat(GcpAuditRoute.isPush(Json.mapper().readTree(entry))).isFalse();
  }

  @Test
  void pubSubMessageWhoseDataIsNotALogEntryIsInvalid() {
    ObjectNode push = Json.mapper().createObjectNode();
    push.putObject("message").put("data", Base64.getEncoder().encodeToString("not json".getBytes(StandardCharsets.UTF_8)));
    ObjectNode notBase64 = Json.mapper().createObjectNode();
    notBase64.putObject("message").put("data", "%%% not base64 %%%");

    assertThatThrownBy(() -> GcpAuditRoute.pushedEntry(push)).isInstanceOf(IngestException.class)
        .hasMessageContaining("not a JSON LogEntry");
    assertThatThrownBy(() -> GcpAuditRoute.pushedEntry(notBase64)).isInstanceOf(IngestException.class)
        .hasMessageContaining("not base64");
  }
}
