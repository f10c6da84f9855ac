package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The human output of {@code revocations show} (and of {@code revoke --wait}). */
class RevocationsCommandTest {

  private static final String RUN = "ci:github:Codertocat/Hello-World/runs/2202229078";

  @Test
  void aDoneRequestWithoutActionsSaysWhereALateCredentialsOwnRequestIsFound() throws Exception {
    String out = print("""
        {"request": {"requestId": "ded199828398e6d66ae581015c1f736f", "target": "%s", "cascade": "downstream",
          "reason": "CI run completed (success)", "requestedBy": "trigger:job-completed", "mode": "enforce",
          "requestedAt": "2026-11-27T20:44:58.977Z", "override": false},
         "status": "done", "actions": []}""".formatted(RUN));

    assertThat(out).contains("No action: when this request was planned, nothing at or downstream of the target")
        .contains("A credential that joins the chain later gets a request of its own")
        .contains("  killswitch chains find " + RUN);
  }

  @Test
  void aRequestNotPlannedYetSaysSo() throws Exception {
    String out = print("""
        {"request": {"requestId": "r1", "target": "%s", "cascade": "downstream", "reason": "playbook",
          "requestedBy": "playbook:p1", "mode": "enforce", "requestedAt": "2026-11-27T20:44:58.977Z",
          "override": false},
         "status": "requested", "actions": []}""".formatted(RUN));

    assertThat(out).contains("No action planned yet.").doesNotContain("chains find");
  }

  private static String print(String json) throws Exception {
    JsonNode view = Json.mapper().readTree(json);
    StringWriter s = new StringWriter();
    RevocationsCommand.printView(new PrintWriter(s), view);
    return s.toString();
  }
}
