package dev.killswitch.correlator;

import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Normalized events as ingest publishes them (see ingest's GithubNormalizer and K8sAuditNormalizer): ids, sources,
 * subjects and partition keys follow DESIGN.md.
 */
public final class Events {

  public static final String REPO = "acme/app";
  public static final String CLUSTER = "prod-eu";
  public static final String CI_RUN_KEY = "killswitch.dev/ci-run";
  /** The OIDC user a GitHub Actions run authenticates as through structured authentication. */
  public static final String OIDC_USER = "github:repo:acme/app:ref:refs/heads/main";
  public static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

  private Events() {}

  public static String run(String runId) {
    return IdentityRef.githubRun(REPO, runId).toString();
  }

  public static String job(String jobId) {
    return IdentityRef.githubJob(REPO, jobId).toString();
  }

  public static String token(String jti) {
    return IdentityRef.k8sToken(CLUSTER, jti).toString();
  }

  public static String sa(String namespace, String name) {
    return IdentityRef.k8sServiceAccount(CLUSTER, namespace, name).toString();
  }

  public static String oidcUser() {
    return IdentityRef.k8sUser(CLUSTER, OIDC_USER).toString();
  }

  /** A GitHub workflow_job webhook, normalized; the delivery id is the CloudEvent id. */
  public static Envelope<CiJobEvent> ciJob(String delivery, String runId, String jobId, String status,
                                           String conclusion, Instant at) {
    String run = run(runId);
    CiJobEvent data = new CiJobEvent("github", job(jobId), run, REPO, "deploy", status, conclusion, 1,
        "runner-1", List.of("ubuntu-latest"), "refs/heads/main", "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "https://github.com/acme/app/actions/runs/" + runId + "/job/" + jobId,
        at, "completed".equals(status) ? at : null, null);
    return new Envelope<>(delivery, URI.create("github://" + REPO), EventType.CI_JOB, run, utc(at), run, data);
  }

  public static Envelope<CiRunEvent> ciRun(String delivery, String runId, String status, String conclusion,
                                           int attempt, Instant at) {
    String run = run(runId);
    CiRunEvent data = new CiRunEvent("github", run, REPO, "deploy", status, conclusion, attempt, "octocat",
        "refs/heads/main", "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "https://github.com/acme/app/actions/runs/" + runId, at, "completed".equals(status) ? at : null, null);
    return new Envelope<>(delivery, URI.create("github://" + REPO), EventType.CI_RUN, run, utc(at), run, data);
  }

  /**
   * A TokenRequest ({@code create serviceaccounts/token}) by the run's OIDC user, which structured authentication
   * gave the run reference in user.extra; the apiserver annotated the issued credential id.
   */
  public static Envelope<K8sAuditEvent> tokenRequest(String auditId, String runIdOrNull, String jti, String namespace,
                                                     String saName, Instant at) {
    String actor = oidcUser();
    String ciRun = runIdOrNull == null ? null : run(runIdOrNull);
    Map<String, List<String>> extra = ciRun == null ? Map.of() : Map.of(CI_RUN_KEY, List.of(ciRun));
    K8sAuditEvent data = new K8sAuditEvent(CLUSTER, auditId, "ResponseComplete", "Metadata", "create",
        "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + saName + "/token",
        new K8sAuditEvent.User(OIDC_USER, null, List.of("system:authenticated"), extra), actor, null, null, null,
        null, ciRun, new K8sAuditEvent.ObjectRef(null, "v1", "serviceaccounts", "token", namespace, saName),
        List.of("203.0.113.7"), "kubectl/v1.33.0", "allow", "", 201, jti, sa(namespace, saName), null, false,
        at, at, null);
    return audit(auditId, actor, data, at);
  }

  /**
   * A TokenRequest by {@code username} (in {@link #CLUSTER}) whose user.extra is {@code extra} as given: for the
   * job-only, raw-claim and configured-root cases.
   */
  public static Envelope<K8sAuditEvent> tokenRequestBy(String auditId, String username,
                                                       Map<String, List<String>> extra, String jti,
                                                       String namespace, String saName, Instant at) {
    String actor = IdentityRef.k8sUser(CLUSTER, username).toString();
    K8sAuditEvent data = new K8sAuditEvent(CLUSTER, auditId, "ResponseComplete", "Metadata", "create",
        "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + saName + "/token",
        new K8sAuditEvent.User(username, null, List.of("system:authenticated"), extra), actor, null, null, null,
        null, null, new K8sAuditEvent.ObjectRef(null, "v1", "serviceaccounts", "token", namespace, saName),
        List.of("203.0.113.7"), "kubectl/v1.33.0", "allow", "", 201, jti, sa(namespace, saName), null, false,
        at, at, null);
    return audit(auditId, actor, data, at);
  }

  /** A request made with the bound token, answered {@code code} (403: denied, e.g. by the revocation webhook). */
  public static Envelope<K8sAuditEvent> tokenUseAnswered(String auditId, String jti, String namespace, String saName,
                                                         String ip, int code, Instant at) {
    K8sAuditEvent a = tokenUse(auditId, jti, namespace, saName, "get", "secrets", ip, at).data();
    K8sAuditEvent answered = new K8sAuditEvent(a.cluster(), a.auditId(), a.stage(), a.level(), a.verb(),
        a.requestUri(), a.user(), a.actor(), a.credentialId(), a.serviceAccount(), a.boundPod(), a.boundNode(),
        a.ciRun(), a.objectRef(), a.sourceIps(), a.userAgent(), code >= 400 ? "forbid" : "allow", "", code, null,
        null, null, a.secretAccess(), at, at, null);
    return audit(auditId, a.actor(), answered, at);
  }

  /** A request made with the bound token {@code jti} of the service account. */
  public static Envelope<K8sAuditEvent> tokenUse(String auditId, String jti, String namespace, String saName,
                                                 String verb, String resource, String ip, Instant at) {
    String actor = token(jti);
    String username = "system:serviceaccount:" + namespace + ":" + saName;
    K8sAuditEvent data = new K8sAuditEvent(CLUSTER, auditId, "ResponseComplete", "Metadata", verb,
        "/api/v1/namespaces/" + namespace + "/" + resource,
        new K8sAuditEvent.User(username, null, List.of("system:serviceaccounts"),
            Map.of("authentication.kubernetes.io/credential-id", List.of("JTI=" + jti))),
        actor, jti, sa(namespace, saName), null, null, null,
        new K8sAuditEvent.ObjectRef(null, "v1", resource, null, namespace, null), List.of(ip),
        "kubectl/v1.33.0", "allow", "", 200, null, null, null, "secrets".equals(resource), at, at, null);
    return audit(auditId, actor, data, at);
  }

  public static Envelope<RevocationResult> result(String actionId, String requestId, String action, String target,
                                                  RevocationResult.Outcome outcome, Instant at) {
    RevocationResult data = new RevocationResult(actionId, requestId, action, target, outcome, "planned", 1, at);
    return new Envelope<>(actionId + ":" + outcome.wire(), URI.create("killswitch://revoker"),
        EventType.REVOCATION_RESULT, target, utc(at), actionId, data);
  }

  private static Envelope<K8sAuditEvent> audit(String auditId, String actor, K8sAuditEvent data, Instant at) {
    return new Envelope<>(auditId + ":ResponseComplete", URI.create("k8s://" + CLUSTER), EventType.K8S_AUDIT, actor,
        utc(at), actor, data);
  }

  private static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }
}
