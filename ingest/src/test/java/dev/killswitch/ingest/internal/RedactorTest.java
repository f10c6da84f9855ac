package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Redactor.MARK;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private final Redactor redactor = new Redactor();

  private JsonNode redact(String json) throws IOException {
    return redactor.redact(Json.mapper().readTree(json));
  }

  @Test
  void secretDataAndStringDataValuesAreRedactedKeysKept() throws IOException {
    JsonNode n = redact("""
        {"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","annotations":{
          "kubectl.kubernetes.io/last-applied-configuration":"{\\"data\\":{\\"pw\\":\\"c2VjcmV0\\"}}"}},
         "data":{"pw":"c2VjcmV0","user":"YWRtaW4="},"stringData":{"url":"postgres://a:b@db"}}""");

    assertThat(n.path("data").path("pw").asText()).isEqualTo(MARK);
    assertThat(n.path("data").path("user").asText()).isEqualTo(MARK);
    assertThat(n.path("stringData").path("url").asText()).isEqualTo(MARK);
    assertThat(n.path("metadata").path("name").asText()).isEqualTo("db");
    assertThat(n.toString()).doesNotContain("c2VjcmV0").doesNotContain("postgres://");
  }

  @Test
  void secretListItemsAreRedacted() throws IOException {
    JsonNode n = redact("{\"kind\":\"SecretList\",\"items\":[{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"dmFs\"}}]}");

    assertThat(n.path("items").get(0).path("data").path("k").asText()).isEqualTo(MARK);
  }

  @Test
  void patchOfASecretInAnAuditEventIsRedactedThoughItCarriesNoKind() throws IOException {
    JsonNode n = redact("""
        {"kind":"Event","auditID":"x","objectRef":{"resource":"secrets","namespace":"ci","name":"k"},
         "requestObject":{"data":{"key":"dG9wc2VjcmV0"}},
         "responseObject":{"kind":"Secret","data":{"key":"dG9wc2VjcmV0"}}}""");

    assertThat(n.toString()).doesNotContain("dG9wc2VjcmV0");
    assertThat(n.path("objectRef").path("name").asText()).isEqualTo("k");
  }

  @Test
  void configMapDataIsNotSecretDataButSecretLookingAssignmentsInItAre() throws IOException {
    JsonNode n = redact("{\"kind\":\"ConfigMap\",\"data\":{\"color\":\"purple\",\"db\":\"password=hunter22\"}}");

    assertThat(n.path("data").path("color").asText()).isEqualTo("purple");
    assertThat(n.path("data").path("db").asText()).isEqualTo("password=" + MARK);
  }

  @Test
  void tokenRequestStatusTokenIsRedacted() {
    JsonNode n = redactor.redact(AuditSamples.json(AuditSamples.TOKEN_REQUEST));

    assertThat(n.path("responseObject").path("status").path("token").asText()).isEqualTo(MARK);
    assertThat(n.path("responseObject").path("status").path("expirationTimestamp").asText())
        .isEqualTo("2025-03-04T10:25:30Z");
    assertThat(n.toString()).doesNotContain(AuditSamples.TOKEN_VALUE);
  }

  @Test
  void fieldsNamedLikeSecretsAreRedacted() throws IOException {
    JsonNode n = redact("""
        {"headers":{"Authorization":"Bearer abc","Cookie":"s=1"},"password":"p","db_password":"q",
         "privateKey":"k","private_key":"k2","clientSecret":"cs","secretAccessKey":"wJalr","sessionToken":"IQo",
         "access_token":"at","refresh-token":"rt","api_key":"ak","passphrase":"pp",
         "users":[{"name":"u","user":{"client-key-data":"LS0tLS1","client-certificate-data":"Y2VydA==","token":"t"}}]}""");

    for (String path : new String[] {"/headers/Authorization", "/headers/Cookie", "/password", "/db_password",
        "/privateKey", "/private_key", "/clientSecret", "/secretAccessKey", "/sessionToken", "/access_token",
        "/refresh-token", "/api_key", "/passphrase", "/users/0/user/client-key-data", "/users/0/user/token"}) {
      assertThat(n.at(path).asText()).as(path).isEqualTo(MARK);
    }
    assertThat(n.at("/users/0/user/client-certificate-data").asText()).isEqualTo("Y2VydA==");
  }

  @Test
  void identifiersThatJoinsNeedAndNonSecretsUnderSecretLikeNamesAreKept() throws IOException {
    JsonNode n = redact("""
        {"accessKeyId":"ASIAEXAMPLE123","spec":{"automountServiceAccountToken":false,
          "volumes":[{"name":"v","secret":{"secretName":"db"}}]},
         "annotations":{"authentication.k8s.io/legacy-token":"system:serviceaccount:a:b",
          "authentication.kubernetes.io/issued-credential-id":"JTI=1234"},
         "user":{"extra":{"authentication.kubernetes.io/credential-id":["JTI=5678"]}},
         "token":null}""");

    assertThat(n.path("accessKeyId").asText()).isEqualTo("ASIAEXAMPLE123");
    assertThat(n.at("/spec/automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(n.at("/spec/volumes/0/secret/secretName").asText()).isEqualTo("db");
    assertThat(n.at("/annotations/authentication.k8s.io~1legacy-token").asText())
        .isEqualTo("system:serviceaccount:a:b");
    assertThat(n.at("/annotations/authentication.kubernetes.io~1issued-credential-id").asText()).isEqualTo("JTI=1234");
    assertThat(n.at("/user/extra/authentication.kubernetes.io~1credential-id/0").asText()).isEqualTo("JTI=5678");
    assertThat(n.path("token").isNull()).isTrue();
  }

  @Test
  void valuesOfSecretNamedEnvironmentVariablesAndEveryCiVariableAreRedacted() throws IOException {
    JsonNode n = redact("""
        {"env":[{"name":"DB_PASSWORD","value":"pw"},{"name":"LOG_LEVEL","value":"debug"},
                {"name":"GITHUB_TOKEN","valueFrom":{"secretKeyRef":{"name":"gh","key":"token"}}}],
         "variables":[{"key":"REGION","value":"us-west-1"}]}""");

    assertThat(n.at("/env/0/value").asText()).isEqualTo(MARK);
    assertThat(n.at("/env/1/value").asText()).isEqualTo("debug");
    assertThat(n.at("/env/2/valueFrom/secretKeyRef/key").asText()).isEqualTo("token");
    assertThat(n.at("/variables/0/value").asText()).isEqualTo(MARK);
    assertThat(n.at("/variables/0/key").asText()).isEqualTo("REGION");
  }

  @Test
  void secretsInsideFreeTextAreRedacted() {
    String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    String text = "key " + pem + " jwt " + jwt + " hdr Authorization: Bearer abcdefghijklmnopqrstu"
        + " gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 gl glpat-abcdefghij0123456789";

    String out = redactor.redactString(text);

    assertThat(out).doesNotContain("MIIEowIBAAKCAQEA", "eyJzdWIiOiJ4In0", "abcdefghijklmnopqrstu",
        "ghp_abcdef", "glpat-abc");
    assertThat(out).startsWith("key " + MARK + " jwt " + MARK);
  }

  @Test
  void unparseableBytesAreRedactedAsTextAndUntouchedWhenNothingMatches() {
    byte[] broken = "{\"token\": \"s3cr3t-value\", \"x\": ".getBytes(StandardCharsets.UTF_8);
    byte[] harmless = "{\"a\": [1, 2".getBytes(StandardCharsets.UTF_8);

    assertThat(new String(redactor.redactText(broken), StandardCharsets.UTF_8))
        .doesNotContain("s3cr3t-value").contains("\"token\": \"" + MARK + "\"");
    assertThat(redactor.redactText(harmless)).isSameAs(harmless);
  }

  @Test
  void nameValueAssignmentsAreFoundWhateverTheSpacingAndCaseAndMentionsOfANameAlone() {
    String[] secret = {"{\"client_secret\" :\t\"c5-value-1\"}", "{\"Authorization\":\"c5-value-2\"}",
        "{\"x-Private_Key\"\n:  \"c5-value-3\"}", "PASSWORD = c5-value-4", "api-key:c5-value-5",
        "AWS_SESSION_TOKEN=c5-value-6", "client-key-data : c5-value-7", "passphrase=c5-value-8"};
    for (String s : secret) {
      assertThat(redactor.redactString(s)).as(s).doesNotContain("c5-value").contains(MARK);
    }
    String reason = "RBAC: allowed by RoleBinding \"ci-token-minter/ci\" of Role \"token-minter\" to User \"a:b\"";
    assertThat(redactor.redactString(reason)).isEqualTo(reason);
  }
}
