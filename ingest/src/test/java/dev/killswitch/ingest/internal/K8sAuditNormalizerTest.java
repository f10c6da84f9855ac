package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class K8sAuditNormalizerTest {

  private static final String C = "prod-eu";
  private final K8sAuditNormalizer normalizer = new K8sAuditNormalizer("killswitch.dev/ci-run", new Redactor());

  private Normalized.Publish publish(JsonNode event) {
    Normalized n = normalizer.normalize(C, event);
    assertThat(n).isInstanceOf(Normalized.Publish.class);
    return (Normalized.Publish) n;
  }

  private K8sAuditEvent fixture(String name) {
    return publish(Fixtures.json("k8s-audit/" + name)).event().dataAs(K8sAuditEvent.class);
  }

  // ---- built from the reference documentation: no public sample exists (see AuditSamples) ----

  @Test
  void tokenRequestNamesTheIssuedTokenTheServiceAccountAndTheCiRunThatAskedForIt() {
    Normalized.Publish p = publish(AuditSamples.json(AuditSamples.TOKEN_REQUEST));
    K8sAuditEvent e = p.event().dataAs(K8sAuditEvent.class);

    assertThat(e.issuedCredentialId()).isEqualTo(AuditSamples.ISSUED_JTI);
    assertThat(e.issuedFor()).isEqualTo("k8s:prod-eu:sa/ci/deployer");
    assertThat(e.ciRun()).isEqualTo(AuditSamples.RUN);
    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/github:repo:acme/app:ref:refs/heads/main");
    assertThat(e.credentialId()).isNull();
    assertThat(e.serviceAccount()).isNull();
    assertThat(e.verb()).isEqualTo("create");
    assertThat(e.objectRef().subresource()).isEqualTo("token");
    assertThat(e.decision()).isEqualTo("allow");
    assertThat(e.responseCode()).isEqualTo(201);
    assertThat(e.secretAccess()).isFalse();
    assertThat(p.warnings()).isEmpty();
    assertThat(e.raw().path("responseObject").path("status").path("token").asText()).isEqualTo(Redactor.MARK);
    assertThat(e.raw().toString()).doesNotContain(AuditSamples.TOKEN_VALUE);
    assertThat(e.raw().path("annotations").path("authentication.kubernetes.io/issued-credential-id").asText())
        .isEqualTo("JTI=" + AuditSamples.ISSUED_JTI);
  }

  @Test
  void requestWithABoundTokenIsActedByTheTokenAndNamesItsPodNodeAndServiceAccount() {
    Envelope<?> env = publish(AuditSamples.json(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN)).event();
    K8sAuditEvent e = env.dataAs(K8sAuditEvent.class);

    String token = "k8s:prod-eu:token/" + AuditSamples.ISSUED_JTI;
    assertThat(e.actor()).isEqualTo(token);
    assertThat(env.subject()).isEqualTo(token);
    assertThat(env.partitionKey()).isEqualTo(token);
    assertThat(e.credentialId()).isEqualTo(AuditSamples.ISSUED_JTI);
    assertThat(e.serviceAccount()).isEqualTo("k8s:prod-eu:sa/ci/deployer");
    assertThat(e.boundPod()).isEqualTo("k8s:prod-eu:pod/ci/deploy-7d4b9c-xk2lp");
    assertThat(e.boundNode()).isEqualTo("worker-2");
    assertThat(e.secretAccess()).isTrue();
    assertThat(e.objectRef().name()).isEqualTo("deploy-key");
  }

  @Test
  void ciRunThatIsNotACiReferenceIsLeftOutAndReported() {
    ObjectNode ev = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    ((ObjectNode) ev.path("user").path("extra")).putArray("killswitch.dev/ci-run").add("k8s:prod-eu:sa/ci/x");

    Normalized.Publish p = publish(ev);

    assertThat(p.event().dataAs(K8sAuditEvent.class).ciRun()).isNull();
    assertThat(p.warnings()).containsExactly(K8sAuditNormalizer.INVALID_CI_RUN);
  }

  @Test
  void ciRunKeyIsConfigurable() {
    ObjectNode ev = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    ObjectNode extra = (ObjectNode) ev.path("user").path("extra");
    extra.set("example.com/run", extra.remove("killswitch.dev/ci-run"));

    Normalized n = new K8sAuditNormalizer("example.com/run", new Redactor()).normalize(C, ev);

    assertThat(((Normalized.Publish) n).event().dataAs(K8sAuditEvent.class).ciRun()).isEqualTo(AuditSamples.RUN);
  }

  @Test
  void requestReceivedStageIsDroppedBecauseResponseCompleteRepeatsIt() {
    ObjectNode ev = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    ev.put("stage", "RequestReceived");

    assertThat(normalizer.normalize(C, ev)).isEqualTo(new Normalized.Ignore("stage-request-received"));
  }

  @Test
  void unknownAuditApiVersionIsRefused() {
    ObjectNode ev = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    ev.put("apiVersion", "audit.k8s.io/v2");

    assertThatThrownBy(() -> normalizer.normalize(C, ev)).isInstanceOfSatisfying(IngestException.class,
        e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.UNSUPPORTED_VERSION));
  }

  @Test
  void eventWithoutAuditIdIsInvalid() {
    ObjectNode ev = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    ev.remove("auditID");

    assertThatThrownBy(() -> normalizer.normalize(C, ev)).isInstanceOfSatisfying(IngestException.class,
        e -> assertThat(e.reason()).isEqualTo(IngestException.Reason.INVALID_EVENT)).hasMessageContaining("auditID");
  }

  // ---- the real samples, one test each ----

  @Test
  void eksListOfDeploymentsByAnEksUser() {
    Envelope<?> env = publish(Fixtures.json(
        "k8s-audit/aws-samples_eks-cloudwatch-audit_eks-k8s-metrics_list-deployments.json")).event();
    K8sAuditEvent e = env.dataAs(K8sAuditEvent.class);

    assertThat(env.type()).isEqualTo(EventType.K8S_AUDIT);
    assertThat(env.id()).isEqualTo("ff666369-8ea8-4fd9-8c54-64a49dc90e1d:ResponseComplete");
    assertThat(env.source()).isEqualTo(URI.create("k8s://prod-eu"));
    assertThat(env.time().toInstant()).isEqualTo(Instant.parse("2023-07-31T01:58:11.751914Z"));
    assertThat(e.cluster()).isEqualTo(C);
    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/eks:k8s-metrics");
    assertThat(e.level()).isEqualTo("Request");
    assertThat(e.verb()).isEqualTo("list");
    assertThat(e.objectRef()).isEqualTo(new K8sAuditEvent.ObjectRef("apps", "v1", "deployments", null,
        "kube-system", "vpc-resource-controller"));
    assertThat(e.sourceIps()).containsExactly("172.16.33.233");
    assertThat(e.userAgent()).startsWith("eks-k8s-metrics/v0.0.0");
    assertThat(e.decision()).isEqualTo("allow");
    assertThat(e.decisionReason()).contains("ClusterRoleBinding \"eks:k8s-metrics\"");
    assertThat(e.responseCode()).isEqualTo(200);
    assertThat(e.requestReceivedAt()).isEqualTo(Instant.parse("2023-07-31T01:58:11.743936Z"));
    assertThat(e.user().groups()).containsExactly("system:authenticated");
  }

  @Test
  void clusterRoleBindingCreatedAtRequestResponseLevelNamesBindingRoleAndSubjects() {
    K8sAuditEvent e = fixture("falco_create_clusterrolebinding_RequestResponse.json");

    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/minikube-user");
    assertThat(e.bindingChange()).isEqualTo(new K8sAuditEvent.BindingChange(
        "k8s:prod-eu:binding/_cluster/some-reader-binding", "ClusterRole/system:basic-user",
        List.of("k8s:prod-eu:user/minikube"), List.of()));
    assertThat(e.responseCode()).isEqualTo(201);
    assertThat(e.level()).isEqualTo("RequestResponse");
  }

  @Test
  void clusterAdminBindingNamesTheClusterAdminRole() {
    K8sAuditEvent e = fixture("falco_create_clusterrolebinding_cluster-admin.json");

    assertThat(e.bindingChange().roleRef()).isEqualTo("ClusterRole/cluster-admin");
    assertThat(e.bindingChange().subjectsAdded()).containsExactly("k8s:prod-eu:user/minikube");
  }

  @Test
  void configMapAuditLogLinesAllNormalizeAndTheAwsSecretInTheirDataIsRedacted() {
    List<JsonNode> lines = Fixtures.jsonLines("k8s-audit/falco_create_configmap_sensitive_values.audit-log.jsonl");

    assertThat(lines).hasSize(6);
    for (JsonNode line : lines) {
      K8sAuditEvent e = publish(line).event().dataAs(K8sAuditEvent.class);
      assertThat(e.objectRef().resource()).isEqualTo("configmaps");
      assertThat(e.secretAccess()).isFalse();
      String data = e.raw().path("requestObject").path("data").path("access.properties").asText();
      assertThat(data).doesNotContain("MY-KEY").contains("aws_secret_access_key = " + Redactor.MARK);
      assertThat(e.raw().toString()).doesNotContain("MY-KEY");
      if (data.startsWith("pass")) {
        assertThat(data).as("a password or passphrase line").doesNotContain("MY-ID");
      } else {
        assertThat(data).as("an access key id is an identifier, not a secret").contains("= MY-ID");
      }
    }
  }

  @Test
  void bootstrapTokenSecretCreatedByAdminIsSecretAccess() {
    K8sAuditEvent e = fixture("falco_create_kube-system_secret_bootstrap-token_admin.json");

    assertThat(e.secretAccess()).isTrue();
    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/admin");
    assertThat(e.objectRef().namespace()).isEqualTo("kube-system");
    assertThat(e.objectRef().name()).isEqualTo("bootstrap-token-ne7bxu");
    assertThat(e.userAgent()).startsWith("kubeadm/");
  }

  @Test
  void anonymousNamespaceCreateInV1beta1IsAccepted() {
    K8sAuditEvent e = fixture("falco_create_namespace_system-anonymous_v1beta1.json");

    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/system:anonymous");
    assertThat(e.objectRef().resource()).isEqualTo("namespaces");
    assertThat(e.objectRef().name()).isEqualTo("foo");
    assertThat(e.user().groups()).contains("system:masters");
  }

  @Test
  void podCreatedByAControllerServiceAccountIsActedByThatServiceAccount() {
    K8sAuditEvent e = fixture("falco_create_pod_by_sa-replicaset-controller_v1beta1.json");

    assertThat(e.actor()).isEqualTo("k8s:prod-eu:sa/kube-system/replicaset-controller");
    assertThat(e.serviceAccount()).isEqualTo(e.actor());
    assertThat(e.user().uid()).isEqualTo("8d5e1349-d30f-11e8-96d9-080027728ac4");
    assertThat(e.boundPod()).isNull();
    assertThat(e.sourceIps()).containsExactly("::1");
  }

  @Test
  void legacyTokenSecretMadeByTheControllerManagerIsSecretAccess() {
    K8sAuditEvent e = fixture("falco_create_sa-token-secret_kube-controller-manager.json");

    assertThat(e.secretAccess()).isTrue();
    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/system:kube-controller-manager");
    assertThat(e.objectRef().name()).isEqualTo("default-token-7v4pb");
    assertThat(e.userAgent()).endsWith("tokens-controller");
  }

  @Test
  void secretCreatedAndDeletedByAUserAreSecretAccess() {
    K8sAuditEvent created = fixture("falco_create_secret_minikube-user.json");
    K8sAuditEvent deleted = fixture("falco_delete_secret_minikube-user.json");

    assertThat(created.secretAccess()).isTrue();
    assertThat(created.verb()).isEqualTo("create");
    assertThat(deleted.secretAccess()).isTrue();
    assertThat(deleted.verb()).isEqualTo("delete");
    assertThat(deleted.objectRef().name()).isEqualTo("example-secret");
    assertThat(deleted.actor()).isEqualTo("k8s:prod-eu:user/minikube-user");
  }

  @Test
  void serviceAccountCreateWithoutTopLevelApiVersionIsAcceptedAndIsNoTokenRequest() {
    K8sAuditEvent e = fixture("falco_create_serviceaccount.json");

    assertThat(e.objectRef().resource()).isEqualTo("serviceaccounts");
    assertThat(e.objectRef().name()).isEqualTo("myacct");
    assertThat(e.issuedFor()).isNull();
    assertThat(e.issuedCredentialId()).isNull();
  }

  @Test
  void execIntoAPodIsPublishedAtResponseStarted() {
    Envelope<?> env = publish(Fixtures.json("k8s-audit/falco_pods-exec_create_ResponseStarted.json")).event();
    K8sAuditEvent e = env.dataAs(K8sAuditEvent.class);

    assertThat(env.id()).isEqualTo("ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6:ResponseStarted");
    assertThat(e.stage()).isEqualTo("ResponseStarted");
    assertThat(e.objectRef().subresource()).isEqualTo("exec");
    assertThat(e.responseCode()).isEqualTo(101);
  }

  @Test
  void openshiftServiceAccountUpdatingAConfigMapIsActedByTheServiceAccount() {
    K8sAuditEvent e = fixture(
        "redhat-openshift-docs_kube-apiserver_sa-localhost-recovery-client_update-configmap.json");

    assertThat(e.actor()).isEqualTo("k8s:prod-eu:sa/openshift-kube-controller-manager/localhost-recovery-client");
    assertThat(e.verb()).isEqualTo("update");
    assertThat(e.requestUri()).startsWith("/api/v1/namespaces/openshift-kube-controller-manager/configmaps/");
  }

  @Test
  void legacyTokenAnnotationNamesAUserAndIsKeptInRaw() {
    K8sAuditEvent e = fixture(
        "redhat-openshift-docs_kube-apiserver_sa-openshift-kube-scheduler-operator_get-serviceaccount_legacy-token.json");

    assertThat(e.actor())
        .isEqualTo("k8s:prod-eu:sa/openshift-kube-scheduler-operator/openshift-kube-scheduler-operator");
    assertThat(e.raw().path("annotations").path("authentication.k8s.io/legacy-token").asText())
        .isEqualTo("system:serviceaccount:openshift-kube-scheduler-operator:openshift-kube-scheduler-operator");
    assertThat(e.sourceIps()).containsExactly("10.128.0.8");
  }

  @Test
  void nonResourceLoginByAnonymousHasNoObjectRef() {
    K8sAuditEvent e = fixture("redhat-openshift-docs_oauth-server_system-anonymous_login-post.json");

    assertThat(e.objectRef()).isNull();
    assertThat(e.requestUri()).isEqualTo("/login");
    assertThat(e.verb()).isEqualTo("post");
    assertThat(e.responseCode()).isEqualTo(302);
    assertThat(e.actor()).isEqualTo("k8s:prod-eu:user/system:anonymous");
    assertThat(e.userAgent()).startsWith("Mozilla/5.0");
  }
}
