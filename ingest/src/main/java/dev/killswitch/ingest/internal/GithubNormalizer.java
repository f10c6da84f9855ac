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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns GitHub Actions webhooks into {@code ci.job} ({@code workflow_job}) and {@code ci.run}
 * ({@code workflow_run}) events. Pure: no I/O, no clock. The CloudEvent id is the delivery id, which GitHub
 * keeps on redelivery, so a redelivered webhook dedupes downstream.
 */
public final class GithubNormalizer {

  public static final String WORKFLOW_JOB = "workflow_job";
  public static final String WORKFLOW_RUN = "workflow_run";
  private static final Set<String> STATUSES = Set.of("queued", "in_progress", "waiting", "completed");

  private final Redactor redactor;

  public GithubNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  /** True for the event types that become Killswitch events. */
  public static boolean handles(String event) {
    return WORKFLOW_JOB.equals(event) || WORKFLOW_RUN.equals(event);
  }

  /**
   * The event of a {@link #handles handled} delivery; empty for other types. Throws {@link IngestException}
   * when the payload lacks what the type must carry.
   */
  public Optional<Envelope<?>> normalize(String event, String deliveryId, JsonNode payload) {
    if (!handles(event)) {
      return Optional.empty();
    }
    if (payload == null || !payload.isObject()) {
      throw IngestException.invalidEvent("a " + event + " payload must be a JSON object");
    }
    try {
      return Optional.of(event.equals(WORKFLOW_JOB) ? job(deliveryId, payload) : run(deliveryId, payload));
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent(event + " cannot be named: " + e.getMessage());
    }
  }

  private Envelope<CiJobEvent> job(String deliveryId, JsonNode payload) {
    String repo = repository(payload);
    JsonNode job = object(payload, WORKFLOW_JOB);
    IdentityRef jobRef = IdentityRef.githubJob(repo, Fields.required(job, "id", WORKFLOW_JOB));
    IdentityRef runRef = IdentityRef.githubRun(repo, Fields.required(job, "run_id", WORKFLOW_JOB));
    String status = status(text(payload, "action"), text(job, "status"));
    Instant startedAt = Fields.instant(job, "started_at");
    Instant completedAt = Fields.instant(job, "completed_at");
    Instant time = first(completedAt, startedAt, Fields.instant(job, "created_at"));
    CiJobEvent data = new CiJobEvent("github", jobRef.toString(), runRef.toString(), repo, text(job, "name"), status,
        text(job, "conclusion"), Fields.integer(job, "run_attempt"), text(job, "runner_name"),
        List.copyOf(Fields.texts(job, "labels")), text(job, "head_branch"), text(job, "head_sha"),
        text(job, "html_url"), startedAt, completedAt, redactor.redact(payload));
    return envelope(deliveryId, repo, EventType.CI_JOB, runRef, time, data);
  }

  private Envelope<CiRunEvent> run(String deliveryId, JsonNode payload) {
    String repo = repository(payload);
    JsonNode run = object(payload, WORKFLOW_RUN);
    IdentityRef runRef = IdentityRef.githubRun(repo, Fields.required(run, "id", WORKFLOW_RUN));
    String status = status(text(payload, "action"), text(run, "status"));
    Instant updatedAt = Fields.instant(run, "updated_at");
    Instant startedAt = first(Fields.instant(run, "run_started_at"), Fields.instant(run, "created_at"));
    Instant completedAt = status.equals("completed") ? updatedAt : null;
    String actor = first(text(run.path("triggering_actor"), "login"), text(run.path("actor"), "login"),
        text(payload.path("sender"), "login"));
    CiRunEvent data = new CiRunEvent("github", runRef.toString(), repo, first(text(run, "name"),
        text(payload.path("workflow"), "name"), text(run, "path")),
        status, text(run, "conclusion"), Fields.integer(run, "run_attempt"), actor, text(run, "head_branch"),
        text(run, "head_sha"), text(run, "html_url"), startedAt, completedAt, redactor.redact(payload));
    return envelope(deliveryId, repo, EventType.CI_RUN, runRef, first(updatedAt, startedAt), data);
  }

  private static <T> Envelope<T> envelope(String deliveryId, String repo, EventType type, IdentityRef runRef,
                                          Instant time, T data) {
    return new Envelope<>(deliveryId, URI.create("github://" + repo), type, runRef.toString(),
        time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), runRef.toString(), data);
  }

  private static String repository(JsonNode payload) {
    return Fields.required(payload.path("repository"), "full_name", "the payload's repository");
  }

  private static JsonNode object(JsonNode payload, String field) {
    JsonNode node = payload.get(field);
    if (node == null || !node.isObject()) {
      throw IngestException.invalidEvent("the payload has no " + field + " object");
    }
    return node;
  }

  /**
   * One of queued, in_progress, waiting, completed: the webhook's action when it is one of them (it is
   * for workflow_job), else the object's status, where GitHub's requested and pending mean queued.
   */
  static String status(String action, String status) {
    if (action != null && STATUSES.contains(action)) {
      return action;
    }
    if (status == null) {
      throw IngestException.invalidEvent("neither the action nor the status says where the run is");
    }
    return switch (status) {
      case "requested", "pending", "queued" -> "queued";
      default -> status;
    };
  }
}
