package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place the AWS providers classify SDK errors.
 *
 * <ul>
 *   <li>Retriable: throttling ({@code Throttling}, {@code ThrottlingException}, {@code RequestLimitExceeded},
 *       HTTP 429), {@code ServiceUnavailable}, {@code ServiceFailure}, {@code InternalFailure}, any 5xx,
 *       {@code ConcurrentModification} (IAM: another writer, read again), {@code ExpiredToken} (the assumed-role
 *       credentials are refreshed on the next call), and every error without an answer (timeouts, connection
 *       refused: {@link SdkClientException}).</li>
 *   <li>Permanent: the rest ({@code AccessDenied}, {@code InvalidInput}, {@code ValidationError},
 *       {@code MalformedPolicyDocument}, {@code UnmodifiableEntity}, {@code LimitExceeded},
 *       {@code InvalidClientTokenId}, ...).</li>
 *   <li>{@code NoSuchEntity} ({@link #notFound}) is decided by each provider, which knows whether the missing
 *       entity means the access already ended (a key or policy to disable or delete) or an error.</li>
 * </ul>
 */
final class AwsErrors {

  static final String NO_SUCH_ENTITY = "NoSuchEntity";
  static final String LIMIT_EXCEEDED = "LimitExceeded";
  private static final Set<String> RETRIABLE = Set.of("Throttling", "ThrottlingException", "RequestLimitExceeded",
      "TooManyRequestsException", "ServiceUnavailable", "ServiceFailure", "InternalFailure", "InternalError",
      "RequestTimeout", "RequestTimeoutException", "ConcurrentModification", "ExpiredToken", "IDPCommunicationError");

  private AwsErrors() {}

  static Outcome classify(String what, SdkException e) {
    if (e instanceof AwsServiceException ase) {
      String code = code(ase);
      int status = ase.statusCode();
      String detail = what + " failed: " + (code == null ? "" : code + " ") + "(HTTP " + status + ") " + message(ase);
      if ((code != null && RETRIABLE.contains(code)) || status == 429 || status >= 500 || ase.isThrottlingException()) {
        return new Outcome.RetriableFailure(detail);
      }
      return new Outcome.PermanentFailure(detail);
    }
    if (e instanceof SdkClientException) {
      return new Outcome.RetriableFailure(what + " failed without an answer: " + rootMessage(e));
    }
    return new Outcome.RetriableFailure(what + " failed: " + rootMessage(e));
  }

  static boolean notFound(SdkException e) {
    return e instanceof AwsServiceException ase && NO_SUCH_ENTITY.equals(code(ase));
  }

  static boolean limitExceeded(SdkException e) {
    return e instanceof AwsServiceException ase && LIMIT_EXCEEDED.equals(code(ase));
  }

  private static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static String message(AwsServiceException e) {
    return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
        ? e.awsErrorDetails().errorMessage() : String.valueOf(e.getMessage());
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
  }
}
