package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One test per CDEvents fixture (spec 0.4.1 and 0.6.0-draft), plus the refusals. */
class CdEventsNormalizerTest {

  private static final String RUN = "ci:cdevents:/event/source/123/mySubject123";
  private static final String ID = "271069a8-fc18-44f1-b38f-9d70a1695819";
  private static final Instant AT = Instant.parse("2023-03-20T14:27:05.315384Z");

  private final CdEventsNormalizer normalizer = new CdEventsNormalizer(new Redactor());

  private Envelope<?> normalize(String fixture) {
    JsonNode cdevent = Fixtures.json("cdevents/" + fixture);
    return ((Normalized.Publish) normalizer.normalize(cdevent.at("/context/type").asText(), cdevent)).event();
  }

  @Test
  void v04PipelineRunQueuedIsAQueuedRunNamedBySubjectSourceAndId() {
    Envelope<?> e = normalize("v0.4.1_pipelinerun_queued.json");

    assertThat(e.type()).isEqualTo(EventType.CI_RUN);
    assertThat(e.id()).isEqualTo(ID);
    assertThat(e.source()).isEqualTo(URI.create("/event/source/123"));
    assertThat(e.subject()).isEqualTo(RUN);
    assertThat(e.partitionKey()).isEqualTo(RUN);
    assertThat(e.time().toInstant()).isEqualTo(AT);
    CiRunEvent run = e.dataAs(CiRunEvent.class);
    assertThat(run.provider()).isEqualTo("cdevents");
    assertThat(run.run()).isEqualTo(RUN);
    assertThat(run.name()).isEqualTo("myPipeline");
    assertThat(run.status()).isEqualTo("queued");
    assertThat(run.conclusion()).isNull();
    assertThat(run.url()).isEqualTo("https://www.example.com/mySubject123");
    assertThat(run.startedAt()).isNull();
    assertThat(run.raw().at("/context/id").asText()).isEqualTo(ID);
  }

  @Test
  void v04PipelineRunStartedIsInProgressSinceItsTimestamp() {
    CiRunEvent run = normalize("v0.4.1_pipelinerun_started.json").dataAs(CiRunEvent.class);

    assertThat(run.status()).isEqualTo("in_progress");
    assertThat(run.startedAt()).isEqualTo(AT);
    assertThat(run.completedAt()).isNull();
  }

  @Test
  void v04PipelineRunFinishedIsCompletedWithItsOutcome() {
    CiRunEvent run = normalize("v0.4.1_pipelinerun_finished.json").dataAs(CiRunEvent.class);

    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.conclusion()).isEqualTo("failure");
    assertThat(run.completedAt()).isEqualTo(AT);
  }

  @Test
  void v04TaskRunStartedIsAJobOfThePipelineRunItNames() {
    Envelope<?> e = normalize("v0.4.1_taskrun_started.json");

    assertThat(e.type()).isEqualTo(EventType.CI_JOB);
    assertThat(e.partitionKey()).as("keyed by the run, like every CI event").isEqualTo(RUN);
    CiJobEvent job = e.dataAs(CiJobEvent.class);
    assertThat(job.job()).isEqualTo(RUN);
    assertThat(job.run()).isEqualTo(RUN);
    assertThat(job.name()).isEqualTo("myTask");
    assertThat(job.status()).isEqualTo("in_progress");
    assertThat(job.startedAt()).isEqualTo(AT);
  }

  @Test
  void v04TaskRunFinishedIsACompletedJobWithItsOutcome() {
    CiJobEvent job = normalize("v0.4.1_taskrun_finished.json").dataAs(CiJobEvent.class);

    assertThat(job.status()).isEqualTo("completed");
    assertThat(job.conclusion()).isEqualTo("failure");
    assertThat(job.completedAt()).isEqualTo(AT);
    assertThat(job.url()).isEqualTo("https://www.example.com/mySubject123");
  }

  @Test
  void draft06PipelineRunFinishedReadsSpecversionAndUri() {
    Envelope<?> e = normalize("main-0.6.0-draft_pipelinerun_finished.json");
    CiRunEvent run = e.dataAs(CiRunEvent.class);

    assertThat(e.id()).isEqualTo(ID);
    assertThat(run.run()).isEqualTo(RUN);
    assertThat(run.name()).isEqualTo("myPipeline");
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.conclusion()).isEqualTo("failure");
    assertThat(run.url()).as("0.6 renamed url to uri").isEqualTo("https://www.example.com/mySubject123");
  }

  @Test
  void draft06TaskRunFinishedBelongsToItsPipelineRun() {
    CiJobEvent job = normalize("main-0.6.0-draft_taskrun_finished.json").dataAs(CiJobEvent.class);

    assertThat(job.run()).isEqualTo(RUN);
    assertThat(job.name()).isEqualTo("myTask");
    assertThat(job.status()).isEqualTo("completed");
    assertThat(job.url()).isEqualTo("https://www.example.com/mySubject123");
  }

  @Test
  void aPipelineRunInAnotherSourceIsNamedThere() {
    ObjectNode cdevent = (ObjectNode) Fixtures.json("cdevents/v0.4.1_taskrun_started.json");
    ((ObjectNode) cdevent.at("/subject/content/pipelineRun")).put("source", "/tekton/prod").put("id", "pr-1");

    CiJobEvent job = ((Normalized.Publish) normalizer.normalize(null, cdevent)).event().dataAs(CiJobEvent.class);

    assertThat(job.run()).isEqualTo("ci:cdevents:/tekton/prod/pr-1");
  }

  @Test
  void anUnsupportedSpecVersionIsRefusedNamingIt() {
    ObjectNode cdevent = (ObjectNode) Fixtures.json("cdevents/v0.4.1_pipelinerun_queued.json");
    ((ObjectNode) cdevent.get("context")).put("version", "0.3.0");

    assertThatThrownBy(() -> normalizer.normalize("dev.cdevents.pipelinerun.queued.0.2.0", cdevent))
        .isInstanceOfSatisfying(IngestException.class, e -> {
          assertThat(e.reason()).isEqualTo(IngestException.Reason.UNSUPPORTED_VERSION);
          assertThat(e.getMessage()).contains("0.3.0");
        });
  }

  @Test
  void otherCdEventsTypesAreIgnoredAndAMismatchedTypeIsRefused() {
    ObjectNode artifact = (ObjectNode) Fixtures.json("cdevents/v0.4.1_pipelinerun_queued.json");
    ((ObjectNode) artifact.get("context")).put("type", "dev.cdevents.artifact.packaged.0.1.1");
    JsonNode queued = Fixtures.json("cdevents/v0.4.1_pipelinerun_queued.json");

    assertThat(normalizer.normalize("dev.cdevents.artifact.packaged.0.1.1", artifact))
        .isEqualTo(new Normalized.Ignore("unhandled-event-type"));
    assertThatThrownBy(() -> normalizer.normalize("dev.cdevents.pipelinerun.started.0.2.0", queued))
        .isInstanceOf(IngestException.class).hasMessageContaining("differs");
    assertThat(CdEventsNormalizer.handles("dev.cdevents.taskrun.queued.0.1.0-draft")).isTrue();
    assertThat(CdEventsNormalizer.handles("dev.cdevents.build.started.0.1.0")).isFalse();
  }
}
