package dev.killswitch.ingest;

/**
 * Why ingest refused a request or an event. The reason fixes the HTTP status, the {@code error} code of
 * the JSON answer and the {@code reason} tag of the rejection metric; the message names the problem for
 * the sender and never carries a secret.
 */
public final class IngestException extends RuntimeException {

  /** Every way a request or event is refused. */
  public enum Reason {
    MALFORMED_JSON(400, "malformed-json"),
    INVALID_EVENT(400, "invalid-event"),
    UNSUPPORTED_VERSION(400, "unsupported-version"),
    MISSING_HEADER(400, "missing-header"),
    INVALID_HEADER(400, "invalid-header"),
    INVALID_CLUSTER(400, "invalid-cluster"),
    BAD_SIGNATURE(401, "bad-signature"),
    BAD_TOKEN(401, "bad-token"),
    UNAUTHORIZED(401, "unauthorized"),
    SOURCE_DISABLED(401, "source-disabled"),
    FORBIDDEN(403, "forbidden"),
    REQUEST_TOO_LARGE(413, "request-too-large"),
    EVENT_TOO_LARGE(413, "event-too-large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type"),
    KAFKA_UNAVAILABLE(503, "kafka-unavailable");

    private final int status;
    private final String code;

    Reason(int status, String code) {
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    /** The {@code error} field of the answer and the metric's {@code reason} tag. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;

  private IngestException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static IngestException of(Reason reason, String message) {
    return new IngestException(reason, message, null);
  }

  public static IngestException malformedJson(String problem, Throwable cause) {
    return new IngestException(Reason.MALFORMED_JSON, "the body is not valid JSON: " + problem, cause);
  }

  public static IngestException invalidEvent(String problem) {
    return new IngestException(Reason.INVALID_EVENT, problem, null);
  }

  public static IngestException missingHeader(String header) {
    return new IngestException(Reason.MISSING_HEADER, "the " + header + " header is required", null);
  }

  public static IngestException kafkaUnavailable(String problem, Throwable cause) {
    return new IngestException(Reason.KAFKA_UNAVAILABLE,
        "Kafka did not acknowledge the events: " + problem + "; nothing was lost, retry later", cause);
  }
}
