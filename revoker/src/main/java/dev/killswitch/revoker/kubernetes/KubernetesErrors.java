package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one place the Kubernetes providers classify API errors: throttling (429), conflicts (409: the object changed
 * under us, read it again), server errors (5xx) and failures without a status (connection refused, timeouts) are
 * retriable; the rest (400, 401, 403, 422, ...) is permanent. NotFound on a delete is handled by each provider as
 * already-revoked before it gets here.
 */
final class KubernetesErrors {

  static final int NOT_FOUND = 404;

  private KubernetesErrors() {}

  static Outcome classify(String what, KubernetesClientException e) {
    int code = e.getCode();
    String detail = what + " failed: " + (code > 0 ? "HTTP " + code + " " : "") + message(e);
    if (code <= 0 || code == 409 || code == 429 || code >= 500) {
      return new Outcome.RetriableFailure(detail);
    }
    return new Outcome.PermanentFailure(detail);
  }

  private static String message(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : root.toString();
  }
}
