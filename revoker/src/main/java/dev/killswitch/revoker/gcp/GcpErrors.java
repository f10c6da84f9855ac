package dev.killswitch.revoker.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import dev.killswitch.revoker.RevocationProvider.Outcome;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * The one place the Google Cloud providers classify errors.
 *
 * <ul>
 *   <li>Retriable: {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED} (quota, throttling), {@code DEADLINE_EXCEEDED},
 *       {@code ABORTED} (a deny policy changed under us: its etag no longer matches; read it again),
 *       {@code INTERNAL}, {@code UNKNOWN}, and failures without a status (the channel, a cancelled call).</li>
 *   <li>Permanent: the rest ({@code PERMISSION_DENIED}, {@code INVALID_ARGUMENT}, {@code FAILED_PRECONDITION},
 *       {@code UNAUTHENTICATED}, {@code ALREADY_EXISTS}, ...).</li>
 *   <li>{@code NOT_FOUND} ({@link #notFound}) is decided by each provider: on a disable it means the key or the
 *       account is gone, so the access already ended.</li>
 * </ul>
 */
final class GcpErrors {

  private static final Set<StatusCode.Code> RETRIABLE = Set.of(StatusCode.Code.UNAVAILABLE,
      StatusCode.Code.RESOURCE_EXHAUSTED, StatusCode.Code.DEADLINE_EXCEEDED, StatusCode.Code.ABORTED,
      StatusCode.Code.INTERNAL, StatusCode.Code.UNKNOWN, StatusCode.Code.CANCELLED);

  private GcpErrors() {}

  static Outcome classify(String what, Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof ApiException api) {
      StatusCode.Code code = api.getStatusCode().getCode();
      String detail = what + " failed: " + code + " " + api.getMessage();
      return RETRIABLE.contains(code) ? new Outcome.RetriableFailure(detail) : new Outcome.PermanentFailure(detail);
    }
    return new Outcome.RetriableFailure(what + " failed: " + e);
  }

  static boolean notFound(Throwable error) {
    return unwrap(error) instanceof ApiException api && api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND;
  }

  /** The cause of a long-running operation's {@link ExecutionException}. */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof CancellationException
        || (t instanceof RuntimeException && !(t instanceof ApiException))) && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
