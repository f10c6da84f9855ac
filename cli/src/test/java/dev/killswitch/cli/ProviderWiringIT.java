package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.testkit.fakes.FakeAwsIam;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers named in the YAML settings are registered by {@code killswitch run}: an enforced revocation of an
 * AWS access key reaches IAM (the wire-protocol fake, through the real SDK) and deactivates the key.
 */
class ProviderWiringIT {

  @TempDir Path dataDir;

  @Test
  void anAwsAccountInTheSettingsGetsItsAccessKeyDeactivatedByAnEnforcedRevocation() throws Exception {
    try (FakeAwsIam iam = FakeAwsIam.start()) {
      String account = iam.homeAccount();
      String key = iam.addUserWithKey(account, "ci-deployer");
      Path config = dataDir.resolve("killswitch.yaml");
      Files.writeString(config, """
          revoker:
            aws:
              iam-endpoint: "%s"
              accounts:
                "%s": direct
          """.formatted(iam.endpoint(), account));
      System.setProperty("aws.accessKeyId", iam.homeCredentials().accessKeyId());
      System.setProperty("aws.secretAccessKey", iam.homeCredentials().secretAccessKey());
      Settings settings = Settings.load(config, Map.of(
          "KILLSWITCH_DATA_DIR", dataDir.resolve("data").toString(),
          "KILLSWITCH_HTTP_PORT", "0",
          "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));

      try (Application app = Application.start(settings, EnumSet.allOf(Role.class),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
        String token = Secrets.resolve(settings).get(Secret.API_TOKEN);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/revocations"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("""
                {"target": "aws:%s:access-key/%s", "reason": "leaked in a build log", "mode": "enforce"}
                """.formatted(account, key)))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(60))
            .until(() -> iam.accessKeyStatus(account, key), s -> s.equals(Optional.of("Inactive")));
        assertThat(iam.calls("UpdateAccessKey")).hasSize(1);
      } finally {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
      }
    }
  }
}
