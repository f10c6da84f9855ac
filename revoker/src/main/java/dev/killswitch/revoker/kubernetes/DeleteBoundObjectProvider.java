package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Set;

/**
 * {@code k8s.delete-bound-object}: deletes the pod or Secret that bound service-account tokens are bound to; the
 * apiserver validates a bound token against its object's UID, so the tokens stop authenticating once the object
 * is gone (a pod within its grace period). Target: {@code k8s:<cluster>:pod/<namespace>/<name>} or
 * {@code k8s:<cluster>:secret-token/<namespace>/<secret>}. Permissions: {@code permissions/kubernetes/
 * k8s.delete-bound-object.yaml}.
 */
public final class DeleteBoundObjectProvider extends KubernetesAction {

  public DeleteBoundObjectProvider(KubernetesClusters clusters) {
    super(clusters);
  }

  @Override
  public String actionId() {
    return Actions.K8S_DELETE_BOUND_OBJECT;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.K8S_POD, IdentityRef.Kind.K8S_SECRET_TOKEN);
  }

  @Override
  HasMetadata live(KubernetesClient client, IdentityRef target) {
    return resource(client, target).get();
  }

  @Override
  Outcome run(KubernetesClient client, IdentityRef target, RevocationAction action) {
    String what = (target.kind() == IdentityRef.Kind.K8S_POD ? "Pod " : "Secret ") + target.part("namespace") + "/"
        + target.leaf();
    HasMetadata object = resource(client, target).get();
    if (object == null || resource(client, target).delete().isEmpty()) {
      return new Outcome.AlreadyRevoked(what + " not found; tokens bound to it no longer authenticate");
    }
    return new Outcome.Revoked(what + " deleted (uid " + object.getMetadata().getUid()
        + "); tokens bound to it no longer authenticate");
  }

  private static Resource<? extends HasMetadata> resource(KubernetesClient client, IdentityRef target) {
    String ns = target.part("namespace");
    return target.kind() == IdentityRef.Kind.K8S_POD
        ? client.pods().inNamespace(ns).withName(target.leaf())
        : client.secrets().inNamespace(ns).withName(target.leaf());
  }
}
