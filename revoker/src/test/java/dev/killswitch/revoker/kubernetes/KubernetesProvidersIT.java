package dev.killswitch.revoker.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fabric8 providers against the fabric8 mock API server in CRUD mode (real HTTP, real client), with objects
 * shaped as a real apiserver returns them (fixtures/k8s/objects).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProvidersIT {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  KubernetesClient client;
  KubernetesClusters clusters;

  @BeforeEach
  void clusters() {
    clusters = KubernetesClusters.of(Map.of("prod", client));
  }

  <T extends HasMetadata> T load(String file, Class<T> type) {
    InputStream in = getClass().getResourceAsStream("/fixtures/k8s/objects/" + file);
    return client.getKubernetesSerialization().unmarshal(in, type);
  }

  <T extends HasMetadata> T create(String file, Class<T> type) {
    T object = load(file, type);
    object.getMetadata().setResourceVersion(null);
    return client.resource(object).create();
  }

  static RevocationAction action(String action, String target, Map<String, String> params, Instant expiresAt) {
    return new RevocationAction(UUID.randomUUID().toString().replace("-", ""), "req-1", action, target, params,
        Mode.ENFORCE, "test", "user:x", NOW, expiresAt);
  }

  static RevocationAction action(String action, String target) {
    return action(action, target, Map.of(), null);
  }

  // ---- k8s.delete-secret-token ----

  @Test
  void deletesALegacyTokenSecretAndFindsItGoneTheSecondTime() {
    create("secret-sa-token.yaml", Secret.class);
    DeleteSecretTokenProvider provider = new DeleteSecretTokenProvider(clusters);
    RevocationAction a = action("k8s.delete-secret-token", IdentityRef.k8sSecretToken("prod", "ci", "deployer-token")
        .toString());

    assertThat(provider.preflight(a)).isEmpty();
    Outcome first = provider.execute(a);

    assertThat(first).isInstanceOf(Outcome.Revoked.class);
    assertThat(first.detail()).startsWith("Secret ci/deployer-token deleted")
        .endsWith("the token of service account deployer in it no longer authenticates");
    assertThat(client.secrets().inNamespace("ci").withName("deployer-token").get()).isNull();
    assertThat(provider.execute(a)).isEqualTo(new Outcome.AlreadyRevoked("Secret ci/deployer-token not found"));
  }

  @Test
  void refusesToDeleteASecretThatIsNotAServiceAccountToken() {
    create("secret-opaque.yaml", Secret.class);
    Outcome outcome = new DeleteSecretTokenProvider(clusters).execute(
        action("k8s.delete-secret-token", IdentityRef.k8sSecretToken("prod", "ci", "app-config").toString()));

    assertThat(outcome).isInstanceOf(Outcome.PermanentFailure.class);
    assertThat(outcome.detail()).contains("is of type Opaque");
    assertThat(client.secrets().inNamespace("ci").withName("app-config").get()).isNotNull();
  }

  @Test
  void thePreflightSkipsAnObjectLabelledProtectedUnlessTheActionOverrides() {
    Secret secret = load("secret-sa-token.yaml", Secret.class);
    secret.getMetadata().setLabels(Map.of("killswitch.dev/protected", "true"));
    client.resource(secret).create();
    DeleteSecretTokenProvider provider = new DeleteSecretTokenProvider(clusters);
    String target = IdentityRef.k8sSecretToken("prod", "ci", "deployer-token").toString();

    Optional<Outcome> plain = provider.preflight(action("k8s.delete-secret-token", target));
    Optional<Outcome> overridden = provider.preflight(action("k8s.delete-secret-token", target,
        Map.of("override", "true"), null));

    assertThat(plain).get().isInstanceOf(Outcome.Skipped.class);
    assertThat(plain.get().detail()).isEqualTo("protected identity: Secret ci/deployer-token is labelled "
        + "killswitch.dev/protected=true; set override to act on it");
    assertThat(overridden).isEmpty();
  }

  // ---- k8s.delete-bound-object ----

  @Test
  void deletesThePodTokensAreBoundToAndFindsItGoneTheSecondTime() {
    Pod pod = create("pod-nginx-deployment.json", Pod.class);
    DeleteBoundObjectProvider provider = new DeleteBoundObjectProvider(clusters);
    RevocationAction a = action("k8s.delete-bound-object",
        IdentityRef.k8sPod("prod", "default", pod.getMetadata().getName()).toString());

    Outcome first = provider.execute(a);

    assertThat(first).isInstanceOf(Outcome.Revoked.class);
    assertThat(first.detail()).startsWith("Pod default/nginx-deployment-5cdcc99dbf-rgw6z deleted");
    assertThat(client.pods().inNamespace("default").withName(pod.getMetadata().getName()).get()).isNull();
    assertThat(provider.execute(a)).isInstanceOf(Outcome.AlreadyRevoked.class);
  }

  // ---- k8s.remove-binding-subject ----

  @Test
  void removesTheSubjectKeepsTheOthersAndRestoresItWhenTheLockIsLifted() {
    create("rolebinding-deploy.yaml", RoleBinding.class);
    RemoveBindingSubjectProvider provider = new RemoveBindingSubjectProvider(clusters);
    RevocationAction a = action("k8s.remove-binding-subject", IdentityRef.k8sBinding("prod", "ci", "deploy").toString(),
        Map.of("subjects", IdentityRef.k8sServiceAccount("prod", "ci", "deployer").toString()), NOW.plusSeconds(600));

    Outcome removed = provider.execute(a);

    assertThat(removed).isInstanceOf(Outcome.Revoked.class);
    assertThat(removed.detail()).startsWith("removed ServiceAccount ci/deployer from RoleBinding ci/deploy; restore: {");
    RoleBinding live = client.rbac().roleBindings().inNamespace("ci").withName("deploy").get();
    assertThat(live.getSubjects()).extracting(Subject::getName).containsExactly("jane");
    assertThat(live.getMetadata().getAnnotations()).containsKey("killswitch.dev/removed." + a.actionId());

    Outcome again = provider.execute(a);
    assertThat(again).isInstanceOf(Outcome.Revoked.class);
    assertThat(again.detail()).startsWith("subjects already removed from RoleBinding ci/deploy by this action; restore:");

    Outcome lifted = provider.lift(a, revoked(a, removed));
    assertThat(lifted).isEqualTo(new Outcome.Revoked("restored ServiceAccount ci/deployer to RoleBinding ci/deploy"));
    RoleBinding restored = client.rbac().roleBindings().inNamespace("ci").withName("deploy").get();
    assertThat(restored.getSubjects()).extracting(Subject::getName).containsExactlyInAnyOrder("jane", "deployer");
    assertThat(restored.getMetadata().getAnnotations()).doesNotContainKey("killswitch.dev/removed." + a.actionId());
    assertThat(restored.getRoleRef().getName()).isEqualTo("edit");
  }

  @Test
  void deletesABindingWhoseOnlySubjectIsRemovedAndRecreatesItFromTheCopyOnLift() {
    create("clusterrolebinding-some-reader-binding.json", ClusterRoleBinding.class);
    RemoveBindingSubjectProvider provider = new RemoveBindingSubjectProvider(clusters);
    RevocationAction a = action("k8s.remove-binding-subject",
        IdentityRef.k8sBinding("prod", null, "some-reader-binding").toString(),
        Map.of("subjects", IdentityRef.k8sUser("prod", "minikube").toString()), null);

    Outcome removed = provider.execute(a);

    assertThat(removed.detail()).startsWith("removed User minikube from ClusterRoleBinding some-reader-binding; "
        + "deleted the binding, it had no other subject; restore: ");
    assertThat(client.rbac().clusterRoleBindings().withName("some-reader-binding").get()).isNull();
    assertThat(provider.execute(a)).isInstanceOf(Outcome.AlreadyRevoked.class);

    assertThat(provider.lift(a, revoked(a, removed)).detail()).isEqualTo("recreated ClusterRoleBinding some-reader-binding with its subjects");
    ClusterRoleBinding back = client.rbac().clusterRoleBindings().withName("some-reader-binding").get();
    assertThat(back.getSubjects()).extracting(Subject::getName).containsExactly("minikube");
    assertThat(back.getRoleRef().getName()).isEqualTo("system:basic-user");
    assertThat(back.getMetadata().getLabels()).containsEntry("kubernetes.io/bootstrapping", "rbac-defaults");
  }

  @Test
  void aTemporaryLockKeepsTheEmptiedBindingSoThatTheRestoreNeedsNothingElse() {
    create("clusterrolebinding-some-reader-binding.json", ClusterRoleBinding.class);
    RevocationAction a = action("k8s.remove-binding-subject",
        IdentityRef.k8sBinding("prod", null, "some-reader-binding").toString(),
        Map.of("subjects", IdentityRef.k8sUser("prod", "minikube").toString()), NOW.plusSeconds(600));

    Outcome removed = new RemoveBindingSubjectProvider(clusters).execute(a);

    assertThat(removed.detail()).contains("kept the emptied binding for the lock");
    assertThat(client.rbac().clusterRoleBindings().withName("some-reader-binding").get().getSubjects()).isEmpty();
  }

  @Test
  void aSubjectNoLongerInTheBindingIsAlreadyRevoked() {
    create("rolebinding-deploy.yaml", RoleBinding.class);
    Outcome outcome = new RemoveBindingSubjectProvider(clusters).execute(action("k8s.remove-binding-subject",
        IdentityRef.k8sBinding("prod", "ci", "deploy").toString(),
        Map.of("subjects", IdentityRef.k8sServiceAccount("prod", "ci", "someone-else").toString()), null));

    assertThat(outcome).isInstanceOf(Outcome.AlreadyRevoked.class);
  }

  // ---- k8s.rotate-service-account ----

  @Test
  void rotatesAServiceAccountKeepingItsLabelsAnnotationsAndPullSecretsButNotItsTokenSecrets() {
    ServiceAccount before = create("serviceaccount-deployer.yaml", ServiceAccount.class);
    RotateServiceAccountProvider provider = new RotateServiceAccountProvider(clusters);
    RevocationAction a = action("k8s.rotate-service-account",
        IdentityRef.k8sServiceAccount("prod", "ci", "deployer").toString());

    Outcome rotated = provider.execute(a);

    assertThat(rotated).isInstanceOf(Outcome.Revoked.class);
    assertThat(rotated.detail()).startsWith("ServiceAccount ci/deployer recreated: uid " + before.getMetadata().getUid());
    ServiceAccount after = client.serviceAccounts().inNamespace("ci").withName("deployer").get();
    assertThat(after.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
    assertThat(after.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/deployer")
        .containsEntry("killswitch.dev/rotated-by", a.actionId());
    assertThat(after.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("registry-credentials");
    assertThat(after.getAutomountServiceAccountToken()).isFalse();
    assertThat(after.getSecrets()).isNullOrEmpty();

    Outcome again = provider.execute(a);
    assertThat(again.detail()).startsWith("ServiceAccount ci/deployer already rotated by this action");
    assertThat(client.serviceAccounts().inNamespace("ci").withName("deployer").get().getMetadata().getUid())
        .isEqualTo(after.getMetadata().getUid());
  }

  @Test
  void aMissingServiceAccountIsAlreadyRevoked() {
    assertThat(new RotateServiceAccountProvider(clusters).execute(action("k8s.rotate-service-account",
        IdentityRef.k8sServiceAccount("prod", "ci", "ghost").toString()))).isInstanceOf(Outcome.AlreadyRevoked.class);
  }

  // ---- clusters and targets ----

  @Test
  void aClusterWithoutAContextAndATargetOfTheWrongKindFailPermanently() {
    Map<String, KubernetesClient> none = new HashMap<>();
    Outcome noCluster = new DeleteSecretTokenProvider(KubernetesClusters.of(none)).execute(
        action("k8s.delete-secret-token", IdentityRef.k8sSecretToken("staging", "ci", "x").toString()));
    Outcome wrongKind = new DeleteSecretTokenProvider(clusters).execute(
        action("k8s.delete-secret-token", IdentityRef.k8sPod("prod", "ci", "x").toString()));

    assertThat(noCluster).isEqualTo(new Outcome.PermanentFailure("no kubeconfig context is configured for cluster staging"));
    assertThat(wrongKind).isInstanceOf(Outcome.PermanentFailure.class);
    assertThat(wrongKind.detail()).contains("does not work on k8s-pod");
  }

  static RevocationResult revoked(RevocationAction a, Outcome outcome) {
    return new RevocationResult(a.actionId(), a.requestId(), a.action(), a.target(), RevocationResult.Outcome.REVOKED,
        outcome.detail(), 1, NOW);
  }
}
