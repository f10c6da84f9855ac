package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * (b) A GitLab CI job uses a kubeconfig whose OIDC user (structured authentication over GitLab's ID token: the
 * pipeline and job references in user.extra) creates a RoleBinding in cluster {@code build-us} that grants the
 * {@code admin} ClusterRole to itself and to service account {@code infra/deployer}.
 */
public final class GitlabRoleBinding {

  public static final String NAME = "gitlab-rolebinding";
  public static final String HOST = "gitlab.com";
  public static final String PROJECT = "acme/infra";
  public static final long PIPELINE_ID = 987654321L;
  public static final long JOB_ID = 5550001234L;
  public static final String CLUSTER = "build-us";
  public static final String OIDC_USER = "gitlab:project_path:acme/infra:ref_type:branch:ref:main";
  public static final String RUNNER_IP = "34.74.90.64";

  private GitlabRoleBinding() {}

  public static Scenario scenario(Instant t0) {
    String scope = HOST + "/" + PROJECT;
    String pipeline = IdentityRef.gitlabPipeline(scope, Long.toString(PIPELINE_ID)).toString();
    String job = IdentityRef.gitlabJob(scope, Long.toString(JOB_ID)).toString();
    List<SourceRecord> r = new ArrayList<>();
    r.add(CiSources.gitlabPipeline("01-gitlab-pipeline-running.json", HOST, PROJECT, PIPELINE_ID, "running", t0,
        null, "main"));
    r.add(CiSources.gitlabJob("02-gitlab-job-running.json", HOST, PROJECT, PIPELINE_ID, JOB_ID, "running", t0,
        t0.plusSeconds(5), null, "main", "deploy:cluster"));
    ObjectNode binding = Json.mapper().createObjectNode();
    binding.put("kind", "RoleBinding").put("apiVersion", "rbac.authorization.k8s.io/v1");
    binding.putObject("metadata").put("name", "ci-deployer-admin").put("namespace", "infra");
    binding.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
        .put("name", "admin");
    ArrayNode subjects = binding.putArray("subjects");
    subjects.addObject().put("apiGroup", "rbac.authorization.k8s.io").put("kind", "User").put("name", OIDC_USER);
    subjects.addObject().put("kind", "ServiceAccount").put("name", "deployer").put("namespace", "infra");
    ObjectNode created = binding.deepCopy();
    ((ObjectNode) created.get("metadata")).put("uid", "94c41db6-d922-11e8-a2e6-080027728ac4")
        .put("resourceVersion", "266029").put("creationTimestamp", t0.plusSeconds(30).toString());
    r.add(new AuditSource(CLUSTER, "e040d0ab-473c-442c-9707-88553173e962", t0.plusSeconds(30))
        .request("create", "/apis/rbac.authorization.k8s.io/v1/namespaces/infra/rolebindings")
        .user(OIDC_USER, List.of("gitlab:acme", "system:authenticated"))
        .extra("killswitch.dev/ci-run", pipeline).extra("killswitch.dev/ci-job", job)
        .from(RUNNER_IP, "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0")
        .object("rbac.authorization.k8s.io", "rolebindings", null, "infra", "ci-deployer-admin").response(201)
        .objects("RequestResponse", binding, created)
        .build("03-k8s-audit-create-rolebinding.json"));
    r.add(CiSources.gitlabJob("04-gitlab-job-success.json", HOST, PROJECT, PIPELINE_ID, JOB_ID, "success", t0,
        t0.plusSeconds(5), t0.plusSeconds(90), "main", "deploy:cluster"));
    r.add(CiSources.gitlabPipeline("05-gitlab-pipeline-success.json", HOST, PROJECT, PIPELINE_ID, "success", t0,
        t0.plusSeconds(95), "main"));
    return new Scenario(NAME, "GitLab job -> kubeconfig OIDC user -> RoleBinding infra/ci-deployer-admin created "
        + "(ClusterRole admin to the user and to service account infra/deployer).", r, Map.of(
        "run", pipeline, "job", job, "user", IdentityRef.k8sUser(CLUSTER, OIDC_USER).toString(),
        "binding", IdentityRef.k8sBinding(CLUSTER, "infra", "ci-deployer-admin").toString(),
        "serviceAccount", IdentityRef.k8sServiceAccount(CLUSTER, "infra", "deployer").toString()));
  }
}
