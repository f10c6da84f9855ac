package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.GitlabSamples;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GitlabNormalizerTest {

  private final GitlabNormalizer normalizer = new GitlabNormalizer(new Redactor());

  @Test
  void successfulJobHookBecomesACompletedJobOfItsPipeline() {
    Envelope<?> e = normalizer.normalize("Job Hook", "https://gitlab.com",
        Fixtures.json("gitlab/go-gitlab-testdata-webhooks-job.json")).orElseThrow();

    String pipeline = "ci:gitlab:gitlab.com/jsmithy2/release-tools-fake/pipelines/743121198";
    String job = "ci:gitlab:gitlab.com/jsmithy2/release-tools-fake/jobs/3580121225";
    assertThat(e.type()).isEqualTo(EventType.CI_JOB);
    assertThat(e.id()).isEqualTo(job + "#success");
    assertThat(e.source()).isEqualTo(URI.create("gitlab://gitlab.com/jsmithy2/release-tools-fake"));
    assertThat(e.subject()).isEqualTo(pipeline);
    assertThat(e.partitionKey()).isEqualTo(pipeline);
    assertThat(e.time().toInstant()).isEqualTo(Instant.parse("2023-01-10T13:50:54Z"));
    CiJobEvent data = e.dataAs(CiJobEvent.class);
    assertThat(data.provider()).isEqualTo("gitlab");
    assertThat(data.job()).isEqualTo(job);
    assertThat(data.run()).isEqualTo(pipeline);
    assertThat(data.repository()).isEqualTo("jsmithy2/release-tools-fake");
    assertThat(data.name()).isEqualTo("auto_deploy:start");
    assertThat(data.status()).isEqualTo("completed");
    assertThat(data.conclusion()).isEqualTo("success");
    assertThat(data.attempt()).as("retries_count 1 is the second attempt").isEqualTo(2);
    assertThat(data.runnerName()).isEqualTo("4-blue.shared.runners-manager.gitlab.com/default");
    assertThat(data.labels()).containsExactly("linux", "docker");
    assertThat(data.ref()).isEqualTo("main");
    assertThat(data.sha()).isEqualTo("95d49d1efbd941908580e79d65e4b5ecaf4a8305");
    assertThat(data.url()).isEqualTo("https://gitlab.com/jsmithy2/release-tools-fake/-/jobs/3580121225");
    assertThat(data.startedAt()).isEqualTo(Instant.parse("2023-01-10T13:50:05Z"));
    assertThat(data.completedAt()).isEqualTo(Instant.parse("2023-01-10T13:50:54Z"));
  }

  @Test
  void createdJobHookOnASelfManagedInstanceIsQueuedAndNamedByItsHostAndPort() {
    Envelope<?> e = normalizer.normalize("Job Hook", null,
        Fixtures.json("gitlab/go-gitlab-testdata-webhooks-build.json")).orElseThrow();
    CiJobEvent data = e.dataAs(CiJobEvent.class);

    assertThat(data.job()).isEqualTo("ci:gitlab:192.168.64.1:3005/gitlab-org/gitlab-test/jobs/1977");
    assertThat(data.run()).isEqualTo("ci:gitlab:192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/2366");
    assertThat(data.status()).isEqualTo("queued");
    assertThat(data.conclusion()).isNull();
    assertThat(data.startedAt()).isNull();
    assertThat(data.completedAt()).isNull();
    assertThat(data.attempt()).isNull();
    assertThat(e.time().toInstant()).isEqualTo(Instant.parse("2021-02-23T02:41:37.886Z"));
    assertThat(e.id()).endsWith("/jobs/1977#created");
  }

  /** Built from GitLab's documentation: no public Pipeline Hook sample is among the fixtures (GitlabSamples). */
  @Test
  void successfulPipelineHookBecomesACompletedRunWithItsUserAndVariablesRedacted() {
    Envelope<?> e = normalizer.normalize("Pipeline Hook", null,
        AuditSamples.json(GitlabSamples.PIPELINE_SUCCESS)).orElseThrow();
    CiRunEvent run = e.dataAs(CiRunEvent.class);

    String ref = "ci:gitlab:example.com/gitlab-org/gitlab-test/pipelines/31";
    assertThat(e.type()).isEqualTo(EventType.CI_RUN);
    assertThat(e.id()).isEqualTo(ref + "#success");
    assertThat(e.subject()).isEqualTo(ref);
    assertThat(run.run()).isEqualTo(ref);
    assertThat(run.repository()).isEqualTo("gitlab-org/gitlab-test");
    assertThat(run.name()).isEqualTo("Pipeline for branch: master");
    assertThat(run.status()).isEqualTo("completed");
    assertThat(run.conclusion()).isEqualTo("success");
    assertThat(run.actor()).isEqualTo("root");
    assertThat(run.ref()).isEqualTo("master");
    assertThat(run.url()).isEqualTo("http://example.com/gitlab-org/gitlab-test/-/pipelines/31");
    assertThat(run.startedAt()).isEqualTo(Instant.parse("2016-08-12T15:23:28Z"));
    assertThat(run.completedAt()).isEqualTo(Instant.parse("2016-08-12T15:26:29Z"));
    assertThat(run.raw().toString()).doesNotContain(GitlabSamples.VARIABLE_VALUE);
  }

  @Test
  void gitlabStatusesMapToKillswitchStatusesAndGithubConclusions() {
    assertThat(GitlabNormalizer.status("pending")).isEqualTo("queued");
    assertThat(GitlabNormalizer.status("running")).isEqualTo("in_progress");
    assertThat(GitlabNormalizer.status("manual")).isEqualTo("waiting");
    assertThat(GitlabNormalizer.status("failed")).isEqualTo("completed");
    assertThat(GitlabNormalizer.conclusion("failed")).isEqualTo("failure");
    assertThat(GitlabNormalizer.conclusion("canceled")).isEqualTo("cancelled");
    assertThat(GitlabNormalizer.conclusion("running")).isNull();
  }

  @Test
  void hookWithoutAProjectUrlIsInvalid() {
    ObjectNode p = (ObjectNode) Fixtures.json("gitlab/go-gitlab-testdata-webhooks-build.json");
    p.remove("repository");

    assertThatThrownBy(() -> normalizer.normalize("Job Hook", null, p)).isInstanceOf(IngestException.class)
        .hasMessageContaining("project URL");
  }

  @Test
  void otherHooksAreNotNormalized() {
    assertThat(normalizer.normalize("Push Hook", null, Fixtures.json("gitlab/go-gitlab-testdata-webhooks-job.json")))
        .isEmpty();
  }
}
