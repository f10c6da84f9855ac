package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * CI webhooks shaped like the published samples (octokit/webhooks workflow_job payloads, go-gitlab's Job Hook
 * test data; see /work/shared/fixtures/PROVENANCE.md), and what ingest's GitHub and GitLab normalizers make of them.
 */
final class CiSources {

  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  private static final DateTimeFormatter GITLAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  private CiSources() {}

  /**
   * A GitHub {@code workflow_job} webhook (the action is the status) and its {@code ci.job} event. The delivery id
   * is the one {@code killswitch replay} derives from the file's bytes, so a replayed file gives the same event id.
   */
  static SourceRecord githubJob(String file, String repo, long runId, long jobId, String status,
                                String conclusion, Instant created, Instant started, Instant completed,
                                String jobName, String branch) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("action", status);
    ObjectNode job = body.putObject("workflow_job");
    job.put("id", jobId).put("run_id", runId)
        .put("run_url", "https://api.github.com/repos/" + repo + "/actions/runs/" + runId)
        .put("run_attempt", 1).put("node_id", "CR_kwDOExample" + jobId).put("head_sha", SHA).put("head_branch", branch)
        .put("url", "https://api.github.com/repos/" + repo + "/actions/jobs/" + jobId)
        .put("html_url", "https://github.com/" + repo + "/actions/runs/" + runId + "/job/" + jobId)
        .put("status", status);
    if (conclusion == null) {
      job.putNull("conclusion");
    } else {
      job.put("conclusion", conclusion);
    }
    job.put("created_at", created.toString());
    putTime(job, "started_at", started);
    putTime(job, "completed_at", completed);
    job.put("name", jobName).putArray("steps");
    job.put("check_run_url", "https://api.github.com/repos/" + repo + "/check-runs/" + jobId);
    job.putArray("labels").add("ubuntu-latest");
    if (started != null) {
      job.put("runner_id", 5).put("runner_name", "GitHub Actions 5").put("runner_group_id", 2)
          .put("runner_group_name", "GitHub Actions");
    }
    job.put("workflow_name", "deploy");
    ObjectNode repository = body.putObject("repository");
    repository.put("id", 186853002).put("name", repo.substring(repo.indexOf('/') + 1)).put("full_name", repo)
        .put("private", true).put("html_url", "https://github.com/" + repo);
    repository.putObject("owner").put("login", repo.substring(0, repo.indexOf('/'))).put("type", "Organization");
    body.putObject("sender").put("login", "octocat").put("type", "User");

    String delivery = UUID.nameUUIDFromBytes(("github-replay\0" + DeterministicIds.sha256Hex(
        Scenario.fileText(body))).getBytes(StandardCharsets.UTF_8)).toString();
    String run = IdentityRef.githubRun(repo, Long.toString(runId)).toString();
    String jobRef = IdentityRef.githubJob(repo, Long.toString(jobId)).toString();
    CiJobEvent data = new CiJobEvent("github", jobRef, run, repo, jobName, status, conclusion, 1,
        started == null ? null : "GitHub Actions 5", List.of("ubuntu-latest"), branch, SHA,
        "https://github.com/" + repo + "/actions/runs/" + runId + "/job/" + jobId, started, completed, body);
    Instant time = completed != null ? completed : started != null ? started : created;
    Envelope<CiJobEvent> event = new Envelope<>(delivery, URI.create("github://" + repo), EventType.CI_JOB, run,
        utc(time), run, data);
    return new SourceRecord(file, "/v1/ingest/github",
        Map.of("X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", delivery), body, List.of(event));
  }

  /** A GitLab Job Hook ({@code object_kind: build}) and its {@code ci.job} event. */
  static SourceRecord gitlabJob(String file, String host, String path, long pipelineId, long jobId,
                                String gitlabStatus, Instant created, Instant started, Instant finished, String ref,
                                String jobName) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("object_kind", "build").put("ref", ref).put("tag", false)
        .put("before_sha", "0000000000000000000000000000000000000000").put("sha", SHA)
        .put("build_id", jobId).put("build_name", jobName).put("build_stage", "deploy")
        .put("build_status", gitlabStatus).put("build_created_at", GITLAB_TIME.format(created));
    putGitlabTime(body, "build_started_at", started);
    putGitlabTime(body, "build_finished_at", finished);
    body.put("build_allow_failure", false).put("retries_count", 0).put("pipeline_id", pipelineId)
        .put("project_id", 31537070).put("project_name", "Acme / " + path.substring(path.lastIndexOf('/') + 1));
    ObjectNode runner = body.putObject("runner");
    runner.put("id", 12270837).put("description", "4-blue.shared.runners-manager.gitlab.com/default")
        .put("runner_type", "instance_type").put("active", true).put("is_shared", true);
    runner.putArray("tags").add("linux").add("docker");
    body.putObject("user").put("id", 2967854).put("username", "jsmithy2").put("name", "John Smith");
    body.putObject("project").put("id", 31537070).put("web_url", "https://" + host + "/" + path)
        .put("path_with_namespace", path);
    body.putObject("repository").put("name", path.substring(path.lastIndexOf('/') + 1))
        .put("homepage", "https://" + host + "/" + path);

    String scope = host + "/" + path;
    String run = IdentityRef.gitlabPipeline(scope, Long.toString(pipelineId)).toString();
    String job = IdentityRef.gitlabJob(scope, Long.toString(jobId)).toString();
    String status = gitlabStatus(gitlabStatus);
    Instant done = status.equals("completed") ? finished : null;
    CiJobEvent data = new CiJobEvent("gitlab", job, run, path, jobName, status, gitlabConclusion(gitlabStatus), 1,
        "4-blue.shared.runners-manager.gitlab.com/default", List.of("linux", "docker"), ref, SHA,
        "https://" + scope + "/-/jobs/" + jobId, started, done, body);
    Instant time = done != null ? done : started != null ? started : created;
    Envelope<CiJobEvent> event = new Envelope<>(job + "#" + gitlabStatus, URI.create("gitlab://" + scope),
        EventType.CI_JOB, run, utc(time), run, data);
    return new SourceRecord(file, "/v1/ingest/gitlab", Map.of("X-Gitlab-Event", "Job Hook"), body, List.of(event));
  }

  /** A GitLab Pipeline Hook and its {@code ci.run} event. */
  static SourceRecord gitlabPipeline(String file, String host, String path, long pipelineId, String gitlabStatus,
                                     Instant created, Instant finished, String ref) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("object_kind", "pipeline");
    String scope = host + "/" + path;
    ObjectNode attrs = body.putObject("object_attributes");
    attrs.put("id", pipelineId).put("ref", ref).put("tag", false).put("sha", SHA).put("source", "push")
        .put("status", gitlabStatus).put("created_at", GITLAB_TIME.format(created));
    putGitlabTime(attrs, "finished_at", finished);
    attrs.put("url", "https://" + scope + "/-/pipelines/" + pipelineId);
    body.putObject("user").put("id", 2967854).put("username", "jsmithy2").put("name", "John Smith");
    body.putObject("project").put("id", 31537070).put("web_url", "https://" + scope)
        .put("path_with_namespace", path);
    String run = IdentityRef.gitlabPipeline(scope, Long.toString(pipelineId)).toString();
    String status = gitlabStatus(gitlabStatus);
    Instant done = status.equals("completed") ? finished : null;
    CiRunEvent data = new CiRunEvent("gitlab", run, path, ref, status, gitlabConclusion(gitlabStatus), null,
        "jsmithy2", ref, SHA, "https://" + scope + "/-/pipelines/" + pipelineId, created, done, body);
    Envelope<CiRunEvent> event = new Envelope<>(run + "#" + gitlabStatus, URI.create("gitlab://" + scope),
        EventType.CI_RUN, run, utc(done != null ? done : created), run, data);
    return new SourceRecord(file, "/v1/ingest/gitlab", Map.of("X-Gitlab-Event", "Pipeline Hook"), body,
        List.of(event));
  }

  private static String gitlabStatus(String gitlab) {
    return switch (gitlab) {
      case "created", "pending", "preparing", "waiting_for_resource", "scheduled" -> "queued";
      case "running", "canceling" -> "in_progress";
      case "manual" -> "waiting";
      default -> "completed";
    };
  }

  private static String gitlabConclusion(String gitlab) {
    return switch (gitlab) {
      case "success" -> "success";
      case "failed" -> "failure";
      case "canceled" -> "cancelled";
      case "skipped" -> "skipped";
      default -> null;
    };
  }

  private static void putTime(ObjectNode node, String field, Instant t) {
    if (t == null) {
      node.putNull(field);
    } else {
      node.put(field, t.toString());
    }
  }

  private static void putGitlabTime(ObjectNode node, String field, Instant t) {
    if (t == null) {
      node.putNull(field);
    } else {
      node.put(field, GITLAB_TIME.format(t));
    }
  }

  static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
