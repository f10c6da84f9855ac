package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Redactor.MARK;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.CloudSamples;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The redactor on what the cloud sources carry: STS credentials, IAM keys, GCP key material and tokens. */
class RedactorCloudTest {

  private final Redactor redactor = new Redactor();

  @Test
  void stsCredentialsLoseTheirSecretHalvesAndKeepTheKeyIdAndTheWebIdentitySubject() {
    JsonNode n = redactor.redact(CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY));

    assertThat(n.at("/responseElements/credentials/secretAccessKey").asText()).isEqualTo(MARK);
    assertThat(n.at("/responseElements/credentials/sessionToken").asText()).isEqualTo(MARK);
    assertThat(n.at("/responseElements/credentials/accessKeyId").asText()).isEqualTo(CloudSamples.GITHUB_SESSION_KEY);
    assertThat(n.at("/responseElements/subjectFromWebIdentityToken").asText()).isEqualTo(CloudSamples.GITHUB_SUB);
  }

  @Test
  void awsCliStyleCredentialsInPascalCaseAreRedacted() throws IOException {
    JsonNode n = redactor.redact(Json.mapper().readTree("""
        {"Credentials":{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"%s","SessionToken":"%s"}}"""
        .formatted(CloudSamples.SECRET_ACCESS_KEY, CloudSamples.SESSION_TOKEN)));

    assertThat(n.at("/Credentials/SecretAccessKey").asText()).isEqualTo(MARK);
    assertThat(n.at("/Credentials/SessionToken").asText()).isEqualTo(MARK);
    assertThat(n.at("/Credentials/AccessKeyId").asText()).isEqualTo("ASIAEXAMPLE");
  }

  @Test
  void sessionTokensAndGoogleAccessTokensAreFoundInsideAnyString() {
    String text = "export AWS_TOKEN_COPY " + CloudSamples.SESSION_TOKEN + " and ya29.a0AfB_byExampleAccessTokenValue123";

    String redacted = redactor.redactString(text);

    assertThat(redacted).doesNotContain(CloudSamples.SESSION_TOKEN).doesNotContain("ya29.a0AfB");
  }

  @Test
  void secretFieldsOfJsonHeldAsAnEscapedStringAreRedactedInUnparsedBytes() {
    String lookupEvents = "{\"Events\":[{\"CloudTrailEvent\":\"{\\\"responseElements\\\":{\\\"credentials\\\":"
        + "{\\\"accessKeyId\\\":\\\"ASIAEXAMPLE\\\",\\\"secretAccessKey\\\":\\\"" + CloudSamples.SECRET_ACCESS_KEY
        + "\\\"}}}\"}],\"trailing";

    String redacted = new String(redactor.redactText(lookupEvents.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);

    assertThat(redacted).doesNotContain(CloudSamples.SECRET_ACCESS_KEY).contains("ASIAEXAMPLE")
        .contains("\\\"secretAccessKey\\\":\\\"" + MARK + "\\\"");
  }

  @Test
  void gcpServiceAccountKeyMaterialIsRedacted() {
    JsonNode n = redactor.redact(CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY));

    assertThat(n.at("/protoPayload/response/private_key_data").asText()).isEqualTo(MARK);
    assertThat(n.at("/protoPayload/response/name").asText()).endsWith("/keys/" + CloudSamples.GCP_KEY_ID);
    assertThat(n.at("/protoPayload/response/private_key_type").asInt()).isEqualTo(2);
  }
}
