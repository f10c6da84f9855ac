package dev.killswitch.testkit.scenarios;

import dev.killswitch.schemas.IdentityRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (e) A GitHub Actions run's OIDC user reads Secret {@code legacy/deployer-token} (a legacy, Secret-based token of
 * service account {@code legacy/deployer}) in cluster {@code prod-eu} and uses the token from its runner; two hours
 * after the run completed the same token is used again from another network. Since Kubernetes 1.29 the apiserver
 * names the Secret of a legacy token in the audit annotation
 * {@code authentication.k8s.io/legacy-token-manual-secret}, which is how the use joins the read.
 */
public final class LegacySecretToken {

  public static final String NAME = "legacy-secret-token";
  public static final String REPO = "acme/legacy";
  public static final long RUN_ID = 44556677889L;
  public static final long JOB_ID = 66778899001L;
  public static final String CLUSTER = "prod-eu";
  public static final String OIDC_USER = "github:repo:acme/legacy:ref:refs/heads/main";
  public static final String RUNNER_IP = "203.0.113.50";
  public static final String LATER_IP = "198.51.100.77";
  /** When the token is used again, after the run completed. */
  public static final Duration REUSE_AFTER = Duration.ofHours(2);

  private LegacySecretToken() {}

  public static Scenario scenario(Instant t0) {
    String run = IdentityRef.githubRun(REPO, Long.toString(RUN_ID)).toString();
    String job = IdentityRef.githubJob(REPO, Long.toString(JOB_ID)).toString();
    List<SourceRecord> r = new ArrayList<>();
    r.add(CiSources.githubJob("01-github-workflow_job-in_progress.json",
        REPO, RUN_ID, JOB_ID, "in_progress", null, t0, t0.plusSeconds(5), null, "migrate", "main"));
    r.add(new AuditSource(CLUSTER, "4b2d6f8a-1c3e-4a5b-9d7f-0e1a2b3c4d5e", t0.plusSeconds(20))
        .request("get", "/api/v1/namespaces/legacy/secrets/deployer-token")
        .user(OIDC_USER, List.of("system:authenticated"))
        .extra("killswitch.dev/ci-run", run).extra("killswitch.dev/ci-job", job)
        .from(RUNNER_IP, "kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e")
        .object(null, "secrets", null, "legacy", "deployer-token")
        .build("02-k8s-audit-get-secret.json"));
    r.add(legacyUse("03-k8s-audit-legacy-token-use.json", "5c3e7a9b-2d4f-4b6c-8e0a-1f2b3c4d5e6f",
        t0.plusSeconds(40), RUNNER_IP, "kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e", "list",
        "/apis/apps/v1/namespaces/legacy/deployments", "deployments"));
    r.add(CiSources.githubJob("04-github-workflow_job-completed.json", REPO,
        RUN_ID, JOB_ID, "completed", "success", t0, t0.plusSeconds(5), t0.plusSeconds(90), "migrate", "main"));
    r.add(legacyUse("05-k8s-audit-legacy-token-reuse.json", "6d4f8b0c-3e5a-4c7d-9f1b-2a3b4c5d6e7f",
        t0.plusSeconds(90).plus(REUSE_AFTER), LATER_IP, "curl/8.5.0", "get",
        "/api/v1/namespaces/legacy/secrets", "secrets"));
    return new Scenario(NAME, "GitHub run -> OIDC user reads the legacy token Secret legacy/deployer-token -> the "
        + "token is used from the runner, then again two hours after the run completed from another network.", r,
        Map.of("run", run, "job", job, "user", IdentityRef.k8sUser(CLUSTER, OIDC_USER).toString(),
            "secretToken", IdentityRef.k8sSecretToken(CLUSTER, "legacy", "deployer-token").toString(),
            "serviceAccount", IdentityRef.k8sServiceAccount(CLUSTER, "legacy", "deployer").toString()));
  }

  private static SourceRecord legacyUse(String file, String auditId, Instant at, String ip, String agent,
                                        String verb, String uri, String resource) {
    return new AuditSource(CLUSTER, auditId, at).request(verb, uri)
        .user("system:serviceaccount:legacy:deployer", List.of("system:serviceaccounts",
            "system:serviceaccounts:legacy", "system:authenticated"))
        .from(ip, agent)
        .object(resource.equals("deployments") ? "apps" : null, resource, null, "legacy", null)
        .annotation("authentication.k8s.io/legacy-token-manual-secret", "deployer-token")
        .build(file);
  }
}
