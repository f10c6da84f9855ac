package dev.killswitch.revoker.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code k8s.remove-binding-subject}: removes the subjects named in {@code params.subjects} (service accounts and
 * users, as identity references) from a RoleBinding or ClusterRoleBinding, keeping a copy for restore.
 *
 * <ul>
 *   <li>Other subjects stay. When no subject is left the binding is deleted, except for a temporary lock
 *       ({@code expiresAt}), which keeps the emptied binding (it grants nothing) so that the restore does not
 *       depend on anything but the object itself.</li>
 *   <li>The copy: the result's detail ends with {@code restore: {"subjects": [...], "binding": {...}}} (the removed
 *       subjects and the binding as it was), and a binding that stays is annotated
 *       {@value #REMOVED_PREFIX}{@code <action id>} with the removed subjects, in the same update that removes them.
 *       A repeated call for the same action finds that annotation and answers revoked again with the copy.</li>
 *   <li>{@link #lift} adds the removed subjects back (or recreates a deleted binding from the copy).</li>
 * </ul>
 * Target: {@code k8s:<cluster>:binding/<namespace or _cluster>/<name>}. Permissions: {@code permissions/kubernetes/
 * k8s.remove-binding-subject.yaml} (updating a binding needs {@code bind} on the role it refers to).
 */
public final class RemoveBindingSubjectProvider extends KubernetesAction {

  static final String REMOVED_PREFIX = "killswitch.dev/removed.";
  static final String RESTORE = "; restore: ";
  private static final String CLUSTER = "_cluster";

  public RemoveBindingSubjectProvider(KubernetesClusters clusters) {
    super(clusters);
  }

  @Override
  public String actionId() {
    return Actions.K8S_REMOVE_BINDING_SUBJECT;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.K8S_BINDING);
  }

  @Override
  HasMetadata live(KubernetesClient client, IdentityRef target) {
    return get(client, target);
  }

  @Override
  Outcome run(KubernetesClient client, IdentityRef target, RevocationAction action) {
    List<IdentityRef> refs;
    try {
      refs = subjectRefs(action);
    } catch (IllegalArgumentException e) {   // InvalidIdentityRefException included
      return new Outcome.PermanentFailure(e.getMessage());
    }
    HasMetadata binding = get(client, target);
    if (binding == null) {
      return new Outcome.AlreadyRevoked(describe(target) + " not found");
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    String marker = REMOVED_PREFIX + action.actionId();
    List<Subject> removed = new ArrayList<>();
    List<Subject> remaining = new ArrayList<>();
    for (Subject s : subjects(binding)) {
      (refs.stream().anyMatch(r -> matches(s, r)) ? removed : remaining).add(s);
    }
    if (removed.isEmpty()) {
      String earlier = annotations(binding).get(marker);
      if (earlier != null) {
        return new Outcome.Revoked("subjects already removed from " + describe(target) + " by this action" + RESTORE
            + restoreJson(json, json.unmarshal(earlier, Subject[].class), binding));
      }
      return new Outcome.AlreadyRevoked("no subject " + refs + " in " + describe(target));
    }
    String restore = restoreJson(json, removed.toArray(Subject[]::new), binding);
    String what = "removed " + names(removed) + " from " + describe(target);
    if (remaining.isEmpty() && action.expiresAt() == null) {
      resource(client, target, binding).delete();
      return new Outcome.Revoked(what + "; deleted the binding, it had no other subject" + RESTORE + restore);
    }
    HasMetadata updated = json.clone(binding);
    setSubjects(updated, remaining);
    Map<String, String> annotations = new TreeMap<>(annotations(updated));
    annotations.put(marker, json.asJson(removed));
    updated.getMetadata().setAnnotations(annotations);
    resource(client, target, updated).update();   // resourceVersion: a concurrent change answers 409, retried
    return new Outcome.Revoked(what + (remaining.isEmpty() ? "; kept the emptied binding for the lock" : "")
        + RESTORE + restore);
  }

  @Override
  Outcome undo(KubernetesClient client, IdentityRef target, RevocationAction action, RevocationResult revoked) {
    String detail = revoked.detail() == null ? "" : revoked.detail();
    int at = detail.indexOf(RESTORE);
    if (at < 0) {
      return new Outcome.PermanentFailure("the revoked result of " + describe(target) + " holds no restore copy");
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    JsonNode restore;
    try {
      restore = Json.mapper().readTree(detail.substring(at + RESTORE.length()));
    } catch (IOException e) {
      return new Outcome.PermanentFailure("unreadable restore copy: " + e.getMessage());
    }
    Subject[] removed = json.unmarshal(restore.path("subjects").toString(), Subject[].class);
    HasMetadata live = get(client, target);
    if (live == null) {
      HasMetadata copy = json.unmarshal(restore.path("binding").toString());
      copy.getMetadata().setResourceVersion(null);
      resource(client, target, copy).create();
      return new Outcome.Revoked("recreated " + describe(target) + " with its subjects");
    }
    List<Subject> subjects = new ArrayList<>(subjects(live));
    for (Subject s : removed) {
      if (subjects.stream().noneMatch(x -> same(x, s))) {
        subjects.add(s);
      }
    }
    HasMetadata updated = json.clone(live);
    setSubjects(updated, subjects);
    Map<String, String> annotations = new TreeMap<>(annotations(updated));
    annotations.remove(REMOVED_PREFIX + action.actionId());
    updated.getMetadata().setAnnotations(annotations);
    resource(client, target, updated).update();
    return new Outcome.Revoked("restored " + names(List.of(removed)) + " to " + describe(target));
  }

  // ---- the two binding kinds ----

  private static HasMetadata get(KubernetesClient client, IdentityRef target) {
    String ns = target.part("namespace");
    return CLUSTER.equals(ns)
        ? client.rbac().clusterRoleBindings().withName(target.leaf()).get()
        : client.rbac().roleBindings().inNamespace(ns).withName(target.leaf()).get();
  }

  private static io.fabric8.kubernetes.client.dsl.Resource<? extends HasMetadata> resource(
      KubernetesClient client, IdentityRef target, HasMetadata object) {
    return CLUSTER.equals(target.part("namespace"))
        ? client.rbac().clusterRoleBindings().resource((ClusterRoleBinding) object)
        : client.rbac().roleBindings().inNamespace(target.part("namespace")).resource((RoleBinding) object);
  }

  private static List<Subject> subjects(HasMetadata binding) {
    List<Subject> s = binding instanceof ClusterRoleBinding c ? c.getSubjects() : ((RoleBinding) binding).getSubjects();
    return s == null ? List.of() : s;
  }

  private static void setSubjects(HasMetadata binding, List<Subject> subjects) {
    if (binding instanceof ClusterRoleBinding c) {
      c.setSubjects(subjects);
    } else {
      ((RoleBinding) binding).setSubjects(subjects);
    }
  }

  private static Map<String, String> annotations(HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static String describe(IdentityRef target) {
    String ns = target.part("namespace");
    return CLUSTER.equals(ns) ? "ClusterRoleBinding " + target.leaf() : "RoleBinding " + ns + "/" + target.leaf();
  }

  // ---- subjects ----

  private static List<IdentityRef> subjectRefs(RevocationAction action) {
    String list = action.params() == null ? null : action.params().get(Planner.PARAM_SUBJECTS);
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("k8s.remove-binding-subject needs params.subjects");
    }
    List<IdentityRef> refs = new ArrayList<>();
    for (String ref : list.split(",")) {
      IdentityRef r = IdentityRef.parse(ref.trim());
      if (r.kind() != IdentityRef.Kind.K8S_SERVICE_ACCOUNT && r.kind() != IdentityRef.Kind.K8S_USER) {
        throw new IllegalArgumentException("a binding subject must be a service account or a user, not " + ref);
      }
      refs.add(r);
    }
    return refs;
  }

  /** A ServiceAccount subject matches the account and its user name; a User subject matches the user name. */
  static boolean matches(Subject s, IdentityRef ref) {
    String ns;
    String name;
    if (ref.kind() == IdentityRef.Kind.K8S_SERVICE_ACCOUNT) {
      ns = ref.part("namespace");
      name = ref.leaf();
    } else {
      String user = ref.leaf();
      if (!user.startsWith("system:serviceaccount:")) {
        return "User".equals(s.getKind()) && user.equals(s.getName());
      }
      String[] parts = user.split(":", 4);
      if (parts.length != 4) {
        return false;
      }
      ns = parts[2];
      name = parts[3];
      if ("User".equals(s.getKind()) && user.equals(s.getName())) {
        return true;
      }
    }
    return "ServiceAccount".equals(s.getKind()) && name.equals(s.getName()) && ns.equals(s.getNamespace());
  }

  private static boolean same(Subject a, Subject b) {
    return java.util.Objects.equals(a.getKind(), b.getKind()) && java.util.Objects.equals(a.getName(), b.getName())
        && java.util.Objects.equals(a.getNamespace(), b.getNamespace());
  }

  private static String names(List<Subject> subjects) {
    List<String> out = new ArrayList<>();
    for (Subject s : subjects) {
      out.add(s.getKind() + " " + (s.getNamespace() == null ? "" : s.getNamespace() + "/") + s.getName());
    }
    return String.join(", ", out);
  }

  /** {@code {"subjects": [...], "binding": {...}}}: the binding without server-set fields. */
  private static String restoreJson(KubernetesSerialization json, Subject[] removed, HasMetadata binding) {
    HasMetadata copy = json.clone(binding);
    ObjectMeta m = copy.getMetadata();
    m.setResourceVersion(null);
    m.setUid(null);
    m.setCreationTimestamp(null);
    m.setManagedFields(null);
    m.setSelfLink(null);
    m.setGeneration(null);
    Map<String, String> annotations = new TreeMap<>(annotations(copy));
    annotations.keySet().removeIf(k -> k.startsWith(REMOVED_PREFIX));
    m.setAnnotations(annotations.isEmpty() ? null : annotations);
    Map<String, Object> restore = new LinkedHashMap<>();
    restore.put("subjects", removed);
    restore.put("binding", copy);
    return json.asJson(restore);
  }
}
