package dev.killswitch.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingsTest {

  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  private static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dir;

  @Test
  void aGithubJobPayloadIsSentAsWorkflowJobWithADeliveryIdDerivedFromItsBytes() throws Exception {
    Delivery d = one(EXAMPLES.resolve("github/workflow_job.completed.json"));

    assertThat(d.source()).isEqualTo(Source.GITHUB);
    assertThat(d.headers()).containsEntry("X-GitHub-Event", "workflow_job");
    assertThat(d.headers().get("X-GitHub-Delivery")).isEqualTo(one(EXAMPLES.resolve("github/workflow_job.completed.json"))
        .headers().get("X-GitHub-Delivery")).isNotEqualTo(one(EXAMPLES.resolve("github/workflow_job.in_progress.json"))
        .headers().get("X-GitHub-Delivery"));
    assertThat(d.body()).isEqualTo(Files.readAllBytes(EXAMPLES.resolve("github/workflow_job.completed.json")));
  }

  @Test
  void aGithubRunPayloadIsSentAsWorkflowRun() throws Exception {
    assertThat(one(FIXTURES.resolve("github/workflow_run.completed.payload.json")).headers())
        .containsEntry("X-GitHub-Event", "workflow_run");
  }

  @Test
  void aGitlabBuildHookIsAJobHook() throws Exception {
    Delivery d = one(FIXTURES.resolve("gitlab/go-gitlab-testdata-webhooks-job.json"));
    assertThat(d.source()).isEqualTo(Source.GITLAB);
    assertThat(d.headers()).containsEntry("X-Gitlab-Event", "Job Hook");
  }

  @Test
  void anAuditLogOfJsonLinesBecomesOneEventListAndOneEventToo() throws Exception {
    Delivery log = one(FIXTURES.resolve("k8s-audit/falco_create_configmap_sensitive_values.audit-log.jsonl"));
    long lines = Files.readAllLines(FIXTURES.resolve("k8s-audit/falco_create_configmap_sensitive_values.audit-log.jsonl"))
        .stream().filter(l -> !l.isBlank()).count();
    assertThat(log.source()).isEqualTo(Source.K8S_AUDIT);
    assertThat(log.events()).isEqualTo(lines).isGreaterThan(1);
    JsonNode list = Json.mapper().readTree(log.body());
    assertThat(list.path("kind").asText()).isEqualTo("EventList");
    assertThat(list.path("items")).hasSize((int) lines);

    Delivery event = one(FIXTURES.resolve("k8s-audit/falco_create_serviceaccount.json"));
    assertThat(event.events()).isEqualTo(1);
    assertThat(Json.mapper().readTree(event.body()).path("items")).hasSize(1);
  }

  @Test
  void aLongAuditLogIsSentInChunks() throws Exception {
    String line = Files.readString(FIXTURES.resolve("k8s-audit/falco_create_serviceaccount.json")).strip();
    Path log = dir.resolve("audit.log");
    Files.writeString(log, (line + "\n").repeat(Recordings.AUDIT_CHUNK + 3));

    List<Delivery> parts = Recordings.read(log, "prod");

    assertThat(parts).extracting(Delivery::events).containsExactly(Recordings.AUDIT_CHUNK, 3);
    assertThat(parts).extracting(Delivery::part).containsExactly(0, 1);
  }

  @Test
  void auditEventsNeedTheirClusterNamed() {
    assertThatThrownBy(() -> Recordings.read(EXAMPLES.resolve("k8s/tokenrequest.json"), null))
        .isInstanceOf(Recordings.Unrecognized.class).hasMessageContaining("--cluster");
  }

  @Test
  void cloudTrailShapesGoToTheCloudTrailPathAndAGzipLogFileIsSentAsItIs() throws Exception {
    assertThat(one(FIXTURES.resolve("cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json"))
        .source()).isEqualTo(Source.CLOUDTRAIL);
    assertThat(one(FIXTURES.resolve("cloudtrail/aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json"))
        .source()).isEqualTo(Source.CLOUDTRAIL);

    JsonNode record = Json.mapper().readTree(FIXTURES.resolve(
        "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json").toFile())
        .path("detail");
    byte[] logFile = ("{\"Records\":[" + record + "," + record + "]}").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(logFile);
    }
    Path file = dir.resolve("123456789012_CloudTrail_us-east-2_x.json.gz");
    Files.write(file, gz.toByteArray());

    Delivery d = one(file);
    assertThat(d.source()).isEqualTo(Source.CLOUDTRAIL);
    assertThat(d.events()).isEqualTo(2);
    assertThat(d.headers()).containsEntry("Content-Type", "application/gzip");
    assertThat(d.body()).isEqualTo(gz.toByteArray());
  }

  @Test
  void aGcpLogEntryAndAPushEnvelopeGoToTheGcpPath() throws Exception {
    assertThat(one(FIXTURES.resolve("gcp-audit/google-docs_iam-admin-CreateServiceAccount.json")).source())
        .isEqualTo(Source.GCP_AUDIT);
    Path push = dir.resolve("push.json");
    Files.writeString(push, "{\"message\":{\"data\":\"e30=\",\"messageId\":\"1\"},\"subscription\":\"projects/p/subscriptions/s\"}");
    assertThat(one(push).source()).isEqualTo(Source.GCP_AUDIT);
  }

  @Test
  void aBareCdEventIsWrappedAsAStructuredCloudEventAndAnArrayOfCloudEventsIsABatch() throws Exception {
    Delivery d = one(FIXTURES.resolve("cdevents/v0.4.1_pipelinerun_finished.json"));
    assertThat(d.source()).isEqualTo(Source.CLOUDEVENTS);
    assertThat(d.headers()).containsEntry("Content-Type", "application/cloudevents+json");
    JsonNode ce = Json.mapper().readTree(d.body());
    assertThat(ce.path("type").asText()).isEqualTo("dev.cdevents.pipelinerun.finished.0.2.0");
    assertThat(ce.path("id").asText()).isEqualTo("271069a8-fc18-44f1-b38f-9d70a1695819");
    assertThat(ce.path("data").path("context").path("id").asText()).isEqualTo(ce.path("id").asText());

    Path batch = dir.resolve("batch.json");
    Files.writeString(batch, "[" + ce + "," + ce + "]");
    Delivery b = one(batch);
    assertThat(b.headers()).containsEntry("Content-Type", "application/cloudevents-batch+json");
    assertThat(b.events()).isEqualTo(2);
  }

  @Test
  void aFileOfNoKnownKindIsRefusedWithWhatItLookedLike() throws Exception {
    Path f = dir.resolve("notes.json");
    Files.writeString(f, "{\"hello\":\"world\"}");
    assertThatThrownBy(() -> Recordings.read(f, "prod")).isInstanceOf(Recordings.Unrecognized.class)
        .hasMessageContaining("no known kind");
    Files.writeString(f, "hello");
    assertThatThrownBy(() -> Recordings.read(f, "prod")).hasMessageContaining("not JSON");
  }

  @Test
  void theProgressBarShowsCountRateAndEta() {
    StringWriter sw = new StringWriter();
    AtomicLong now = new AtomicLong(0);
    Progress p = new Progress(new PrintWriter(sw), 40, true, now::get);
    now.set(2_000_000_000L);
    p.advance(10);

    assertThat(p.line(now.get())).isEqualTo("replay [######..................] 10/40 events  5.0/s  ETA 0:06");
    assertThat(sw.toString()).startsWith("\r").contains("10/40 events");
    p.finish();
    assertThat(sw.toString()).endsWith("\r");
  }

  private static Delivery one(Path file) throws Exception {
    List<Delivery> d = Recordings.read(file, "prod");
    assertThat(d).hasSize(1);
    return d.get(0);
  }
}
