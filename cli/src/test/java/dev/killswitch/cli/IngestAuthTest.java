package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.ingest.GcpPushAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest authentication settings: per-source tokens, Pub/Sub push verification, apiserver client names. */
class IngestAuthTest {

  @TempDir Path dir;

  @Test
  void perSourceTokensComeFromTheEnvironmentOrYamlAndAreNeverPrinted() throws Exception {
    Path yaml = Files.writeString(dir.resolve("k.yaml"), """
        killswitch:
          ingest:
            token.gcp-audit: gcp-audit-token-from-yaml-0123
        """);

    Settings s = Settings.load(yaml, Map.of("KILLSWITCH_INGEST_TOKEN_K8S_AUDIT", "k8s-audit-token-0123456789",
        "KILLSWITCH_INGEST_TOKEN_AWS_CLOUDTRAIL", "aws-cloudtrail-token-0123456789"));

    assertThat(s.ingestAuth().sourceTokens()).containsOnly(Map.entry("k8s-audit", "k8s-audit-token-0123456789"),
        Map.entry("aws-cloudtrail", "aws-cloudtrail-token-0123456789"),
        Map.entry("gcp-audit", "gcp-audit-token-from-yaml-0123"));
    assertThat(s.ingestAuth().toString()).doesNotContain("0123");
    assertThat(IngestAuth.tokenEnv("cloudevents")).isEqualTo("KILLSWITCH_INGEST_TOKEN_CLOUDEVENTS");
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_INGEST_TOKEN_CLOUDEVENTS", "short")))
        .hasMessageContaining("KILLSWITCH_INGEST_TOKEN_CLOUDEVENTS must be at least 16 characters");
  }

  @Test
  void pushVerificationNeedsAnAudienceAndServiceAccountsAndDefaultsToGooglesKeys() throws Exception {
    Path yaml = Files.writeString(dir.resolve("k.yaml"), """
        killswitch:
          gcp:
            push:
              audience: https://killswitch.example.com/v1/ingest/gcp/audit
              service-accounts: [push@acme-prod.iam.gserviceaccount.com, Push2@acme-dev.iam.gserviceaccount.com]
        """);

    GcpPushAuth push = Settings.load(yaml, Map.of()).ingestAuth().gcpPush();

    assertThat(push.audience()).isEqualTo("https://killswitch.example.com/v1/ingest/gcp/audit");
    assertThat(push.serviceAccounts()).containsExactlyInAnyOrder("push@acme-prod.iam.gserviceaccount.com",
        "push2@acme-dev.iam.gserviceaccount.com");
    assertThat(push.jwksUrl()).isEqualTo(GcpPushAuth.GOOGLE_JWKS);
    assertThat(Settings.load(null, Map.of()).ingestAuth().gcpPush()).isNull();
  }

  @Test
  void everyProblemOfTheIngestAuthenticationIsReportedTogether() {
    List<String> problems = new ArrayList<>();
    IngestAuth.from(Map.of("killswitch.gcp.push.audience", "https://k/v1/ingest/gcp/audit",
        "killswitch.gcp.push.jwks.url", "ftp://keys", "killswitch.gcp.push.jwks.file", "/nonexistent/jwks.json",
        "killswitch.k8s.audit.client.names", "kube-apiserver"), null, problems);

    assertThat(String.join("\n", problems))
        .contains("KILLSWITCH_GCP_PUSH_AUDIENCE and KILLSWITCH_GCP_PUSH_SERVICE_ACCOUNTS go together")
        .contains("exclude each other")
        .contains("is not a readable file")
        .contains("KILLSWITCH_K8S_AUDIT_CLIENT_NAMES needs mutual TLS");
    assertThatThrownBy(() -> Settings.load(null, Map.of("KILLSWITCH_HTTP_CLIENT_AUTH", "sometimes")))
        .isInstanceOf(Settings.InvalidSettingsException.class);
  }

  @Test
  void configCheckNamesTheSourcesWithATokenOfTheirOwnButNeverTheToken() {
    java.io.StringWriter out = new java.io.StringWriter();
    var cmd = Killswitch.commandLine(Map.of("KILLSWITCH_DATA_DIR", dir.toString(),
        "KILLSWITCH_INGEST_TOKEN_K8S_AUDIT", "k8s-audit-token-0123456789"));
    cmd.setOut(new java.io.PrintWriter(out, true));

    assertThat(cmd.execute("config", "check")).isZero();

    assertThat(out.toString()).contains("KILLSWITCH_INGEST_TOKEN_K8S_AUDIT").contains("only for k8s-audit")
        .contains("own token for k8s-audit").doesNotContain("IngestAuth[")
        .doesNotContain("k8s-audit-token-0123456789");
  }

  @Test
  void anIngestTokenOfTheYamlTokensCanBeLimitedToSources() throws Exception {
    Path yaml = Files.writeString(dir.resolve("k.yaml"), """
        tokens:
          - name: eventbridge
            roles: [ingest]
            sources: [aws-cloudtrail]
            token: eventbridge-token-0123456789
          - name: bad
            roles: [analyst]
            sources: [github-actions]
            token: analyst-token-0123456789
        """);
    List<String> problems = new ArrayList<>();

    List<ApiTokens.Token> tokens = ApiTokens.read(Settings.load(yaml, Map.of()).yaml(), problems);

    assertThat(tokens.get(0).sources()).containsExactly("aws-cloudtrail");
    assertThat(String.join("\n", problems)).contains("unknown source 'github-actions'")
        .contains("sources limit the ingest role, which the token does not hold");
  }
}
