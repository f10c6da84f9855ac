package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.first;
import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Turns GitLab's Job Hook ({@code object_kind: build}) into {@code ci.job} and Pipeline Hook
 * ({@code object_kind: pipeline}) into {@code ci.run}. Pure: no I/O, no clock.
 *
 * <p>The CloudEvent id is the job or pipeline reference plus its status ({@code <ref>#<status>}): GitLab
 * sends one hook per status change and the same id when it retries one, so redelivery dedupes downstream.
 * The host and project path come from the project's web URL ({@code project.web_url}, or
 * {@code repository.homepage} in job hooks without a project), the instance header as a fallback.
 * Statuses map to Killswitch's: created/pending/preparing/waiting_for_resource/scheduled are queued,
 * running and canceling in_progress, manual waiting, success/failed/canceled/skipped completed with
 * conclusion success/failure/cancelled/skipped (GitHub's words, so that the correlator reads one vocabulary).
 */
public final class GitlabNormalizer {

  public static final String JOB_HOOK = "Job Hook";
  public static final String PIPELINE_HOOK = "Pipeline Hook";
  /** GitLab's older timestamps: {@code 2023-01-10 13:50:02 UTC}. */
  private static final DateTimeFormatter GITLAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
  private static final DateTimeFormatter GITLAB_OFFSET_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

  private final Redactor redactor;

  public GitlabNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  public static boolean handles(String event) {
    return JOB_HOOK.equals(event) || PIPELINE_HOOK.equals(event);
  }

  /**
   * The event of a {@link #handles handled} hook, empty for other hooks.
   *
   * @param instance the {@code X-Gitlab-Instance} header (e.g. {@code https://gitlab.com}), may be null
   */
  public Optional<Envelope<?>> normalize(String event, String instance, JsonNode payload) {
    if (!handles(event)) {
      return Optional.empty();
    }
    if (payload == null || !payload.isObject()) {
      throw IngestException.invalidEvent("a " + event + " payload must be a JSON object");
    }
    try {
      return Optional.of(event.equals(JOB_HOOK) ? job(instance, payload) : pipeline(instance, payload));
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent(event + " cannot be named: " + e.getMessage());
    }
  }

  private Envelope<CiJobEvent> job(String instance, JsonNode p) {
    expectKind(p, "build", JOB_HOOK);
    Project project = project(instance, p);
    String buildId = Fields.required(p, "build_id", JOB_HOOK);
    IdentityRef job = IdentityRef.gitlabJob(project.scope(), buildId);
    IdentityRef run = IdentityRef.gitlabPipeline(project.scope(), Fields.required(p, "pipeline_id", JOB_HOOK));
    String gitlabStatus = Fields.required(p, "build_status", JOB_HOOK);
    String status = status(gitlabStatus);
    Instant created = time(p, "build_created_at");
    Instant started = time(p, "build_started_at");
    Instant finished = status.equals("completed") ? time(p, "build_finished_at") : null;
    Integer retries = Fields.integer(p, "retries_count");
    JsonNode runner = p.path("runner");
    CiJobEvent data = new CiJobEvent("gitlab", job.toString(), run.toString(), project.path(), text(p, "build_name"),
        status, conclusion(gitlabStatus), retries == null ? null : retries + 1, text(runner, "description"),
        List.copyOf(Fields.texts(runner, "tags")), text(p, "ref"), text(p, "sha"),
        project.webUrl() + "/-/jobs/" + buildId, started, finished, redactor.redact(p));
    return envelope(job, gitlabStatus, project, EventType.CI_JOB, run, first(finished, started, created), data);
  }

  private Envelope<CiRunEvent> pipeline(String instance, JsonNode p) {
    expectKind(p, "pipeline", PIPELINE_HOOK);
    Project project = project(instance, p);
    JsonNode attrs = p.get("object_attributes");
    if (attrs == null || !attrs.isObject()) {
      throw IngestException.invalidEvent("the Pipeline Hook has no object_attributes");
    }
    IdentityRef run = IdentityRef.gitlabPipeline(project.scope(), Fields.required(attrs, "id", PIPELINE_HOOK));
    String gitlabStatus = Fields.required(attrs, "status", PIPELINE_HOOK);
    String status = status(gitlabStatus);
    Instant created = time(attrs, "created_at");
    Instant finished = status.equals("completed") ? time(attrs, "finished_at") : null;
    CiRunEvent data = new CiRunEvent("gitlab", run.toString(), project.path(), first(text(attrs, "name"),
        text(attrs, "ref")), status, conclusion(gitlabStatus), null, text(p.path("user"), "username"),
        text(attrs, "ref"), text(attrs, "sha"), first(text(attrs, "url"), project.webUrl() + "/-/pipelines/"
        + run.leaf()), created, finished, redactor.redact(p));
    return envelope(run, gitlabStatus, project, EventType.CI_RUN, run, first(finished, created), data);
  }

  private static <T> Envelope<T> envelope(IdentityRef ref, String gitlabStatus, Project project, EventType type,
                                          IdentityRef run, Instant time, T data) {
    return new Envelope<>(ref + "#" + gitlabStatus, URI.create("gitlab://" + project.scope()), type, run.toString(),
        time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), run.toString(), data);
  }

  /** Host, project path and web URL of the project the hook is about. */
  record Project(String host, String path, String webUrl) {
    String scope() {
      return host + "/" + path;
    }
  }

  static Project project(String instance, JsonNode p) {
    String webUrl = first(text(p.path("project"), "web_url"), text(p.path("repository"), "homepage"));
    String path = text(p.path("project"), "path_with_namespace");
    String host = null;
    if (webUrl != null) {
      try {
        URI uri = new URI(webUrl);
        host = uri.getRawAuthority();
        if (path == null && uri.getPath() != null && uri.getPath().length() > 1) {
          path = uri.getPath().substring(1);
        }
      } catch (URISyntaxException e) {
        throw IngestException.invalidEvent("the project's web URL is not a URL: " + webUrl);
      }
    }
    if (host == null && instance != null) {
      try {
        host = new URI(instance).getRawAuthority();
      } catch (URISyntaxException e) {
        throw IngestException.invalidEvent("the X-Gitlab-Instance header is not a URL: " + instance);
      }
    }
    if (host == null || path == null) {
      throw IngestException.invalidEvent("the hook names no project URL (project.web_url or repository.homepage)");
    }
    path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return new Project(host, path, webUrl != null ? webUrl : "https://" + host + "/" + path);
  }

  private static void expectKind(JsonNode p, String kind, String event) {
    String actual = text(p, "object_kind");
    if (actual != null && !actual.equals(kind)) {
      throw IngestException.invalidEvent("a " + event + " carries object_kind " + kind + ", not " + actual);
    }
  }

  static String status(String gitlab) {
    return switch (gitlab) {
      case "created", "pending", "preparing", "waiting_for_resource", "scheduled" -> "queued";
      case "running", "canceling" -> "in_progress";
      case "manual" -> "waiting";
      case "success", "failed", "canceled", "skipped" -> "completed";
      default -> throw IngestException.invalidEvent("unknown GitLab status " + gitlab);
    };
  }

  static String conclusion(String gitlab) {
    return switch (gitlab) {
      case "success" -> "success";
      case "failed" -> "failure";
      case "canceled" -> "cancelled";
      case "skipped" -> "skipped";
      default -> null;
    };
  }

  /** RFC 3339 ({@code 2021-02-23T02:41:37.886Z}) or GitLab's {@code 2023-01-10 13:50:02 UTC} / {@code +0200}. */
  static Instant time(JsonNode node, String field) {
    String s = text(node, field);
    if (s == null) {
      return null;
    }
    for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.ISO_OFFSET_DATE_TIME, GITLAB_TIME,
        GITLAB_OFFSET_TIME}) {
      try {
        return f == GITLAB_TIME ? java.time.ZonedDateTime.parse(s, f).toInstant() : OffsetDateTime.parse(s, f).toInstant();
      } catch (DateTimeParseException e) {
        // try the next format
      }
    }
    throw IngestException.invalidEvent(field + " is not a timestamp GitLab writes: " + s);
  }
}
