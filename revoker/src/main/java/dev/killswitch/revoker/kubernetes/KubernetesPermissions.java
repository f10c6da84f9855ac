package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.plan.Actions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The RBAC each {@code k8s.*} action needs, shipped as a ClusterRole YAML under
 * {@code permissions/kubernetes/<action>.yaml} in the jar; docs/providers/kubernetes.md is built from these files.
 */
public final class KubernetesPermissions {

  /** The Kubernetes actions, each with a permissions file. */
  public static final List<String> ACTIONS = List.of(Actions.K8S_DENY_TOKEN, Actions.K8S_DELETE_SECRET_TOKEN,
      Actions.K8S_DELETE_BOUND_OBJECT, Actions.K8S_REMOVE_BINDING_SUBJECT, Actions.K8S_ROTATE_SERVICE_ACCOUNT);

  private KubernetesPermissions() {}

  /** The class-path resource of the action's ClusterRole. */
  public static String resource(String action) {
    return "/permissions/kubernetes/" + action + ".yaml";
  }

  /** The ClusterRole YAML of the action. */
  public static String yaml(String action) {
    try (InputStream in = KubernetesPermissions.class.getResourceAsStream(resource(action))) {
      if (in == null) {
        throw new IllegalArgumentException("no permissions file for " + action + " (" + resource(action) + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
