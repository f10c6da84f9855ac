package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.killswitch.cli.Settings.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain explorer in a real headless Chromium (Debian's package, driven by playwright-core from
 * {@code src/test/browser}): load, enter the token, search the README tour's token, see the graph and its
 * revocation state, read an edge's evidence, revoke in dry-run, then enforce; an analyst-only token sees no revoke
 * button. Screenshots stay in
 * {@code target/screenshots}. Skipped where the browser or the node modules are absent; {@code .ci/run} installs
 * both, so CI always runs it.
 */
class ExplorerBrowserIT {

  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("KILLSWITCH_CHROMIUM", "/usr/bin/chromium"));
  private static final Path BROWSER_TEST = Path.of("src/test/browser");
  private static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir Path dataDir;

  @Test
  void aPersonFindsTheTourChainSeesItsStateReadsTheEvidenceAndRevokesDryRunFirst() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "skipped: no Chromium at " + CHROMIUM + " (apt-get install -y chromium; .ci/run does)");
    assumeTrue(Files.isDirectory(BROWSER_TEST.resolve("node_modules/playwright-core")),
        "skipped: run 'npm ci' in cli/src/test/browser first (.ci/run does)");
    assumeTrue(nodeAvailable(), "skipped: no 'node' on the PATH");

    Map<String, String> env = Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0");
    String analystToken = "analyst-only-token-0123456789";
    Path config = java.nio.file.Files.writeString(dataDir.resolve("killswitch.yaml"),
        "tokens:\n  - name: analyst\n    roles: [analyst]\n    token: " + analystToken + "\n");
    Settings settings = Settings.load(config, env);
    try (Application app = Application.start(settings, EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      String url = "http://127.0.0.1:" + app.httpPort();
      StringWriter out = new StringWriter();
      var cmd = Killswitch.commandLine(Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(),
          "KILLSWITCH_HTTP_PORT", String.valueOf(app.httpPort())));
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(out, true));
      assertThat(cmd.execute("replay", "--cluster", "prod", EXAMPLES.resolve("github/workflow_job.in_progress.json").toString(),
          EXAMPLES.resolve("k8s/tokenrequest.json").toString(), EXAMPLES.resolve("github/workflow_job.completed.json").toString()))
          .as(out.toString()).isZero();

      HttpClient http = HttpClient.newHttpClient();
      for (String path : new String[] {"/", "/assets/explorer.js", "/assets/explorer.css"}) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s without a token", path).isEqualTo(200);
      }
      assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/assets/..%2Fopenapi%2Fopenapi.json")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      Process node = new ProcessBuilder("node", "explorer.test.mjs", url, Secrets.resolve(settings).get(Secret.API_TOKEN),
          shots.toString(), analystToken)
          .directory(BROWSER_TEST.toFile())
          .redirectErrorStream(true)
          .redirectOutput(Path.of("target", "explorer-browser-test.log").toFile())
          .start();
      boolean ended = node.waitFor(180, TimeUnit.SECONDS);
      if (!ended) {
        node.destroyForcibly();
      }
      String log = Files.readString(Path.of("target", "explorer-browser-test.log"));
      assertThat(ended).as("the browser test did not end in 180 s:\n" + log).isTrue();
      assertThat(node.exitValue()).as(log).isZero();
      assertThat(log).contains("explorer: all steps passed");
      assertThat(shots.resolve("3-dry-run.png")).exists();
      assertThat(log).contains("the revoke box is not");
    }
  }

  private static boolean nodeAvailable() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
