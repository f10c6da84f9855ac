package dev.killswitch.ingest;

import dev.killswitch.schemas.ApiAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the ingest receivers.
 *
 * <p>A source whose secret is null or blank is closed, not open: every request to it is answered 401
 * {@code source-disabled}. Nothing is accepted unauthenticated.
 *
 * @param githubSecret the GitHub webhook secret (HMAC-SHA256 key of {@code X-Hub-Signature-256})
 * @param gitlabToken the GitLab webhook secret token ({@code X-Gitlab-Token})
 * @param access bearer tokens for the paths not signed by their source (role {@code INGEST}, possibly limited to
 *     some sources: see {@link ApiAccess.Grant#sources()})
 * @param maxRequestBytes the largest request body accepted (413 above), default 10 MiB
 * @param maxEventBytes the largest single normalized event (its Kafka record value), default 256 KiB
 * @param ciRunExtraKey the Kubernetes user.extra key that carries the CI run's identity reference
 * @param publishTimeout how long a request waits for Kafka to acknowledge all its events before answering 503
 * @param gcpPush verification of Pub/Sub push OIDC tokens on the GCP audit path; null: bearer tokens only
 * @param k8sAuditClients names (subject CN or a DNS, URI or email SAN) of the verified TLS client certificates
 *     admitted on the Kubernetes audit path without a bearer token (the apiserver's webhook client certificate);
 *     empty: bearer tokens only
 */
public record IngestConfig(String githubSecret, String gitlabToken, ApiAccess access, long maxRequestBytes,
                           int maxEventBytes, String ciRunExtraKey, Duration publishTimeout, GcpPushAuth gcpPush,
                           Set<String> k8sAuditClients) {

  public static final long DEFAULT_MAX_REQUEST_BYTES = 10L * 1024 * 1024;
  public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
  public static final String DEFAULT_CI_RUN_EXTRA_KEY = "killswitch.dev/ci-run";
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);

  public IngestConfig {
    Objects.requireNonNull(access, "access");
    k8sAuditClients = k8sAuditClients == null ? Set.of() : Set.copyOf(k8sAuditClients);
    List<String> problems = new ArrayList<>();
    if (maxRequestBytes <= 0) {
      problems.add("maxRequestBytes must be positive, got " + maxRequestBytes);
    }
    if (maxEventBytes <= 0) {
      problems.add("maxEventBytes must be positive, got " + maxEventBytes);
    }
    if (ciRunExtraKey == null || ciRunExtraKey.isBlank()) {
      problems.add("ciRunExtraKey must not be blank");
    }
    if (publishTimeout == null || publishTimeout.isNegative() || publishTimeout.isZero()) {
      problems.add("publishTimeout must be positive, got " + publishTimeout);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid ingest configuration: " + String.join("; ", problems));
    }
  }

  /** Without push-token verification or client certificates. */
  public IngestConfig(String githubSecret, String gitlabToken, ApiAccess access, long maxRequestBytes,
                      int maxEventBytes, String ciRunExtraKey, Duration publishTimeout) {
    this(githubSecret, gitlabToken, access, maxRequestBytes, maxEventBytes, ciRunExtraKey, publishTimeout, null,
        Set.of());
  }

  /** The defaults of every limit, with these secrets. */
  public static IngestConfig of(String githubSecret, String gitlabToken, ApiAccess access) {
    return new IngestConfig(githubSecret, gitlabToken, access, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_EVENT_BYTES,
        DEFAULT_CI_RUN_EXTRA_KEY, DEFAULT_PUBLISH_TIMEOUT);
  }

  public IngestConfig withMaxRequestBytes(long bytes) {
    return new IngestConfig(githubSecret, gitlabToken, access, bytes, maxEventBytes, ciRunExtraKey, publishTimeout,
        gcpPush, k8sAuditClients);
  }

  public IngestConfig withMaxEventBytes(int bytes) {
    return new IngestConfig(githubSecret, gitlabToken, access, maxRequestBytes, bytes, ciRunExtraKey, publishTimeout,
        gcpPush, k8sAuditClients);
  }

  public IngestConfig withCiRunExtraKey(String key) {
    return new IngestConfig(githubSecret, gitlabToken, access, maxRequestBytes, maxEventBytes, key, publishTimeout,
        gcpPush, k8sAuditClients);
  }

  public IngestConfig withPublishTimeout(Duration timeout) {
    return new IngestConfig(githubSecret, gitlabToken, access, maxRequestBytes, maxEventBytes, ciRunExtraKey, timeout,
        gcpPush, k8sAuditClients);
  }

  public IngestConfig withGcpPush(GcpPushAuth push) {
    return new IngestConfig(githubSecret, gitlabToken, access, maxRequestBytes, maxEventBytes, ciRunExtraKey,
        publishTimeout, push, k8sAuditClients);
  }

  public IngestConfig withK8sAuditClients(Set<String> names) {
    return new IngestConfig(githubSecret, gitlabToken, access, maxRequestBytes, maxEventBytes, ciRunExtraKey,
        publishTimeout, gcpPush, names);
  }

  /** Secrets stay out of logs and exception messages. */
  @Override
  public String toString() {
    return "IngestConfig[githubSecret=" + fingerprint(githubSecret) + ", gitlabToken=" + fingerprint(gitlabToken)
        + ", maxRequestBytes=" + maxRequestBytes + ", maxEventBytes=" + maxEventBytes
        + ", ciRunExtraKey=" + ciRunExtraKey + ", publishTimeout=" + publishTimeout + ", gcpPush=" + gcpPush
        + ", k8sAuditClients=" + k8sAuditClients + "]";
  }

  private static String fingerprint(String secret) {
    return secret == null || secret.isBlank() ? "<unset>" : ApiAccess.fingerprint(secret);
  }
}
