package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's scenario path (everything {@code killswitch demo} does but leaving the explorer up): the run's chain
 * reaches the cluster token, the AWS session and the GCP principal; when the job completes, the trigger's enforced
 * revocation lands action by action, the token is revoked, and the apiserver's SubjectAccessReview is denied.
 */
class DemoIT {

  @TempDir Path dataDir;

  @Test
  void theDemoRunIsLinkedFromCiToClusterToCloudsAndRevokedWhenItsJobCompletes() {
    Settings settings = Settings.load(null, Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
    StringWriter text = new StringWriter();
    Demo.Outcome outcome;
    try (Application app = Application.start(settings, EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Demo.TUNING)) {
      outcome = new Demo(app, dataDir, new PrintWriter(text, true), System.nanoTime()).play();
    }
    String out = text.toString();

    assertThat(refs(outcome.chain())).contains(Demo.RUN, Demo.TOKEN, "k8s:prod-eu:sa/payments/billing-api",
        "aws:111122223333:session/ASIAIRSAEXAMPLE00001");
    assertThat(refs(outcome.chain())).anyMatch(r -> r.startsWith("gcp:wif/"));
    assertThat(out).contains("replayed 10 events from 10 file(s)").contains("10 accepted")
        .contains("Root        " + Demo.RUN).contains("-assumed->");

    JsonNode revocation = outcome.revocation();
    assertThat(revocation.path("request").path("requestedBy").asText()).isEqualTo("trigger:job-completed");
    assertThat(revocation.path("request").path("mode").asText()).isEqualTo("enforce");
    assertThat(revocation.path("status").asText()).isEqualTo("done");
    JsonNode denyToken = null;
    for (JsonNode a : revocation.path("actions")) {
      if (a.path("action").asText().equals("k8s.deny-token")) {
        denyToken = a;
      }
    }
    assertThat(denyToken).as("a k8s.deny-token action").isNotNull();
    assertThat(denyToken.path("target").asText()).isEqualTo(Demo.TOKEN);
    assertThat(denyToken.path("outcome").asText()).isEqualTo("revoked");
    assertThat(out).contains("k8s.deny-token         revoked");

    assertThat(outcome.tokenDenied()).isTrue();
    assertThat(out).contains("DENIED, killswitch: token revoked");
  }

  private static List<String> refs(JsonNode chain) {
    List<String> out = new ArrayList<>();
    chain.path("nodes").forEach(n -> out.add(n.path("ref").asText()));
    return out;
  }
}
