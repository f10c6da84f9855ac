package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.killswitch.ingest.CloudSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every cloud event ingest makes from a fixture or a documented sample validates against its shipped JSON Schema. */
class CloudSchemaConformanceTest {

  private static final List<String> CLOUDTRAIL_FIXTURES = List.of(
      "aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_AccessDenied.json",
      "aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_from-lookup-events.json",
      "aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json",
      "aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json",
      "aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json",
      "awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json");
  private static final List<String> GCP_FIXTURES = List.of(
      "google-docs_iam-admin-CreateServiceAccount.json",
      "google-docs_iam-admin-SetIAMPolicy_grant-serviceAccountUser.json",
      "google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json",
      "google-docs_wif_pubsub-CreateTopic_impersonated-sa_serviceAccountDelegationInfo.json",
      "google-docs_wif_sts-ExchangeToken_azure.json");

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private final Redactor redactor = new Redactor();

  @Test
  void everyNormalizedCloudTrailRecordValidates() {
    CloudTrailNormalizer normalizer = new CloudTrailNormalizer(redactor);
    List<JsonNode> roots = new ArrayList<>();
    CLOUDTRAIL_FIXTURES.forEach(f -> roots.add(Fixtures.json("cloudtrail/" + f)));
    roots.add(CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY));
    roots.add(CloudSamples.json(CloudSamples.IRSA_ASSUME_ROLE_WITH_WEB_IDENTITY));
    roots.add(CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY));

    int validated = 0;
    for (JsonNode root : roots) {
      for (CloudTrailRoute.Item item : CloudTrailRoute.items(root)) {
        Normalized n = normalizer.normalize(CloudTrailRoute.recordOf(item), item.envelopeAccount(),
            item.envelopeRegion());
        assertValid(((Normalized.Publish) n).event());
        validated++;
      }
    }
    assertThat(validated).isEqualTo(roots.size());
  }

  @Test
  void everyNormalizedGcpAuditEntryValidates() {
    GcpAuditNormalizer normalizer = new GcpAuditNormalizer(redactor);
    List<JsonNode> entries = new ArrayList<>();
    GCP_FIXTURES.forEach(f -> entries.add(Fixtures.json("gcp-audit/" + f)));
    entries.add(CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY));

    for (JsonNode entry : entries) {
      assertValid(((Normalized.Publish) normalizer.normalize(entry)).event());
    }
  }

  private static void assertValid(Envelope<?> e) {
    JsonNode data = Json.mapper().valueToTree(e.data());
    assertThat(schema(e.type()).validate(data)).as(e.id()).isEmpty();
  }

  private static JsonSchema schema(EventType type) {
    try (InputStream in = EventType.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
      assertThat(in).as(type.schemaResource()).isNotNull();
      return FACTORY.getSchema(Json.mapper().readTree(in), CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
