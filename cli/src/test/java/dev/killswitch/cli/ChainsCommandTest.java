package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.ChainSnapshot.Node;
import dev.killswitch.testkit.scenarios.GithubIrsa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The human output of {@code chains show} (and of {@code chains find} when it finds one chain). */
class ChainsCommandTest {

  private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");
  private static final String RUN = "ci:github:" + GithubIrsa.REPO + "/runs/" + GithubIrsa.RUN_ID;
  private static final String ROLE = "aws:" + GithubIrsa.ACCOUNT + ":role/" + GithubIrsa.ROLE;
  private static final String SESSION = "aws:" + GithubIrsa.ACCOUNT + ":session/" + GithubIrsa.SESSION_KEY;
  private static final String ROLE_ARN = "arn:aws:iam::" + GithubIrsa.ACCOUNT + ":role/" + GithubIrsa.ROLE;

  @Test
  void aSessionsAttributesArePrintedIndentedAsKeyEqualsValueUnderItsNodeWithoutWideningTheColumns() {
    String out = print(new ChainSnapshot("0123456789abcdef0123456789abcdef", RUN, "active", List.of(
        new Node(RUN, "ci-run", T, T, "none"),
        new Node(SESSION, "aws-session", T, T, "none", Map.of(
            Node.ROLE_ARN, ROLE_ARN, Node.ROLE_ID, GithubIrsa.ROLE_ID, Node.SESSION_NAME, GithubIrsa.SESSION_NAME,
            Node.EXPIRES_AT, "2026-11-27T11:00:00Z")),
        new Node(ROLE, "aws-role", T, T, "none")), List.of(), T));

    List<String> lines = out.lines().toList();
    int session = indexOfLineStartingWith(lines, SESSION);
    assertThat(lines.subList(session + 1, session + 5)).containsExactly(
        "    expiresAt=2026-11-27T11:00:00Z",
        "    roleArn=" + ROLE_ARN,
        "    roleId=" + GithubIrsa.ROLE_ID,
        "    sessionName=" + GithubIrsa.SESSION_NAME);
    assertThat(lines.get(session + 5)).startsWith(ROLE);
    assertThat(lines.get(indexOfLineStartingWith(lines, RUN) + 1)).startsWith(SESSION);
    // The attribute lines are wider than any node reference; they do not push the KIND column out.
    assertThat(lines.get(indexOfLineStartingWith(lines, "NODE")).indexOf("KIND")).isEqualTo(SESSION.length() + 2);
  }

  @Test
  void whatTheCallerChoseIsPrintedWithItsControlCharactersEscapedSoItCannotDriveTheTerminalOrForgeALine() {
    // A session name is whatever the AssumeRole caller passed; an edge's user agent, whatever the client sent.
    String hostile = "ci\u001b]0;owned\u0007\u001b[2J\nNODE forged\u202eexe.txt\u009b";
    String out = print(new ChainSnapshot("0123456789abcdef0123456789abcdef", RUN, "active", List.of(
        new Node(RUN, "ci-run", T, T, "none"),
        new Node(SESSION, "aws-session", T, T, "none", Map.of(Node.SESSION_NAME, hostile))), List.of(), T));

    assertThat(out).doesNotContain("\u001b", "\u0007", "\u202e", "\u009b");
    assertThat(out.lines().filter(l -> l.startsWith("NODE"))).hasSize(1);
    assertThat(out).contains(
        "    sessionName=ci\\u001b]0;owned\\u0007\\u001b[2J\\u000aNODE forged\\u202eexe.txt\\u009b");
  }

  private static String print(ChainSnapshot chain) {
    JsonNode json = Json.mapper().valueToTree(chain);
    StringWriter s = new StringWriter();
    ChainsCommand.printChain(new PrintWriter(s), json);
    return s.toString();
  }

  private static int indexOfLineStartingWith(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with " + prefix + " in\n" + String.join("\n", lines));
  }
}
