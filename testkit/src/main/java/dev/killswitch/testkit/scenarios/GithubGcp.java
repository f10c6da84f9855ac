package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (c) A GitHub Actions run federates into Google Cloud (google-github-actions/auth): STS ExchangeToken turns its
 * OIDC token into a federated token of the pool principal {@code repo:acme/analytics:ref:refs/heads/main}, IAM
 * Credentials GenerateAccessToken impersonates service account {@code loader}, and the run's calls carry the
 * principal in serviceAccountDelegationInfo. Google's audit logs name no run, so the principal's calls join the
 * run by subject + time window.
 */
public final class GithubGcp {

  public static final String NAME = "github-gcp";
  public static final String REPO = "acme/analytics";
  public static final long RUN_ID = 22334455667L;
  public static final long JOB_ID = 44556677889L;
  public static final String PROJECT = "acme-data";
  public static final String POOL = "projects/987654321098/locations/global/workloadIdentityPools/github";
  public static final String SUBJECT = "repo:acme/analytics:ref:refs/heads/main";
  public static final String SERVICE_ACCOUNT = "loader@acme-data.iam.gserviceaccount.com";
  public static final String RUNNER_IP = "20.42.11.7";

  private GithubGcp() {}

  public static Scenario scenario(Instant t0) {
    String run = IdentityRef.githubRun(REPO, Long.toString(RUN_ID)).toString();
    String job = IdentityRef.githubJob(REPO, Long.toString(JOB_ID)).toString();
    String principal = IdentityRef.gcpWifPrincipal(POOL, SUBJECT).toString();
    String principalUri = "principal://iam.googleapis.com/" + POOL + "/subject/" + SUBJECT;
    String sa = IdentityRef.gcpServiceAccount(PROJECT, SERVICE_ACCOUNT).toString();
    List<SourceRecord> r = new ArrayList<>();
    r.add(CiSources.githubJob("01-github-workflow_job-queued.json", REPO,
        RUN_ID, JOB_ID, "queued", null, t0, null, null, "load", "main"));
    r.add(CiSources.githubJob("02-github-workflow_job-in_progress.json",
        REPO, RUN_ID, JOB_ID, "in_progress", null, t0, t0.plusSeconds(15), null, "load", "main"));

    ObjectNode exchange = Json.mapper().createObjectNode();
    exchange.put("serviceName", "sts.googleapis.com")
        .put("methodName", "google.identity.sts.v1.SecurityTokenService.ExchangeToken")
        .put("resourceName", POOL + "/providers/github");
    exchange.putObject("authenticationInfo").put("principalSubject", SUBJECT);
    exchange.putObject("metadata").put("mapped_principal", principalUri);
    exchange.putObject("requestMetadata").put("callerIp", RUNNER_IP)
        .put("callerSuppliedUserAgent", "google-github-actions:auth/2.1.7");
    exchange.putObject("request").put("@type", "type.googleapis.com/google.identity.sts.v1.ExchangeTokenRequest")
        .put("grantType", "urn:ietf:params:oauth:grant-type:token-exchange");
    ObjectNode audited = Json.mapper().createObjectNode();
    audited.put("type", "audited_resource");
    r.add(CloudSources.gcp("03-gcp-sts-exchangetoken.json", "1q2w3e4r5t6y", t0.plusSeconds(40), PROJECT,
        "data_access", exchange, audited, principal, List.of(), null));

    ObjectNode generate = Json.mapper().createObjectNode();
    generate.put("serviceName", "iamcredentials.googleapis.com").put("methodName", "GenerateAccessToken")
        .put("resourceName", "projects/-/serviceAccounts/112233445566778899001");
    generate.putObject("authenticationInfo").put("principalSubject", principalUri);
    generate.putObject("requestMetadata").put("callerIp", RUNNER_IP)
        .put("callerSuppliedUserAgent", "google-github-actions:auth/2.1.7");
    generate.putObject("request").put("@type",
        "type.googleapis.com/google.iam.credentials.v1.GenerateAccessTokenRequest")
        .put("name", "projects/-/serviceAccounts/" + SERVICE_ACCOUNT);
    ObjectNode saResource = Json.mapper().createObjectNode();
    saResource.put("type", "service_account").putObject("labels").put("email_id", SERVICE_ACCOUNT)
        .put("project_id", PROJECT).put("unique_id", "112233445566778899001");
    r.add(CloudSources.gcp("04-gcp-iamcredentials-generateaccesstoken.json", "2w3e4r5t6y7u", t0.plusSeconds(41),
        PROJECT, "data_access", generate, saResource, principal, List.of(), sa));

    r.add(delegated("05-gcp-bigquery-insertjob.json", "3e4r5t6y7u8i", t0.plusSeconds(60), "bigquery.googleapis.com",
        "google.cloud.bigquery.v2.JobService.InsertJob", "projects/acme-data/jobs/job_loader_20250601",
        "bigquery_project", principalUri, principal, sa));
    r.add(delegated("06-gcp-storage-objects-get.json", "4r5t6y7u8i9o", t0.plusSeconds(70), "storage.googleapis.com",
        "storage.objects.get", "projects/_/buckets/acme-raw/objects/2025/06/01/events.json", "gcs_bucket",
        principalUri, principal, sa));
    r.add(CiSources.githubJob("07-github-workflow_job-completed.json", REPO,
        RUN_ID, JOB_ID, "completed", "success", t0, t0.plusSeconds(15), t0.plusSeconds(120), "load", "main"));
    return new Scenario(NAME, "GitHub run -> GCP STS ExchangeToken (workload identity pool github) -> IAM "
        + "Credentials GenerateAccessToken for " + SERVICE_ACCOUNT + " -> BigQuery and Cloud Storage calls carrying "
        + "the federated principal in serviceAccountDelegationInfo.", r, Map.of(
        "run", run, "job", job, "subject", IdentityRef.oidcSubject("token.actions.githubusercontent.com", SUBJECT)
            .toString(), "principal", principal, "serviceAccount", sa));
  }

  private static SourceRecord delegated(String file, String insertId, Instant at, String service, String method,
                                        String resourceName, String resourceType, String principalUri,
                                        String principal, String sa) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("serviceName", service).put("methodName", method).put("resourceName", resourceName);
    ObjectNode auth = p.putObject("authenticationInfo");
    auth.put("principalEmail", SERVICE_ACCOUNT);
    auth.putArray("serviceAccountDelegationInfo").addObject().put("principalSubject", principalUri);
    p.putObject("requestMetadata").put("callerIp", RUNNER_IP).put("callerSuppliedUserAgent",
        "google-cloud-sdk gcloud/470.0.0");
    p.putObject("status");
    ObjectNode resource = Json.mapper().createObjectNode();
    resource.put("type", resourceType).putObject("labels").put("project_id", PROJECT);
    return CloudSources.gcp(file, insertId, at, PROJECT, "data_access", p, resource, sa, List.of(principal), null);
  }
}
