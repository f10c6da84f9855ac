package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.cli.Settings.InvalidSettingsException;
import dev.killswitch.cli.Settings.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @TempDir Path dir;

  @Test
  void defaultsToTheEmbeddedBrokerOnLoopbackPort8080AndTheLocalDataDirectory() {
    Settings s = Settings.load(null, Map.of());

    assertThat(s.embeddedKafka()).isTrue();
    assertThat(s.httpHost()).isEqualTo("127.0.0.1");
    assertThat(s.httpPort()).isEqualTo(8080);
    assertThat(s.dataDir()).isEqualTo(Path.of(".killswitch").toAbsolutePath().normalize());
    assertThat(s.topicPrefix()).isEqualTo("killswitch");
    assertThat(s.secrets()).isEmpty();
  }

  @Test
  void environmentOverridesTheYamlFileAndKafkaVariablesPassThroughToTheClients() throws Exception {
    Path yaml = dir.resolve("killswitch.yaml");
    Files.writeString(yaml, """
        killswitch:
          http:
            port: 9000
            host: 0.0.0.0
        kafka:
          bootstrap.servers: yaml-broker:9092
          security.protocol: SASL_SSL
        """);

    Settings s = Settings.load(yaml, Map.of(
        "KILLSWITCH_HTTP_PORT", "9100",
        "KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092",
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "KAFKA_HEAP_OPTS", "-Xmx1g",
        "PATH", "/usr/bin"));

    assertThat(s.httpPort()).isEqualTo(9100);
    assertThat(s.httpHost()).isEqualTo("0.0.0.0");
    assertThat(s.kafkaBootstrapServers()).isEqualTo("env-broker:9092");
    assertThat(s.embeddedKafka()).isFalse();
    assertThat(s.kafkaClientProps())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("security.protocol", "SASL_SSL")
        .doesNotContainKey("bootstrap.servers")
        .doesNotContainKey("heap.opts");
  }

  @Test
  void reportsEveryProblemTogether() {
    assertThatThrownBy(() -> Settings.load(dir.resolve("missing.yaml"), Map.of(
        "KILLSWITCH_HTTP_PORT", "eighty",
        "KILLSWITCH_API_TOKEN", "short",
        "KILLSWITCH_TOPIC_PREFIX", "bad prefix")))
        .isInstanceOfSatisfying(InvalidSettingsException.class, e -> assertThat(e.problems())
            .hasSize(4)
            .anySatisfy(p -> assertThat(p).contains("missing.yaml does not exist"))
            .anySatisfy(p -> assertThat(p).contains("KILLSWITCH_HTTP_PORT must be a port number"))
            .anySatisfy(p -> assertThat(p).contains("KILLSWITCH_API_TOKEN must be at least 16 characters"))
            .anySatisfy(p -> assertThat(p).contains("KILLSWITCH_TOPIC_PREFIX")));
  }

  @Test
  void neverPrintsSecretValues() {
    Settings s = Settings.load(null, Map.of("KILLSWITCH_GITHUB_SECRET", "a-very-secret-webhook-key"));

    assertThat(s.secrets()).containsEntry(Secret.GITHUB_SECRET, "a-very-secret-webhook-key");
    assertThat(s.toString()).doesNotContain("a-very-secret-webhook-key");
  }
}
