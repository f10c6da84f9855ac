package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The tailer on real files and the real broker, driven by explicit polls. */
@ExtendWith(KafkaClusterExtension.class)
class AuditLogTailerIT {

  private static final String FALCO = "k8s-audit/falco_create_configmap_sensitive_values.audit-log.jsonl";

  @TempDir
  Path dir;
  private Path log;
  private Path checkpoint;
  private Topics topics;
  private KafkaTestCluster kafka;
  private final List<Producer<String, byte[]>> producers = new ArrayList<>();
  private final List<AuditLogTailer> tailers = new ArrayList<>();

  @BeforeEach
  void setUp(KafkaTestCluster kafka) {
    this.kafka = kafka;
    topics = kafka.newTopics();
    log = dir.resolve("audit.log");
    checkpoint = dir.resolve("state/prod.checkpoint.json");
  }

  @AfterEach
  void tearDown() {
    tailers.forEach(AuditLogTailer::close);
    producers.forEach(p -> p.close(Duration.ofSeconds(5)));
  }

  /** A tailer over a fresh Ingest (a new process, as far as in-memory state goes). */
  private AuditLogTailer tailer() {
    Map<String, Object> props = Ingest.producerDefaults();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    Producer<String, byte[]> producer = new KafkaProducer<>(props);
    producers.add(producer);
    Ingest ingest = new Ingest(IngestServer.config(), topics, producer, new SimpleMeterRegistry(), Clock.systemUTC());
    AuditLogTailer tailer = AuditLogTailer.create(ingest, log, "prod", checkpoint);
    tailers.add(tailer);
    return tailer;
  }

  /** The audit event of the token-request sample under another auditID, as one log line. */
  private static String event(String auditId) throws IOException {
    ObjectNode e = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    e.put("auditID", auditId);
    return Json.mapper().writeValueAsString(e) + "\n";
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private List<String> publishedAuditIds() {
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.k8sEvents())) {
      ids.add(CloudEventCodec.fromKafka(r).id().replace(":ResponseComplete", ""));
    }
    return ids;
  }

  @Test
  void appendedCompleteLinesArePublishedOnceAndAPartialLineWaitsForItsNewline() throws Exception {
    String falco = new String(Fixtures.bytes(FALCO), StandardCharsets.UTF_8);
    List<String> falcoIds = Fixtures.jsonLines(FALCO).stream().map(n -> n.path("auditID").asText()).toList();
    append(log, falco);
    AuditLogTailer tailer = tailer();

    AuditLogTailer.Poll first = tailer.pollOnce();
    String partial = event("a-1");
    append(log, partial.substring(0, 40));
    AuditLogTailer.Poll second = tailer.pollOnce();
    append(log, partial.substring(40));
    AuditLogTailer.Poll third = tailer.pollOnce();

    assertThat(first.accepted()).isEqualTo(6);
    assertThat(second.accepted()).isZero();
    assertThat(third.accepted()).isEqualTo(1);
    List<String> expected = new ArrayList<>(falcoIds);
    expected.add("a-1");
    assertThat(publishedAuditIds()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(tailer.checkpoint().offset()).isEqualTo(Files.size(log));
  }

  @Test
  void renamedRotationReadsTheRestOfTheOldFileThenTheNewOne() throws Exception {
    append(log, event("r-1"));
    AuditLogTailer tailer = tailer();
    tailer.pollOnce();
    append(log, event("r-2"));
    Files.move(log, dir.resolve("audit-2024-05-01T10-00-00.000.log"));
    append(log, event("r-3"));

    AuditLogTailer.Poll poll = tailer.pollOnce();

    assertThat(poll.rotated()).isTrue();
    assertThat(poll.accepted()).isEqualTo(2);
    assertThat(publishedAuditIds()).containsExactlyInAnyOrder("r-1", "r-2", "r-3");
    assertThat(tailer.checkpoint().identity()).isEqualTo(AuditLogTailer.identityOf(log));
  }

  @Test
  void aRestartResumesFromTheCheckpointEvenInsideTheRotatedFileWithoutDuplicatesOrGaps() throws Exception {
    append(log, event("s-1") + event("s-2"));
    AuditLogTailer before = tailer();
    before.pollOnce();
    before.close();
    append(log, event("s-3"));
    Files.move(log, dir.resolve("audit-2024-05-01T11-00-00.000.log"));
    append(log, event("s-4"));

    AuditLogTailer after = tailer();
    AuditLogTailer.Poll poll = after.pollOnce();
    AuditLogTailer.Poll idle = after.pollOnce();

    assertThat(poll.accepted()).isEqualTo(2);
    assertThat(idle.accepted()).isZero();
    assertThat(publishedAuditIds()).containsExactlyInAnyOrder("s-1", "s-2", "s-3", "s-4");
    AuditLogTailer third = tailer();
    assertThat(third.pollOnce().accepted()).as("a second restart reads nothing again").isZero();
  }

  @Test
  void copyTruncateIsReadAgainFromTheStartOfTheTruncatedFile() throws Exception {
    append(log, event("t-1") + event("t-2"));
    AuditLogTailer tailer = tailer();
    tailer.pollOnce();
    Files.copy(log, dir.resolve("audit.log.1"));
    Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
    append(log, event("t-3"));

    AuditLogTailer.Poll poll = tailer.pollOnce();

    assertThat(poll.truncated()).isTrue();
    assertThat(poll.accepted()).isEqualTo(1);
    assertThat(publishedAuditIds()).containsExactlyInAnyOrder("t-1", "t-2", "t-3");
  }

  @Test
  void aTruncatedFileRewrittenPastTheOldOffsetIsNoticedByItsFirstBytes() throws Exception {
    append(log, event("w-1"));
    AuditLogTailer tailer = tailer();
    tailer.pollOnce();
    Files.write(log, (event("w-2") + event("w-3")).getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.TRUNCATE_EXISTING);

    AuditLogTailer.Poll poll = tailer.pollOnce();

    assertThat(poll.truncated()).isTrue();
    assertThat(publishedAuditIds()).containsExactlyInAnyOrder("w-1", "w-2", "w-3");
  }

  @Test
  void badLinesGoToTheDeadLetterTopicAndTheTailerMovesPastThem() throws Exception {
    ObjectNode noStage = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    noStage.remove("stage");
    append(log, event("d-1") + "{not json\n" + Json.mapper().writeValueAsString(noStage) + "\n\n" + event("d-2"));
    AuditLogTailer tailer = tailer();

    AuditLogTailer.Poll poll = tailer.pollOnce();

    assertThat(poll.accepted()).isEqualTo(2);
    assertThat(poll.rejected()).isEqualTo(2);
    assertThat(poll.dropped()).as("the blank line").isEqualTo(1);
    assertThat(publishedAuditIds()).containsExactlyInAnyOrder("d-1", "d-2");
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).extracting(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("malformed-json", "invalid-event");
    assertThat(dead).allSatisfy(r -> {
      assertThat(new String(r.headers().lastHeader(DeadLetter.ORIGIN).value(), StandardCharsets.UTF_8))
          .startsWith("ingest:tail:" + log.toAbsolutePath());
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(AuditSamples.TOKEN_VALUE);
    });
    assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.DETAIL).value(), StandardCharsets.UTF_8))
        .startsWith("line at byte ");
    assertThat(tailer.checkpoint().offset()).isEqualTo(Files.size(log));
  }

  @Test
  void aMissingFileIsWaitedFor() throws Exception {
    AuditLogTailer tailer = tailer();

    assertThat(tailer.pollOnce().accepted()).isZero();
    append(log, event("m-1"));
    assertThat(tailer.pollOnce().accepted()).isEqualTo(1);
    JsonNode cp = Json.mapper().readTree(checkpoint.toFile());
    assertThat(cp.path("offset").asLong()).isEqualTo(Files.size(log));
  }
}
