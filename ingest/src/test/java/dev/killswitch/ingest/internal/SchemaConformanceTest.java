package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every event ingest makes from a fixture validates against the JSON Schema its type ships in schemas/. */
class SchemaConformanceTest {

  private static final List<String> K8S_FIXTURES = List.of(
      "aws-samples_eks-cloudwatch-audit_eks-k8s-metrics_list-deployments.json",
      "falco_create_clusterrolebinding_RequestResponse.json",
      "falco_create_clusterrolebinding_cluster-admin.json",
      "falco_create_kube-system_secret_bootstrap-token_admin.json",
      "falco_create_namespace_system-anonymous_v1beta1.json",
      "falco_create_pod_by_sa-replicaset-controller_v1beta1.json",
      "falco_create_sa-token-secret_kube-controller-manager.json",
      "falco_create_secret_minikube-user.json",
      "falco_create_serviceaccount.json",
      "falco_delete_secret_minikube-user.json",
      "falco_pods-exec_create_ResponseStarted.json",
      "redhat-openshift-docs_kube-apiserver_sa-localhost-recovery-client_update-configmap.json",
      "redhat-openshift-docs_kube-apiserver_sa-openshift-kube-scheduler-operator_get-serviceaccount_legacy-token.json",
      "redhat-openshift-docs_oauth-server_system-anonymous_login-post.json");

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private final Redactor redactor = new Redactor();

  @Test
  void everyNormalizedKubernetesAuditEventValidates() {
    K8sAuditNormalizer normalizer = new K8sAuditNormalizer("killswitch.dev/ci-run", redactor);
    List<JsonNode> sources = new ArrayList<>();
    K8S_FIXTURES.forEach(f -> sources.add(Fixtures.json("k8s-audit/" + f)));
    sources.addAll(Fixtures.jsonLines("k8s-audit/falco_create_configmap_sensitive_values.audit-log.jsonl"));
    sources.add(AuditSamples.json(AuditSamples.TOKEN_REQUEST));
    sources.add(AuditSamples.json(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN));

    for (JsonNode source : sources) {
      Envelope<?> e = ((Normalized.Publish) normalizer.normalize("prod-eu", source)).event();
      assertValid(e);
    }
  }

  @Test
  void everyNormalizedGithubEventValidates() {
    GithubNormalizer normalizer = new GithubNormalizer(redactor);
    for (String f : List.of("workflow_job.queued.payload.json", "workflow_job.in_progress.payload.json",
        "workflow_job.completed.success.with-organization.payload.json")) {
      assertValid(normalizer.normalize("workflow_job", "d-1", Fixtures.json("github/" + f)).orElseThrow());
    }
    assertValid(normalizer.normalize("workflow_run", "d-2", Fixtures.json("github/workflow_run.completed.payload.json"))
        .orElseThrow());
  }

  @Test
  void everyNormalizedGitlabEventValidates() {
    GitlabNormalizer normalizer = new GitlabNormalizer(redactor);
    for (String f : List.of("go-gitlab-testdata-webhooks-job.json", "go-gitlab-testdata-webhooks-build.json")) {
      assertValid(normalizer.normalize("Job Hook", null, Fixtures.json("gitlab/" + f)).orElseThrow());
    }
    assertValid(normalizer.normalize("Pipeline Hook", null, AuditSamples.json(dev.killswitch.ingest.GitlabSamples
        .PIPELINE_SUCCESS)).orElseThrow());
  }

  private static void assertValid(Envelope<?> e) {
    JsonNode data = Json.mapper().valueToTree(e.data());
    assertThat(schema(e.type()).validate(data)).as(e.id()).isEmpty();
  }

  private static JsonSchema schema(EventType type) {
    try (InputStream in = EventType.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
      assertThat(in).as(type.schemaResource()).isNotNull();
      return FACTORY.getSchema(Json.mapper().readTree(in), CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
