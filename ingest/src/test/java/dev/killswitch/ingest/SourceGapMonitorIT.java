package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

/** Silence alerts on the real broker; the clock is advanced by hand and the check is called directly. */
@ExtendWith(KafkaClusterExtension.class)
class SourceGapMonitorIT {

  /** A clock the test moves. */
  static final class ManualClock extends Clock {
    private Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @TempDir
  Path dir;
  private final ManualClock clock = new ManualClock(Instant.parse("2025-06-01T12:00:00Z"));
  private Topics topics;
  private KafkaTestCluster kafka;
  private Producer<String, byte[]> producer;
  private Ingest ingest;

  @BeforeEach
  void setUp(KafkaTestCluster kafka) {
    this.kafka = kafka;
    topics = kafka.newTopics();
    Map<String, Object> props = Ingest.producerDefaults();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    producer = new KafkaProducer<>(props);
    ingest = new Ingest(IngestServer.config(), topics, producer, new SimpleMeterRegistry(), clock);
  }

  @AfterEach
  void tearDown() {
    producer.close(Duration.ofSeconds(5));
  }

  /** An audit event for cluster {@code cluster} accepted through the tailer (the same flow as the webhook). */
  private void speak(String cluster, String auditId) throws Exception {
    Path log = dir.resolve(cluster + ".log");
    String line = AuditSamples.TOKEN_REQUEST.replace("1f5e9c1a-2a4e-4d0b-8f3c-0b6f6a3c9e11", auditId)
        .replace("\n", " ") + "\n";
    Files.writeString(log, line, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    try (AuditLogTailer tailer = AuditLogTailer.create(ingest, log, cluster, dir.resolve(cluster + ".cp"))) {
      assertThat(tailer.pollOnce().accepted()).isEqualTo(1);
    }
  }

  private List<Envelope<?>> alerts() {
    return kafka.readToEnd(topics.alerts()).stream().<Envelope<?>>map(CloudEventCodec::fromKafka).toList();
  }

  @Test
  void aSourceSilentPastItsIntervalRaisesOneHighAlertPerSilenceAndIsReArmedWhenItSpeaksAgain() throws Exception {
    SourceGapMonitor monitor = SourceGapMonitor.create(ingest, SourceSilence.none().with("k8s-audit",
        Duration.ofMinutes(10)));
    speak("prod", "e-1");
    Instant firstSeen = clock.instant();

    clock.advance(Duration.ofMinutes(10));
    List<Alert> atTheInterval = monitor.check();
    clock.advance(Duration.ofSeconds(1));
    List<Alert> pastIt = monitor.check();
    clock.advance(Duration.ofMinutes(30));
    List<Alert> stillSilent = monitor.check();

    assertThat(atTheInterval).isEmpty();
    assertThat(pastIt).hasSize(1);
    assertThat(stillSilent).as("once per silence").isEmpty();
    Alert alert = pastIt.get(0);
    assertThat(alert.kind()).isEqualTo("source-silent");
    assertThat(alert.subject()).isEqualTo("k8s://prod");
    assertThat(alert.severity()).isEqualTo("high");
    assertThat(alert.details()).containsEntry("lastSeen", firstSeen.toString()).containsEntry("interval", "PT10M");

    speak("prod", "e-2");
    clock.advance(Duration.ofMinutes(11));
    List<Alert> secondSilence = monitor.check();

    assertThat(secondSilence).hasSize(1);
    assertThat(secondSilence.get(0).alertId()).isNotEqualTo(alert.alertId());
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.alerts());
    assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.key()).isEqualTo("k8s://prod"));
    assertThat(alerts()).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.ALERT));
  }

  @Test
  void intervalsHoldPerClusterAndUnconfiguredSourcesAreNotWatched() throws Exception {
    SourceGapMonitor monitor = SourceGapMonitor.create(ingest, SourceSilence.none()
        .with("k8s-audit", Duration.ofMinutes(10)).with("k8s://batch", Duration.ofHours(6)));
    speak("prod", "p-1");
    speak("batch", "b-1");

    clock.advance(Duration.ofMinutes(20));
    List<Alert> raised = monitor.check();

    assertThat(raised).extracting(Alert::subject).containsExactly("k8s://prod");
    SourceGapMonitor nothing = SourceGapMonitor.create(ingest, SourceSilence.none());
    assertThat(nothing.check()).isEmpty();
    assertThat(SourceSilence.defaults().intervalFor("github", java.net.URI.create("github://acme/app"))).isNull();
  }
}
