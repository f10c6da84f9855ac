package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code k8s.rotate-service-account}: deletes the service account and creates it again with the same name, labels,
 * annotations, image pull secrets and automount setting. Every token of the old one names the old UID, so all of
 * them stop authenticating; workloads get tokens of the new one when their pods restart. The legacy
 * {@code secrets} list is not copied (its token Secrets belonged to the old UID).
 *
 * <p>Idempotent: the new account carries the annotation {@value #ROTATED_BY}{@code =<action id>}; a repeated call
 * for the same action finds it and does not rotate again. A broad action: it may need approval. Not reversible.
 * Target: {@code k8s:<cluster>:sa/<namespace>/<name>}. Permissions: {@code permissions/kubernetes/
 * k8s.rotate-service-account.yaml}.
 */
public final class RotateServiceAccountProvider extends KubernetesAction {

  static final String ROTATED_BY = "killswitch.dev/rotated-by";

  public RotateServiceAccountProvider(KubernetesClusters clusters) {
    super(clusters);
  }

  @Override
  public String actionId() {
    return Actions.K8S_ROTATE_SERVICE_ACCOUNT;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.K8S_SERVICE_ACCOUNT);
  }

  @Override
  HasMetadata live(KubernetesClient client, IdentityRef target) {
    return client.serviceAccounts().inNamespace(target.part("namespace")).withName(target.leaf()).get();
  }

  @Override
  Outcome run(KubernetesClient client, IdentityRef target, RevocationAction action) {
    String ns = target.part("namespace");
    String name = ns + "/" + target.leaf();
    ServiceAccount old = client.serviceAccounts().inNamespace(ns).withName(target.leaf()).get();
    if (old == null) {
      return new Outcome.AlreadyRevoked("ServiceAccount " + name + " not found; its tokens no longer authenticate");
    }
    Map<String, String> annotations = new TreeMap<>(
        old.getMetadata().getAnnotations() == null ? Map.of() : old.getMetadata().getAnnotations());
    if (action.actionId().equals(annotations.get(ROTATED_BY))) {
      return new Outcome.Revoked("ServiceAccount " + name + " already rotated by this action (uid "
          + old.getMetadata().getUid() + ")");
    }
    annotations.put(ROTATED_BY, action.actionId());
    ServiceAccount fresh = new ServiceAccountBuilder()
        .withNewMetadata()
          .withName(old.getMetadata().getName())
          .withNamespace(ns)
          .withLabels(old.getMetadata().getLabels())
          .withAnnotations(annotations)
        .endMetadata()
        .withImagePullSecrets(old.getImagePullSecrets())
        .withAutomountServiceAccountToken(old.getAutomountServiceAccountToken())
        .build();
    client.serviceAccounts().inNamespace(ns).withName(target.leaf()).delete();
    // 409 AlreadyExists while the old one is still being deleted is retriable: the next attempt reads it again.
    ServiceAccount created = client.serviceAccounts().inNamespace(ns).resource(fresh).create();
    return new Outcome.Revoked("ServiceAccount " + name + " recreated: uid " + old.getMetadata().getUid() + " -> "
        + created.getMetadata().getUid() + "; every token of the old account no longer authenticates");
  }
}
