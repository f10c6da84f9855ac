package dev.killswitch.revoker.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/providers/kubernetes.md lists exactly what the shipped permission files say: its generated section is
 * rendered from them here. Run with {@code -Dkillswitch.docs.update=true} to rewrite the section after changing a
 * file.
 */
class KubernetesPermissionsDocTest {

  static final String BEGIN = "<!-- BEGIN GENERATED: permissions (KubernetesPermissionsDocTest renders this from "
      + "revoker/src/main/resources/permissions/kubernetes; do not edit by hand) -->";
  static final String END = "<!-- END GENERATED: permissions -->";
  static final Path DOC = Path.of(System.getProperty("basedir", "."), "..", "docs", "providers", "kubernetes.md");

  @Test
  void everyKubernetesActionShipsAClusterRoleNamedForIt() {
    KubernetesSerialization yaml = new KubernetesSerialization();
    for (String action : KubernetesPermissions.ACTIONS) {
      ClusterRole role = yaml.unmarshal(KubernetesPermissions.yaml(action), ClusterRole.class);
      assertThat(role.getMetadata().getName()).isEqualTo("killswitch-revoker-" + action.substring("k8s.".length()));
      assertThat(role.getMetadata().getLabels()).containsEntry("killswitch.dev/action", action);
    }
  }

  @Test
  void theProviderDocListsExactlyWhatThePermissionFilesSay() throws Exception {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("generated section in " + DOC).isGreaterThanOrEqualTo(0);
    assertThat(end).isGreaterThan(begin);
    String expected = render();
    String actual = doc.substring(begin + BEGIN.length(), end);
    if (Boolean.getBoolean("killswitch.docs.update") && !expected.equals(actual)) {
      Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + expected + doc.substring(end),
          StandardCharsets.UTF_8);
      actual = expected;
    }
    assertThat(actual).as("run the test with -Dkillswitch.docs.update=true to regenerate").isEqualTo(expected);
  }

  /** A table of every rule, then each file verbatim. */
  static String render() {
    KubernetesSerialization yaml = new KubernetesSerialization();
    StringBuilder out = new StringBuilder("\n\n| action | ClusterRole | API group | resources | verbs |\n"
        + "|---|---|---|---|---|\n");
    for (String action : KubernetesPermissions.ACTIONS) {
      ClusterRole role = yaml.unmarshal(KubernetesPermissions.yaml(action), ClusterRole.class);
      List<PolicyRule> rules = role.getRules() == null ? List.of() : role.getRules();
      if (rules.isEmpty()) {
        out.append("| `").append(action).append("` | `").append(role.getMetadata().getName())
            .append("` | none | none | none (nothing in the cluster) |\n");
      }
      for (PolicyRule rule : rules) {
        out.append("| `").append(action).append("` | `").append(role.getMetadata().getName()).append("` | ")
            .append(rule.getApiGroups().stream().map(g -> g.isEmpty() ? "core" : "`" + g + "`").toList()
                .toString().replaceAll("[\\[\\]]", ""))
            .append(" | ").append(codes(rule.getResources())).append(" | ").append(codes(rule.getVerbs()))
            .append(" |\n");
      }
    }
    for (String action : KubernetesPermissions.ACTIONS) {
      out.append("\n### `").append(action).append("`\n\n`revoker/src/main/resources")
          .append(KubernetesPermissions.resource(action)).append("`:\n\n```yaml\n")
          .append(KubernetesPermissions.yaml(action).strip()).append("\n```\n");
    }
    return out.append("\n").toString();
  }

  private static String codes(List<String> values) {
    return String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
  }
}
