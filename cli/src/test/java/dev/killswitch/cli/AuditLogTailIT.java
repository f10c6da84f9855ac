package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --tail-audit-log PATH --cluster NAME}: the file's events reach Kafka as the webhook's would. */
class AuditLogTailIT {

  @TempDir Path dir;

  @Test
  void theRunAndIngestVerbsTakeRepeatableTailOptions() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--tail-audit-log", "/var/log/a.log", "--cluster", "prod",
        "--tail-audit-log", "/var/log/b.log", "--cluster", "staging");
    assertThat(run.tail.specs()).containsExactly(
        new Application.AuditLogTail(Path.of("/var/log/a.log"), "prod"),
        new Application.AuditLogTail(Path.of("/var/log/b.log"), "staging"));

    RoleCommand.Ingest ingest = new RoleCommand.Ingest();
    new CommandLine(ingest).parseArgs("--tail-audit-log", "/var/log/a.log", "--cluster", "prod");
    assertThat(ingest.tails()).hasSize(1);
  }

  @Test
  void aTailedAuditLogIsPublishedAndItsCheckpointKeptInTheDataDirectory() throws Exception {
    JsonNode event = Json.mapper().readTree(Path.of("..", "examples", "k8s", "tokenrequest.json").toFile())
        .path("items").get(0);
    Path log = dir.resolve("audit.log");
    Files.writeString(log, Json.mapper().writeValueAsString(event) + "\n");
    Settings settings = Settings.load(null, Map.of(
        "KILLSWITCH_DATA_DIR", dir.resolve("data").toString(),
        "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));

    try (Application app = Application.start(settings, EnumSet.of(Role.INGEST),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        Application.Tuning.NONE.withTails(List.of(new Application.AuditLogTail(log, "prod"))))) {
      List<ConsumerRecord<String, byte[]>> records = await().atMost(Duration.ofSeconds(60))
          .until(() -> TopicReader.readAll(app.bootstrapServers(), "killswitch.events.k8s"), r -> !r.isEmpty());
      K8sAuditEvent audit = CloudEventCodec.fromKafka(records.get(0)).dataAs(K8sAuditEvent.class);
      assertThat(audit.cluster()).isEqualTo("prod");
      assertThat(audit.issuedCredentialId()).isEqualTo("7f4c6a8e-2f1b-4d5e-9c3a-0b8d6e1f2a34");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(dir.resolve("data").resolve("tail").resolve("prod.checkpoint.json")));
    }
  }
}
