package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.first;
import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns CDEvents pipeline-run and task-run events ({@code dev.cdevents.{pipelinerun,taskrun}.{queued,started,
 * finished}.<version>}) into {@code ci.run} and {@code ci.job}. Pure: no I/O, no clock.
 *
 * <p>Spec versions: 0.4 (the context names its version {@code version}, subjects carry {@code type}, the run's
 * page is {@code url}; event types 0.2.x) and 0.5/0.6 drafts (the context field is {@code specversion}, no
 * subject type, the page is {@code uri}; event types 0.3.x, task-run queued 0.1.x-draft). Other spec versions
 * are refused as {@code unsupported-version}, naming the version. Other CDEvents types are not Killswitch's
 * business and are ignored.
 *
 * <p>References: a pipeline run and a task run are both {@code ci:cdevents:<subject source>/<subject id>}
 * (the subject's source defaults to the context's, as the spec says); a task run belongs to the run its
 * {@code pipelineRun} field names. The CloudEvent id is the CDEvent context id, so a redelivery dedupes.
 */
public final class CdEventsNormalizer {

  public static final String TYPE_PREFIX = "dev.cdevents.";
  private static final Pattern TYPE = Pattern.compile(
      "dev\\.cdevents\\.(pipelinerun|taskrun)\\.(queued|started|finished)\\.(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.-]+)?");
  /** 0.4.x, and the 0.5 / 0.6 line, released or draft. */
  private static final Pattern SPEC_VERSIONS = Pattern.compile("0\\.(4|5|6)\\.\\d+(-[0-9A-Za-z.-]+)?");
  static final String SUPPORTED = "0.4.x, 0.5.x and 0.6.x (drafts included)";

  private final Redactor redactor;

  public CdEventsNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  /** True for the CloudEvent types that become Killswitch events (any major-0 version of them). */
  public static boolean handles(String ceType) {
    return ceType != null && TYPE.matcher(ceType).matches();
  }

  /**
   * The event of one CDEvent carried as CloudEvent data.
   *
   * @param ceType the CloudEvent's {@code type}, which must equal the context's
   * @param cdevent the CloudEvent data: {@code {"context": ..., "subject": ...}}
   */
  public Normalized normalize(String ceType, JsonNode cdevent) {
    if (cdevent == null || !cdevent.isObject()) {
      throw IngestException.invalidEvent("a CDEvent must be a JSON object with context and subject");
    }
    JsonNode context = object(cdevent, "context");
    JsonNode subject = object(cdevent, "subject");
    String version = first(text(context, "specversion"), text(context, "version"));
    if (version == null) {
      throw IngestException.invalidEvent("the CDEvent context has no specversion (0.5+) or version (0.4)");
    }
    if (!SPEC_VERSIONS.matcher(version).matches()) {
      throw IngestException.of(Reason.UNSUPPORTED_VERSION,
          "CDEvents spec version " + version + " is not supported; ingest reads " + SUPPORTED);
    }
    String type = first(text(context, "type"), ceType);
    if (ceType != null && !type.equals(ceType)) {
      throw IngestException.invalidEvent("the CloudEvent type " + ceType + " differs from the CDEvent type " + type);
    }
    Matcher m = TYPE.matcher(type);
    if (!m.matches()) {
      return new Normalized.Ignore("unhandled-event-type");
    }
    if (!m.group(3).equals("0")) {
      throw IngestException.of(Reason.UNSUPPORTED_VERSION, "the CDEvents event type " + type
          + " has version " + m.group(3) + "." + m.group(4) + "." + m.group(5) + "; ingest reads 0.x");
    }
    String id = Fields.required(context, "id", "the CDEvent context");
    String contextSource = Fields.required(context, "source", "CDEvent " + id);
    Instant time = Fields.instant(context, "timestamp");
    String subjectId = Fields.required(subject, "id", "the subject of CDEvent " + id);
    String subjectSource = first(text(subject, "source"), contextSource);
    JsonNode content = subject.path("content");
    String predicate = m.group(2);
    String status = switch (predicate) {
      case "queued" -> "queued";
      case "started" -> "in_progress";
      default -> "completed";
    };
    String conclusion = predicate.equals("finished") ? text(content, "outcome") : null;
    Instant startedAt = predicate.equals("started") ? time : null;
    Instant completedAt = predicate.equals("finished") ? time : null;
    String url = first(text(content, "url"), text(content, "uri"));
    URI source = source(contextSource, id);
    try {
      IdentityRef self = IdentityRef.cdeventsRun(subjectSource, subjectId);
      if (m.group(1).equals("pipelinerun")) {
        CiRunEvent data = new CiRunEvent("cdevents", self.toString(), null, text(content, "pipelineName"), status,
            conclusion, null, null, null, null, url, startedAt, completedAt, redactor.redact(cdevent));
        return publish(id, source, EventType.CI_RUN, self, time, data);
      }
      JsonNode pipelineRun = content.path("pipelineRun");
      String runId = text(pipelineRun, "id");
      IdentityRef run = runId == null ? null
          : IdentityRef.cdeventsRun(first(text(pipelineRun, "source"), contextSource), runId);
      CiJobEvent data = new CiJobEvent("cdevents", self.toString(), run == null ? null : run.toString(), null,
          text(content, "taskName"), status, conclusion, null, null, List.of(), null, null, url, startedAt,
          completedAt, redactor.redact(cdevent));
      return publish(id, source, EventType.CI_JOB, run == null ? self : run, time, data);
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent("CDEvent " + id + " cannot be named: " + e.getMessage());
    }
  }

  private static Normalized publish(String id, URI source, EventType type, IdentityRef key, Instant time, Object data) {
    return new Normalized.Publish(new Envelope<>(id, source, type, key.toString(),
        time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), key.toString(), data), List.of());
  }

  static URI source(String source, String id) {
    try {
      return new URI(source);
    } catch (java.net.URISyntaxException e) {
      throw IngestException.invalidEvent("the source of CDEvent " + id + " is not a URI reference: " + source);
    }
  }

  private static JsonNode object(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isObject()) {
      throw IngestException.invalidEvent("the CDEvent has no " + field + " object");
    }
    return v;
  }
}
