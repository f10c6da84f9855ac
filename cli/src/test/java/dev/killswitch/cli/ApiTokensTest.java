package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {

  @TempDir Path dir;

  @Test
  void readsRoleScopedTokensFromAFileOrInline() throws Exception {
    Path file = Files.writeString(dir.resolve("soar"), "soar-token-from-a-file-0123\n");
    Path yaml = Files.writeString(dir.resolve("k.yaml"), """
        tokens:
          - name: soar
            roles: [revoker, analyst]
            file: %s
          - name: grafana
            roles: [Analyst]
            token: grafana-token-0123456789
        """.formatted(file));

    List<ApiTokens.Token> tokens = ApiTokens.of(Settings.load(yaml, Map.of()));

    assertThat(tokens).extracting(ApiTokens.Token::name).containsExactly("soar", "grafana");
    assertThat(tokens.get(0).roles()).containsExactlyInAnyOrder(Role.REVOKER, Role.ANALYST);
    assertThat(tokens.get(0).value()).isEqualTo("soar-token-from-a-file-0123");
    assertThat(tokens.get(1).roles()).containsExactly(Role.ANALYST);
    assertThat(tokens.get(0).toString()).doesNotContain("soar-token-from-a-file");
  }

  @Test
  void reportsEveryProblemAtOnce() throws Exception {
    Path yaml = Files.writeString(dir.resolve("k.yaml"), """
        tokens:
          - name: a
            roles: [superuser]
            token: long-enough-token-0123
          - name: b
            roles: [analyst]
            token: short
          - name: c
            roles: []
            file: /nonexistent/token
          - just a string
        """);
    List<String> problems = new ArrayList<>();
    ApiTokens.read(Settings.load(yaml, Map.of()).yaml(), problems);

    assertThat(problems).hasSize(5);
    assertThat(String.join("\n", problems)).contains("unknown role 'superuser'").contains("at least 16 characters")
        .contains("roles must list").contains("cannot read /nonexistent/token").contains("tokens[3] must be a mapping");
    assertThatThrownBy(() -> ApiTokens.of(Settings.load(yaml, Map.of())))
        .isInstanceOf(Settings.InvalidSettingsException.class);
  }
}
