package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;

/**
 * {@code k8s.delete-secret-token}: deletes a legacy service-account token Secret ({@code kubernetes.io/
 * service-account-token}); the token in it stops authenticating at once. Refuses a Secret of another type: the
 * reference names a token Secret, and deleting an application's Secret is not a revocation. Target:
 * {@code k8s:<cluster>:secret-token/<namespace>/<secret>}. Permissions: {@code permissions/kubernetes/
 * k8s.delete-secret-token.yaml}.
 */
public final class DeleteSecretTokenProvider extends KubernetesAction {

  static final String TOKEN_TYPE = "kubernetes.io/service-account-token";
  static final String SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";

  public DeleteSecretTokenProvider(KubernetesClusters clusters) {
    super(clusters);
  }

  @Override
  public String actionId() {
    return Actions.K8S_DELETE_SECRET_TOKEN;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.K8S_SECRET_TOKEN);
  }

  @Override
  HasMetadata live(KubernetesClient client, IdentityRef target) {
    return secret(client, target);
  }

  @Override
  Outcome run(KubernetesClient client, IdentityRef target, RevocationAction action) {
    String name = target.part("namespace") + "/" + target.leaf();
    Secret secret = secret(client, target);
    if (secret == null) {
      return new Outcome.AlreadyRevoked("Secret " + name + " not found");
    }
    if (!TOKEN_TYPE.equals(secret.getType())) {
      return new Outcome.PermanentFailure("Secret " + name + " is of type " + secret.getType() + ", not "
          + TOKEN_TYPE + "; not deleted");
    }
    boolean deleted = !client.secrets().inNamespace(target.part("namespace")).withName(target.leaf()).delete()
        .isEmpty();
    if (!deleted) {
      return new Outcome.AlreadyRevoked("Secret " + name + " not found");
    }
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    String sa = annotations == null ? null : annotations.get(SA_NAME_ANNOTATION);
    return new Outcome.Revoked("Secret " + name + " deleted (uid " + secret.getMetadata().getUid() + ")"
        + (sa == null ? "" : "; the token of service account " + sa + " in it no longer authenticates"));
  }

  private static Secret secret(KubernetesClient client, IdentityRef target) {
    return client.secrets().inNamespace(target.part("namespace")).withName(target.leaf()).get();
  }
}
