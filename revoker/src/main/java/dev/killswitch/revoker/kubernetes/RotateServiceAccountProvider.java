package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code k8s.rotate-service-account}: deletes the service account and creates it again with the same name, labels,
 * annotations, image pull secrets and automount setting. Every token of the old one names the old UID, so all of
 * them stop authenticating; workloads get tokens of the new one when their pods restart. The legacy
 * {@code secrets} list is not copied (its token Secrets belonged to the old UID).
 *
 * <p>Idempotent: the new account carries the annotation {@value #ROTATED_BY}{@code =<action id>}; a repeated call
 * for the same action finds it and does not rotate again. A create that fails after the delete is finished by the
 * next attempt from a copy kept in memory. A broad action: it may need approval. Not reversible.
 * Target: {@code k8s:<cluster>:sa/<namespace>/<name>}. Permissions: {@code permissions/kubernetes/
 * k8s.rotate-service-account.yaml}.
 */
public final class RotateServiceAccountProvider extends KubernetesAction {

  static final String ROTATED_BY = "killswitch.dev/rotated-by";
  private static final Duration DELETE_WAIT = Duration.ofSeconds(30);

  /**
   * The copies to create of accounts this process deleted but has not created again yet (a create that failed);
   * held in memory, so a crash between the delete and the create leaves the account deleted (its tokens revoked,
   * the workloads without an account until someone recreates it): the residual risk of this action.
   */
  private final Map<String, ServiceAccount> deletedNotRecreated = new ConcurrentHashMap<>();

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
      ServiceAccount unfinished = deletedNotRecreated.get(action.actionId());
      if (unfinished != null) {
        // An earlier attempt of this action deleted it and could not create it again: finish the rotation.
        ServiceAccount created = client.serviceAccounts().inNamespace(ns).resource(unfinished).create();
        deletedNotRecreated.remove(action.actionId());
        return new Outcome.Revoked("ServiceAccount " + name + " recreated (uid " + created.getMetadata().getUid()
            + ") after an interrupted rotation; every token of the old account no longer authenticates");
      }
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
    deletedNotRecreated.put(action.actionId(), fresh);
    client.serviceAccounts().inNamespace(ns).withName(target.leaf()).delete();
    // Wait until the old one is gone (finalizers, slow apiserver); a 409 AlreadyExists after that is retriable and
    // the next attempt either deletes the old one again or creates the copy kept above.
    client.serviceAccounts().inNamespace(ns).withName(target.leaf())
        .waitUntilCondition(sa -> sa == null || !old.getMetadata().getUid().equals(sa.getMetadata().getUid()),
            DELETE_WAIT.toSeconds(), TimeUnit.SECONDS);
    ServiceAccount created = client.serviceAccounts().inNamespace(ns).resource(fresh).create();
    deletedNotRecreated.remove(action.actionId());
    return new Outcome.Revoked("ServiceAccount " + name + " recreated: uid " + old.getMetadata().getUid() + " -> "
        + created.getMetadata().getUid() + "; every token of the old account no longer authenticates");
  }
}
