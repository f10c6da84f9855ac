package dev.killswitch.revoker.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/providers/aws.md lists exactly what the shipped IAM policies say: its generated section is rendered from
 * them here. Run with {@code -Dkillswitch.docs.update=true} to rewrite the section after changing a file.
 */
class AwsPermissionsDocTest {

  static final String BEGIN = "<!-- BEGIN GENERATED: permissions (AwsPermissionsDocTest renders this from "
      + "revoker/src/main/resources/permissions/aws; do not edit by hand) -->";
  static final String END = "<!-- END GENERATED: permissions -->";
  static final Path DOC = Path.of(System.getProperty("basedir", "."), "..", "docs", "providers", "aws.md");

  @Test
  void everyAwsActionShipsAnAllowOnlyPolicyOfNamedIamActionsOnScopedResources() throws Exception {
    for (String action : AwsPermissions.ACTIONS) {
      JsonNode policy = Json.mapper().readTree(AwsPermissions.json(action));
      assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
      assertThat(policy.path("Statement")).isNotEmpty();
      for (JsonNode s : policy.path("Statement")) {
        assertThat(s.path("Sid").asText()).matches("[A-Za-z0-9]+");
        assertThat(s.path("Effect").asText()).isEqualTo("Allow");
        assertThat(list(s.path("Action"))).isNotEmpty().allMatch(a -> a.matches("(iam|sts):[A-Z][A-Za-z]+"));
        assertThat(list(s.path("Resource"))).isNotEmpty().noneMatch("*"::equals);
      }
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

  /** The IAM actions of an action's policy file. */
  static List<String> iamActions(String action) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode s : Json.mapper().readTree(AwsPermissions.json(action)).path("Statement")) {
      out.addAll(list(s.path("Action")));
    }
    return out;
  }

  static String render() throws Exception {
    StringBuilder out = new StringBuilder("\n\n| action | IAM actions | resources |\n|---|---|---|\n");
    for (String action : AwsPermissions.ACTIONS) {
      for (JsonNode s : Json.mapper().readTree(AwsPermissions.json(action)).path("Statement")) {
        out.append("| `").append(action).append("` | ").append(codes(list(s.path("Action")))).append(" | ")
            .append(codes(list(s.path("Resource")))).append(" |\n");
      }
    }
    for (String action : AwsPermissions.ACTIONS) {
      out.append("\n### `").append(action).append("`\n\n`revoker/src/main/resources")
          .append(AwsPermissions.resource(action)).append("`:\n\n```json\n")
          .append(AwsPermissions.json(action).strip()).append("\n```\n");
    }
    return out.append("\n").toString();
  }

  private static List<String> list(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else if (node.isTextual()) {
      out.add(node.asText());
    }
    return out;
  }

  private static String codes(List<String> values) {
    return String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
  }
}
