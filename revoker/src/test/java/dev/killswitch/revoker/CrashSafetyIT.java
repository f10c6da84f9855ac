package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a 100-action fan-out: the revoker runs in a child JVM that is killed with SIGKILL
 * ({@link Process#destroyForcibly()}) once some of the effects happened; a second one takes over; every action
 * ends {@code revoked} and each target got exactly one effect.
 */
@ExtendWith(KafkaClusterExtension.class)
class CrashSafetyIT {

  static final int FAN_OUT = 100;
  static final int KILL_AFTER = 30;

  final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void killedMidFanOutTheNextRevokerFinishesEveryActionWithOneEffectPerTarget(KafkaTestCluster kafka,
                                                                             @TempDir Path dir) throws Exception {
    try (Harness h = new Harness(kafka, Clock.systemUTC(), c -> c)) {
      Path effects = dir.resolve("effects.txt");
      String run = Harness.run("crash-" + UUID.randomUUID());
      List<String> keys = IntStream.range(0, FAN_OUT).mapToObj(i -> Harness.accessKey(String.format("K%03d", i)
          + UUID.randomUUID().toString().substring(0, 6))).toList();
      h.publishChainOf(run, keys);

      Process first = startRevoker(kafka, h, effects, dir.resolve("first.log"));
      String requestId = h.request(run, Mode.ENFORCE);
      await().atMost(Harness.MAX).pollInterval(Duration.ofMillis(5)).until(() -> lines(effects).size() >= KILL_AFTER);
      first.destroyForcibly().waitFor();
      int effectsAtKill = lines(effects).size();
      assertThat(effectsAtKill).as("the kill must land mid fan-out").isLessThan(FAN_OUT);

      startRevoker(kafka, h, effects, dir.resolve("second.log"));

      await().atMost(Harness.MAX).untilAsserted(() -> {
        Map<String, RevocationResult> results = h.latest(requestId);
        assertThat(results).hasSize(FAN_OUT);
        assertThat(results.values()).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED));
      });
      List<String> targets = lines(effects).stream().map(l -> l.split(" ")[1]).toList();
      assertThat(targets).hasSize(FAN_OUT).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(keys);
    }
  }

  Process startRevoker(KafkaTestCluster kafka, Harness h, Path effects, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
        CrashRevokerMain.class.getName(), kafka.bootstrapServers(), h.topics.prefix(), h.config.groupIdPrefix(),
        effects.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    children.add(p);
    await().atMost(Harness.MAX).pollInterval(Duration.ofMillis(20)).until(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("the revoker JVM exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      return Files.readString(log).contains("READY");
    });
    return p;
  }

  static List<String> lines(Path file) throws IOException {
    File f = file.toFile();
    if (!f.exists()) {
      return List.of();
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
        .collect(Collectors.toList());
  }
}
