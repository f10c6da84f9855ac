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
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Tekton's own CloudEvents ({@code dev.tekton.event.{pipelinerun,taskrun}.{started,running,successful,
 * failed,unknown}.v1}, data {@code {"pipelineRun": ...}} or {@code {"taskRun": ...}}) into {@code ci.run} and
 * {@code ci.job}. Pure: no I/O, no clock. Custom runs and other types are ignored.
 *
 * <p>Names: Tekton's {@code ce-source} is the run's resource path (its selfLink,
 * {@code /apis/tekton.dev/v1beta1/namespaces/<ns>/taskruns/<name>}, or on newer releases
 * {@code /apis/tekton.dev/v1/namespaces/<ns>/TaskRun/<name>}) and {@code ce-subject} its name. The reference is
 * {@code ci:cdevents:<collection>/<name>} with the collection being the source without the trailing name, so it
 * reads as the resource path; a task run's pipeline run comes from its {@code tekton.dev/pipelineRun} label,
 * in the sibling collection ({@code taskruns} -> {@code pipelineruns}, {@code TaskRun} -> {@code PipelineRun}),
 * which is the name the pipeline run's own events give it. The CloudEvent id is Tekton's {@code ce-id}.
 *
 * <p>States: started, running and unknown (the Succeeded condition is still Unknown) are {@code in_progress};
 * successful is {@code completed}/success; failed is {@code completed}/failure, or cancelled when the
 * condition's reason says the run was cancelled.
 */
public final class TektonNormalizer {

  public static final String TYPE_PREFIX = "dev.tekton.event.";
  private static final Pattern TYPE =
      Pattern.compile("dev\\.tekton\\.event\\.(pipelinerun|taskrun)\\.(started|running|successful|failed|unknown)\\.v1");
  static final String PIPELINE_RUN_LABEL = "tekton.dev/pipelineRun";
  /** Warning: a task run names its pipeline run, but its source is not a path the run's name can be built from. */
  public static final String UNNAMED_PIPELINE_RUN = "unnamed-pipeline-run";

  private final Redactor redactor;

  public TektonNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  public static boolean handles(String ceType) {
    return ceType != null && TYPE.matcher(ceType).matches();
  }

  /**
   * The event of one Tekton CloudEvent.
   *
   * @param subject the CloudEvent's subject (the run's name), may be null: the object's name is used then
   */
  public Normalized normalize(String ceId, String ceSource, String ceType, String subject, OffsetDateTime ceTime,
                              JsonNode data) {
    Matcher m = TYPE.matcher(ceType == null ? "" : ceType);
    if (!m.matches()) {
      return new Normalized.Ignore("unhandled-event-type");
    }
    boolean pipelineRun = m.group(1).equals("pipelinerun");
    String field = pipelineRun ? "pipelineRun" : "taskRun";
    JsonNode run = data == null ? null : data.get(field);
    if (run == null || !run.isObject()) {
      throw IngestException.invalidEvent("the data of Tekton event " + ceId + " has no " + field + " object");
    }
    JsonNode metadata = run.path("metadata");
    JsonNode labels = metadata.path("labels");
    JsonNode spec = run.path("spec");
    JsonNode status = run.path("status");
    String name = first(subject, text(metadata, "name"));
    if (name == null) {
      throw IngestException.invalidEvent("Tekton event " + ceId + " names no run (no subject, no metadata.name)");
    }
    String state = m.group(2);
    boolean completed = state.equals("successful") || state.equals("failed");
    String conclusion = state.equals("successful") ? "success" : state.equals("failed") ? failure(status) : null;
    Instant startedAt = Fields.instant(status, "startTime");
    Instant completedAt = completed ? Fields.instant(status, "completionTime") : null;
    Instant time = ceTime != null ? ceTime.toInstant() : first(completedAt, startedAt);
    URI source = CdEventsNormalizer.source(ceSource, ceId);
    try {
      IdentityRef self = reference(ceSource, name);
      if (pipelineRun) {
        CiRunEvent out = new CiRunEvent("cdevents", self.toString(), null,
            first(text(labels, "tekton.dev/pipeline"), text(spec.path("pipelineRef"), "name")),
            completed ? "completed" : "in_progress", conclusion, null, null, null, null, null, startedAt, completedAt,
            redactor.redact(data));
        return new Normalized.Publish(envelope(ceId, source, EventType.CI_RUN, self, time, out), List.of());
      }
      String parent = text(labels, PIPELINE_RUN_LABEL);
      IdentityRef runRef = parent == null ? null : sibling(ceSource, name, parent);
      CiJobEvent out = new CiJobEvent("cdevents", self.toString(), runRef == null ? null : runRef.toString(), null,
          first(text(labels, "tekton.dev/pipelineTask"), text(labels, "tekton.dev/task"),
              text(spec.path("taskRef"), "name")),
          completed ? "completed" : "in_progress", conclusion, null, text(status, "podName"), List.of(), null, null,
          null, startedAt, completedAt, redactor.redact(data));
      List<String> warnings = parent != null && runRef == null ? List.of(UNNAMED_PIPELINE_RUN) : List.of();
      return new Normalized.Publish(envelope(ceId, source, EventType.CI_JOB, runRef == null ? self : runRef, time, out),
          warnings);
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent("Tekton event " + ceId + " cannot be named: " + e.getMessage());
    }
  }

  /** {@code ci:cdevents:<source without the trailing /name>/<name>}, or the source as it is when it does not end so. */
  static IdentityRef reference(String ceSource, String name) {
    String suffix = "/" + name;
    if (ceSource.endsWith(suffix) && ceSource.length() > suffix.length()) {
      return IdentityRef.cdeventsRun(ceSource.substring(0, ceSource.length() - suffix.length()), name);
    }
    return IdentityRef.cdeventsRun(ceSource, name);
  }

  /**
   * The pipeline run a task run belongs to, in the collection beside the task run's; null when the source is
   * not a task-run path ({@code .../taskruns/<name>} or {@code .../TaskRun/<name>}).
   */
  static IdentityRef sibling(String taskRunSource, String taskRunName, String pipelineRunName) {
    String suffix = "/" + taskRunName;
    String collection = taskRunSource.endsWith(suffix)
        ? taskRunSource.substring(0, taskRunSource.length() - suffix.length()) : taskRunSource;
    int slash = collection.lastIndexOf('/');
    String kind = collection.substring(slash + 1);
    String parentKind = switch (kind) {
      case "taskruns" -> "pipelineruns";
      case "TaskRun" -> "PipelineRun";
      default -> null;
    };
    if (parentKind == null) {
      return null;
    }
    return IdentityRef.cdeventsRun(collection.substring(0, slash + 1) + parentKind, pipelineRunName);
  }

  /** failure, or cancelled when the Succeeded condition's reason says so (Cancelled, TaskRunCancelled, ...). */
  private static String failure(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      if ("Succeeded".equals(text(c, "type"))) {
        String reason = text(c, "reason");
        if (reason != null && reason.toLowerCase(Locale.ROOT).contains("cancel")) {
          return "cancelled";
        }
      }
    }
    return "failure";
  }

  private static Envelope<?> envelope(String id, URI source, EventType type, IdentityRef key, Instant time, Object data) {
    return new Envelope<>(id, source, type, key.toString(),
        time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), key.toString(), data);
  }
}
