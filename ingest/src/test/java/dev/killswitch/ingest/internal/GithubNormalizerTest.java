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
import java.util.List;
import org.junit.jupiter.api.Test;

class GithubNormalizerTest {

  private static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  private static final String RUN = "ci:github:Codertocat/Hello-World/runs/2202229078";
  private final GithubNormalizer normalizer = new GithubNormalizer(new Redactor());

  private Envelope<?> normalize(String event, String fixture) {
    return normalizer.normalize(event, DELIVERY, Fixtures.json("github/" + fixture)).orElseThrow();
  }

  @Test
  void queuedWorkflowJobBecomesAQueuedJobOfItsRunKeyedByTheRun() {
    Envelope<?> e = normalize("workflow_job", "workflow_job.queued.payload.json");

    assertThat(e.type()).isEqualTo(EventType.CI_JOB);
    assertThat(e.id()).isEqualTo(DELIVERY);
    assertThat(e.source()).isEqualTo(URI.create("github://Codertocat/Hello-World"));
    assertThat(e.subject()).isEqualTo(RUN);
    assertThat(e.partitionKey()).isEqualTo(RUN);
    assertThat(e.time().toInstant()).isEqualTo(Instant.parse("2021-09-13T02:21:13Z"));
    CiJobEvent job = e.dataAs(CiJobEvent.class);
    assertThat(job.provider()).isEqualTo("github");
    assertThat(job.job()).isEqualTo("ci:github:Codertocat/Hello-World/jobs/289782451");
    assertThat(job.run()).isEqualTo(RUN);
    assertThat(job.repository()).isEqualTo("Codertocat/Hello-World");
    assertThat(job.name()).isEqualTo("update");
    assertThat(job.status()).isEqualTo("queued");
    assertThat(job.conclusion()).isNull();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.runnerName()).isEqualTo("GitHub Actions 5");
    assertThat(job.labels()).containsExactly("ubuntu-latest");
    assertThat(job.ref()).isEqualTo("main");
    assertThat(job.sha()).isEqualTo("3484a3fb816e0859fd6e1cea078d76385ff50625");
    assertThat(job.url()).isEqualTo("https://github.com/octo-org/octo-repo/runs/1291536064");
    assertThat(job.startedAt()).isEqualTo(Instant.parse("2021-09-13T02:21:13Z"));
    assertThat(job.completedAt()).isNull();
    assertThat(job.raw().path("workflow_job").path("id").asLong()).isEqualTo(289782451L);
  }

  @Test
  void inProgressWorkflowJobCarriesItsNameAndStatus() {
    CiJobEvent job = normalize("workflow_job", "workflow_job.in_progress.payload.json").dataAs(CiJobEvent.class);

    assertThat(job.status()).isEqualTo("in_progress");
    assertThat(job.name()).isEqualTo("Analyze (javascript)");
    assertThat(job.conclusion()).isNull();
    assertThat(job.completedAt()).isNull();
  }

  @Test
  void completedWorkflowJobCarriesConclusionAndIsTimedAtCompletion() {
    Envelope<?> e = normalize("workflow_job", "workflow_job.completed.success.with-organization.payload.json");
    CiJobEvent job = e.dataAs(CiJobEvent.class);

    assertThat(job.status()).isEqualTo("completed");
    assertThat(job.conclusion()).isEqualTo("success");
    assertThat(job.name()).isEqualTo("linters");
    assertThat(job.startedAt()).isEqualTo(Instant.parse("2021-08-05T10:34:58Z"));
    assertThat(job.completedAt()).isEqualTo(Instant.parse("2021-08-05T10:38:16Z"));
    assertThat(e.time().toInstant()).isEqualTo(Instant.parse("2021-08-05T10:38:16Z"));
    assertThat(job.raw().path("organization").isObject()).isTrue();
  }

  @Test
  void completedWorkflowRunBecomesACompletedRunWithItsActor() {
    Envelope<?> e = normalize("workflow_run", "workflow_run.completed.payload.json");

    assertThat(e.type()).isEqualTo(EventType.CI_RUN);
    assertThat(e.source()).isEqualTo(URI.create("github://octo-org/octo-repo"));
    assertThat(e.subject()).isEqualTo("ci:github:octo-org/octo-repo/runs/289782451");
    assertThat(e.partitionKey()).isEqualTo(e.subject());
    assertThat(e.time().toInstant()).isEqualTo(Instant.parse("2020-10-05T16:33:49Z"));
    CiRunEvent run = e.dataAs(CiRunEvent.class);
    assertThat(run.run()).isEqualTo("ci:github:octo-org/octo-repo/runs/289782451");
    assertThat(run.repository()).isEqualTo("octo-org/octo-repo");
    assertThat(run.name()).as("the run's name is empty; the workflow's name stands in").isEqualTo("test");
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.conclusion()).isEqualTo("success");
    assertThat(run.attempt()).isEqualTo(1);
    assertThat(run.actor()).isEqualTo("Codertocat");
    assertThat(run.ref()).isEqualTo("master");
    assertThat(run.sha()).isEqualTo("3484a3fb816e0859fd6e1cea078d76385ff50625");
    assertThat(run.url()).isEqualTo("https://github.com/octo-org/octo-repo/actions/runs/289782451");
    assertThat(run.startedAt()).isEqualTo(Instant.parse("2020-10-05T16:33:49Z"));
    assertThat(run.completedAt()).isEqualTo(Instant.parse("2020-10-05T16:33:49Z"));
  }

  @Test
  void requestedRunIsQueuedAndNotCompleted() {
    ObjectNode payload = (ObjectNode) Fixtures.json("github/workflow_run.completed.payload.json");
    payload.put("action", "requested");
    ((ObjectNode) payload.get("workflow_run")).put("status", "requested").putNull("conclusion");

    CiRunEvent run = normalizer.normalize("workflow_run", DELIVERY, payload).orElseThrow().dataAs(CiRunEvent.class);

    assertThat(run.status()).isEqualTo("queued");
    assertThat(run.completedAt()).isNull();
  }

  @Test
  void otherEventTypesAreNotNormalized() {
    assertThat(normalizer.normalize("push", DELIVERY, Fixtures.json("github/workflow_job.queued.payload.json")))
        .isEmpty();
    assertThat(GithubNormalizer.handles("check_run")).isFalse();
  }

  @Test
  void workflowJobWithoutItsJobObjectIsAnInvalidEvent() {
    ObjectNode payload = (ObjectNode) Fixtures.json("github/workflow_job.queued.payload.json");
    payload.remove("workflow_job");

    assertThatThrownBy(() -> normalizer.normalize("workflow_job", DELIVERY, payload))
        .isInstanceOfSatisfying(IngestException.class,
            e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.INVALID_EVENT))
        .hasMessageContaining("workflow_job");
  }

  @Test
  void repositoryNameThatCannotBeAnIdentityReferenceIsAnInvalidEvent() {
    ObjectNode payload = (ObjectNode) Fixtures.json("github/workflow_job.queued.payload.json");
    ((ObjectNode) payload.get("repository")).put("full_name", "no-slash");

    assertThatThrownBy(() -> normalizer.normalize("workflow_job", DELIVERY, payload))
        .isInstanceOf(IngestException.class);
  }

  @Test
  void everyGithubFixtureNormalizes() {
    for (String f : List.of("workflow_job.queued.payload.json", "workflow_job.in_progress.payload.json",
        "workflow_job.completed.success.with-organization.payload.json")) {
      JsonNode payload = Fixtures.json("github/" + f);
      assertThat(normalizer.normalize("workflow_job", DELIVERY, payload)).as(f).isPresent();
    }
  }
}
