package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class TektonNormalizerTest {

  private static final String SOURCE = "/apis/tekton.dev/v1beta1/namespaces/default/taskruns/curl-run-6gplk";
  private static final String CE_ID = "77f78ae7-ff6d-4e39-9d05-b9a0b7850527";
  private static final OffsetDateTime CE_TIME = OffsetDateTime.parse("2021-01-29T14:47:58.157819Z");

  private final TektonNormalizer normalizer = new TektonNormalizer(new Redactor());

  /** The fixture: Tekton's documented taskrun.unknown.v1 event, with its Ce-* headers' values. */
  @Test
  void unknownTaskRunIsAJobInProgressNamedByItsResourcePath() {
    Envelope<?> e = ((Normalized.Publish) normalizer.normalize(CE_ID, SOURCE, "dev.tekton.event.taskrun.unknown.v1",
        "curl-run-6gplk", CE_TIME, Fixtures.json("tekton/taskrun-unknown-v1-cloudevent-data.json"))).event();

    String job = "ci:cdevents:/apis/tekton.dev/v1beta1/namespaces/default/taskruns/curl-run-6gplk";
    assertThat(e.type()).isEqualTo(EventType.CI_JOB);
    assertThat(e.id()).isEqualTo(CE_ID);
    assertThat(e.source()).isEqualTo(URI.create(SOURCE));
    assertThat(e.subject()).as("no pipeline run: the task run keys itself").isEqualTo(job);
    assertThat(e.time()).isEqualTo(CE_TIME);
    CiJobEvent data = e.dataAs(CiJobEvent.class);
    assertThat(data.provider()).isEqualTo("cdevents");
    assertThat(data.job()).isEqualTo(job);
    assertThat(data.run()).isNull();
    assertThat(data.name()).isEqualTo("curl");
    assertThat(data.status()).isEqualTo("in_progress");
    assertThat(data.conclusion()).isNull();
    assertThat(data.runnerName()).isEqualTo("curl-run-6gplk-pod");
    assertThat(data.startedAt()).isEqualTo(Instant.parse("2021-01-29T14:47:57Z"));
    assertThat(data.completedAt()).isNull();
    assertThat(data.raw().at("/taskRun/metadata/uid").asText()).isEqualTo("4ccb4f01-3ecc-4eb4-87e1-76f04efeee5c");
  }

  /**
   * Derived from the fixture as Tekton (pkg/reconciler/events/cloudevent/cloudevent.go) would send it once the
   * task run succeeded inside a pipeline run: the tekton.dev/pipelineRun label, condition True, completionTime.
   */
  @Test
  void successfulTaskRunOfAPipelineRunBelongsToThePipelineRunInTheSiblingCollection() {
    ObjectNode data = (ObjectNode) Fixtures.json("tekton/taskrun-unknown-v1-cloudevent-data.json");
    ((ObjectNode) data.at("/taskRun/metadata/labels")).put("tekton.dev/pipelineRun", "build-7x2");
    ((ObjectNode) data.at("/taskRun/status")).put("completionTime", "2021-01-29T14:49:00Z");

    Envelope<?> e = ((Normalized.Publish) normalizer.normalize(CE_ID, SOURCE, "dev.tekton.event.taskrun.successful.v1",
        "curl-run-6gplk", CE_TIME, data)).event();

    String run = "ci:cdevents:/apis/tekton.dev/v1beta1/namespaces/default/pipelineruns/build-7x2";
    CiJobEvent job = e.dataAs(CiJobEvent.class);
    assertThat(job.run()).isEqualTo(run);
    assertThat(e.partitionKey()).isEqualTo(run);
    assertThat(job.status()).isEqualTo("completed");
    assertThat(job.conclusion()).isEqualTo("success");
    assertThat(job.completedAt()).isEqualTo(Instant.parse("2021-01-29T14:49:00Z"));
  }

  /** Built after Tekton's source (same file): a v1 pipeline run without selfLink gets /apis/<g>/<v>/namespaces/<ns>/<Kind>/<name>. */
  @Test
  void failedPipelineRunIsACompletedRunAndACancelledOneSaysSo() {
    ObjectNode data = (ObjectNode) Fixtures.json("tekton/taskrun-unknown-v1-cloudevent-data.json");
    ObjectNode pipelineRun = (ObjectNode) data.remove("taskRun");
    ((ObjectNode) pipelineRun.get("metadata")).put("name", "build-7x2");
    ((ObjectNode) pipelineRun.at("/metadata/labels")).put("tekton.dev/pipeline", "build");
    ((ObjectNode) pipelineRun.at("/status/conditions/0")).put("status", "False").put("reason", "Cancelled");
    data.set("pipelineRun", pipelineRun);
    String source = "/apis/tekton.dev/v1/namespaces/default/PipelineRun/build-7x2";

    Envelope<?> e = ((Normalized.Publish) normalizer.normalize("id-2", source, "dev.tekton.event.pipelinerun.failed.v1",
        "build-7x2", CE_TIME, data)).event();

    CiRunEvent run = e.dataAs(CiRunEvent.class);
    assertThat(e.type()).isEqualTo(EventType.CI_RUN);
    assertThat(run.run()).isEqualTo("ci:cdevents:/apis/tekton.dev/v1/namespaces/default/PipelineRun/build-7x2");
    assertThat(run.name()).isEqualTo("build");
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.conclusion()).isEqualTo("cancelled");
    assertThat(TektonNormalizer.sibling("/apis/tekton.dev/v1/namespaces/default/TaskRun/t-1", "t-1", "build-7x2"))
        .hasToString(run.run());
  }

  @Test
  void customRunsAndOtherTektonTypesAreIgnored() {
    assertThat(TektonNormalizer.handles("dev.tekton.event.customrun.started.v1")).isFalse();
    assertThat(normalizer.normalize("x", "/s", "dev.tekton.event.customrun.started.v1", "x", null, null))
        .isEqualTo(new Normalized.Ignore("unhandled-event-type"));
  }
}
