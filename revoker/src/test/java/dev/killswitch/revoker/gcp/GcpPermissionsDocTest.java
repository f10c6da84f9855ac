package dev.killswitch.revoker.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/providers/gcp.md lists exactly what the shipped custom roles say: its generated section is rendered from
 * them here. Run with {@code -Dkillswitch.docs.update=true} to rewrite the section after changing a file.
 */
class GcpPermissionsDocTest {

  static final String BEGIN = "<!-- BEGIN GENERATED: permissions (GcpPermissionsDocTest renders this from "
      + "revoker/src/main/resources/permissions/gcp; do not edit by hand) -->";
  static final String END = "<!-- END GENERATED: permissions -->";
  static final Path DOC = Path.of(System.getProperty("basedir", "."), "..", "docs", "providers", "gcp.md");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void everyGoogleActionShipsAGaCustomRoleOfNamedPermissions() throws Exception {
    for (String action : GcpPermissions.ACTIONS) {
      JsonNode role = YAML.readTree(GcpPermissions.yaml(action));
      assertThat(role.path("title").asText()).isEqualTo("Killswitch " + action.substring("gcp.".length()));
      assertThat(role.path("stage").asText()).isEqualTo("GA");
      assertThat(role.path("description").asText()).isNotBlank();
      assertThat(permissions(action)).isNotEmpty().allMatch(p -> p.matches("[a-z]+\\.[A-Za-z]+\\.[A-Za-z]+"));
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

  /** The permissions of an action's custom role. */
  static List<String> permissions(String action) throws Exception {
    List<String> out = new ArrayList<>();
    YAML.readTree(GcpPermissions.yaml(action)).path("includedPermissions").forEach(p -> out.add(p.asText()));
    return out;
  }

  static String render() throws Exception {
    StringBuilder out = new StringBuilder("\n\n| action | custom role title | permissions |\n|---|---|---|\n");
    for (String action : GcpPermissions.ACTIONS) {
      out.append("| `").append(action).append("` | ").append(YAML.readTree(GcpPermissions.yaml(action))
          .path("title").asText()).append(" | ")
          .append(String.join(", ", permissions(action).stream().map(p -> "`" + p + "`").toList())).append(" |\n");
    }
    for (String action : GcpPermissions.ACTIONS) {
      out.append("\n### `").append(action).append("`\n\n`revoker/src/main/resources")
          .append(GcpPermissions.resource(action)).append("`:\n\n```yaml\n")
          .append(GcpPermissions.yaml(action).strip()).append("\n```\n");
    }
    return out.append("\n").toString();
  }
}
