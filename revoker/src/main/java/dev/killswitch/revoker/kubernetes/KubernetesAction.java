package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.ActionTarget;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every fabric8 provider does alike: resolve the target reference and its cluster's client, refuse a live
 * object labelled {@value #PROTECTED_LABEL}{@code =true} unless the action carries {@code override}, and turn
 * API errors into outcomes ({@link KubernetesErrors}). Subclasses say which objects they work on and what they do.
 */
abstract class KubernetesAction implements RevocationProvider {

  /** The label that protects an object from Killswitch (DESIGN.md guardrails), checked on the live object. */
  static final String PROTECTED_LABEL = "killswitch.dev/protected";

  private final KubernetesClusters clusters;

  KubernetesAction(KubernetesClusters clusters) {
    this.clusters = clusters;
  }

  /** The kinds of target reference this action accepts. */
  abstract Set<IdentityRef.Kind> targetKinds();

  /** The live object the target names, or null when it does not exist. */
  abstract HasMetadata live(KubernetesClient client, IdentityRef target);

  /** The action on an existing or missing object; API errors may be thrown. */
  abstract Outcome run(KubernetesClient client, IdentityRef target, RevocationAction action);

  /** Undoes {@link #run} for a temporary lock; by default the action cannot be undone. */
  Outcome undo(KubernetesClient client, IdentityRef target, RevocationAction action, RevocationResult revoked) {
    return new Outcome.PermanentFailure(actionId() + " cannot be lifted");
  }

  /** The exact RBAC this action needs, as the ClusterRole YAML shipped in the jar. */
  public String permissions() {
    return KubernetesPermissions.yaml(actionId());
  }

  @Override
  public final Optional<Outcome> preflight(RevocationAction action) {
    return call(action, "reading " + action.target(), (client, target) -> {
      HasMetadata object = live(client, target);
      if (object == null || override(action)) {
        return null;   // a missing object is the action's business (already revoked)
      }
      Map<String, String> labels = object.getMetadata().getLabels();
      if (labels != null && "true".equals(labels.get(PROTECTED_LABEL))) {
        return new Outcome.Skipped("protected identity: " + object.getKind() + " " + name(object) + " is labelled "
            + PROTECTED_LABEL + "=true; set override to act on it");
      }
      return null;
    });
  }

  @Override
  public final Outcome execute(RevocationAction action) {
    return call(action, actionId() + " " + action.target(), (client, target) -> run(client, target, action))
        .orElseThrow();
  }

  @Override
  public final Outcome lift(RevocationAction action, RevocationResult revoked) {
    return call(action, "lifting " + actionId() + " " + action.target(),
        (client, target) -> undo(client, target, action, revoked)).orElseThrow();
  }

  private interface Call {
    Outcome apply(KubernetesClient client, IdentityRef target);
  }

  private Optional<Outcome> call(RevocationAction action, String what, Call call) {
    ActionTarget checked = ActionTarget.of(action, actionId(), targetKinds());
    if (checked.refused()) {
      return Optional.of(checked.refusal());
    }
    IdentityRef target = checked.ref();
    Optional<KubernetesClient> client = clusters.client(target.scope());
    if (client.isEmpty()) {
      return Optional.of(new Outcome.PermanentFailure("no kubeconfig context is configured for cluster "
          + target.scope()));
    }
    try {
      return Optional.ofNullable(call.apply(client.get(), target));
    } catch (KubernetesClientException e) {
      return Optional.of(KubernetesErrors.classify(what, e));
    }
  }

  static boolean override(RevocationAction action) {
    return action.params() != null && "true".equals(action.params().get(Planner.PARAM_OVERRIDE));
  }

  static String name(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }
}
