package dev.killswitch.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.security.auth.module.UnixSystem;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image as Jib built it (profile {@code image} with {@code -Djib.goal=buildTar}, which passes the
 * tarball as {@value #IMAGE}): its configuration, read from the tarball, and, as root, the image itself started
 * without a container engine by deploy/image/check-image-chroot.sh on a read-only root filesystem. .ci/run builds
 * the image on a base made from the machine's own JDK (deploy/image/local-base-image.sh); without the profile this
 * test is disabled.
 */
@EnabledIfSystemProperty(named = ImageIT.IMAGE, matches = ".+")
class ImageIT {

  static final String IMAGE = "killswitch.image.tar";
  private static final Path CHECK = Path.of("..", "deploy", "image", "check-image-chroot.sh");
  private static final Duration START_BOUND = Duration.ofSeconds(150);

  @TempDir Path dir;

  @Test
  void theImageRunsKillswitchAsANonRootUserOnPort8080WithItsVolumesAndHealthLabels() throws Exception {
    JsonNode config = config().get("config");

    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    assertThat(texts(config.get("Entrypoint"))).startsWith("java").endsWith("dev.killswitch.cli.Killswitch");
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/var/lib/killswitch");
    assertThat(fieldNames(config.get("ExposedPorts"))).containsExactly("8080/tcp");
    assertThat(fieldNames(config.get("Volumes"))).containsExactlyInAnyOrder("/var/lib/killswitch", "/tmp");
    assertThat(texts(config.get("Env")))
        .contains("KILLSWITCH_HTTP_HOST=0.0.0.0", "KILLSWITCH_HTTP_PORT=8080", "KILLSWITCH_DATA_DIR=/var/lib/killswitch");
    JsonNode labels = config.get("Labels");
    assertThat(labels.get("dev.killswitch.health.liveness").asText()).isEqualTo("GET /healthz on 8080");
    assertThat(labels.get("dev.killswitch.health.readiness").asText()).isEqualTo("GET /readyz on 8080");
    assertThat(labels.get("org.opencontainers.image.title").asText()).isEqualTo("killswitch");
  }

  @Test
  void onAReadOnlyRootFilesystemAsItsUserTheImageStartsAndAnswersHealthzAndReadyz() throws Exception {
    assumeTrue(new UnixSystem().getUid() == 0, "check-image-chroot.sh needs root (unshare, mount, chroot)");
    int port = freePort();
    Path log = dir.resolve("image.log");
    ProcessBuilder pb = new ProcessBuilder(CHECK.toString(), image().toString(), "run")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("TMPDIR", dir.toString()); // the unpacked root goes with the test's directory
    Process process = pb.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      await().atMost(START_BOUND).pollInterval(Duration.ofMillis(500)).until(() -> {
        assertThat(process.isAlive()).as("the image exited: %s", Files.readString(log)).isTrue();
        try {
          // ready, and the start-up summary printed (/readyz turns 200 just before `run` prints it)
          return get(http, port, "/readyz").statusCode() == 200
              && Files.readString(log, StandardCharsets.UTF_8).contains("Ready in");
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(get(http, port, "/healthz").statusCode()).isEqualTo(200);
      // it ran as the image's user on a root it cannot write: the data went to the tmpfs volume
      assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("user 65532:65532")
          .contains("Data dir      /var/lib/killswitch");
    } finally {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The image configuration (the OCI/Docker config JSON) named by the tarball's manifest.json. */
  private JsonNode config() throws Exception {
    extract("manifest.json");
    JsonNode manifest = Json.mapper().readTree(dir.resolve("manifest.json").toFile());
    assertThat(manifest).hasSize(1);
    String config = manifest.get(0).get("Config").asText();
    extract(config);
    return Json.mapper().readTree(dir.resolve(config).toFile());
  }

  private void extract(String member) throws Exception {
    Process p = new ProcessBuilder("tar", "-xf", image().toString(), "-C", dir.toString(), member)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("tar -xf %s %s: %s", image(), member, out).isZero();
  }

  private static Path image() {
    Path image = Path.of(System.getProperty(IMAGE));
    assertThat(image).as("the image tarball Jib built").isRegularFile();
    return image;
  }

  private static List<String> fieldNames(JsonNode object) {
    assertThat(object).isNotNull();
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    assertThat(array).isNotNull();
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
