package dev.killswitch.bench;

import dev.killswitch.cli.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up time of the fat jar, from starting the {@code java -jar killswitch.jar <verb>} process to the first
 * {@code 200} of {@code GET /readyz} (polled every 20 ms), each process stopped with SIGTERM before the next:
 * <ul>
 *   <li>{@code run} cold: a fresh data directory (the embedded broker formats its storage, the topics and the
 *       secrets are created);</li>
 *   <li>{@code run} warm: the same data directory again (broker log, topics, secrets, Streams state exist);</li>
 *   <li>{@code ingest}, {@code correlator}, {@code revoker} alone against a broker that already has the topics
 *       (the embedded broker class started in this JVM; one unmeasured {@code ingest} start creates the topics
 *       first), each in a fresh data directory.</li>
 * </ul>
 * {@code --jar cli/target/killswitch.jar --reps 3 --java java}; extra JVM flags with {@code --jvm-flags "-Xmx1g"}.
 */
public final class StartupBench {

  private StartupBench() {}

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Bench.begin(args, Map.of("--jar", "cli/target/killswitch.jar", "--reps", "3",
        "--java", "java", "--jvm-flags", ""));
    Path jar = Path.of(o.get("--jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(jar + " not found: mvn -B -o -q -pl cli -am package -DskipTests");
    }
    int reps = Integer.parseInt(o.get("--reps"));
    List<String> java = new ArrayList<>(List.of(o.get("--java")));
    if (!o.get("--jvm-flags").isBlank()) {
      java.addAll(List.of(o.get("--jvm-flags").trim().split("\\s+")));
    }
    java.addAll(List.of("-jar", jar.toString()));
    Path work = Bench.tempDir("killswitch-startup-bench");

    List<String> table = new ArrayList<>();
    long[] cold = new long[reps];
    long[] warm = new long[reps];
    for (int i = 0; i < reps; i++) {
      Path dir = work.resolve("run-" + i);
      int kafkaPort = freePort();
      cold[i] = startToReady(java, "run", dir, Map.of("KILLSWITCH_EMBEDDED_KAFKA_PORT", Integer.toString(kafkaPort)));
      warm[i] = startToReady(java, "run", dir, Map.of("KILLSWITCH_EMBEDDED_KAFKA_PORT", Integer.toString(kafkaPort)));
    }
    table.add(row("run, cold (fresh data dir)", cold));
    table.add(row("run, warm restart", warm));

    try (EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("broker"), freePort())) {
      Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      startToReady(java, "ingest", work.resolve("topics"), env);
      for (String role : List.of("ingest", "correlator", "revoker")) {
        long[] t = new long[reps];
        for (int i = 0; i < reps; i++) {
          t[i] = startToReady(java, role, work.resolve(role + "-" + i), env);
        }
        table.add(row(role + " alone (broker up, topics exist)", t));
      }
    }
    System.out.println();
    System.out.println("| process | median to /readyz 200 | runs (ms) |");
    System.out.println("|---|---|---|");
    table.forEach(System.out::println);
    System.out.println("load average at end: " + Bench.loadAverage());
    System.exit(0);
  }

  private static String row(String what, long[] ms) {
    return String.format("| %s | %.1f s | %s |", what, Bench.percentile(ms, 50) / 1000.0,
        java.util.Arrays.toString(ms).replaceAll("[\\[\\]]", ""));
  }

  /** Milliseconds from starting the process to its first /readyz 200; the process is then stopped (SIGTERM). */
  private static long startToReady(List<String> java, String verb, Path dataDir, Map<String, String> env)
      throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    int port = freePort();
    List<String> cmd = new ArrayList<>(java);
    cmd.add(verb);
    Path log = dataDir.resolve("bench-" + verb + "-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> e = new HashMap<>(env);
    e.put("KILLSWITCH_DATA_DIR", dataDir.toString());
    e.put("KILLSWITCH_HTTP_HOST", "127.0.0.1");
    e.put("KILLSWITCH_HTTP_PORT", Integer.toString(port));
    pb.environment().putAll(e);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
      long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException(verb + " exited with " + p.exitValue() + "; see " + dataDir);
        }
        if (status(ready) == 200) {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          // /readyz answers before start-up has returned and installed the SIGTERM hook that stops the roles and
          // the broker cleanly; stopping before it would make the next (warm) start recover an unclean stop.
          while (!Files.readString(log).contains("Ctrl-C") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
          }
          System.out.printf("  %-10s %s: ready in %d ms (load %s)%n", verb, dataDir.getFileName(), ms,
              Bench.loadAverage());
          return ms;
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException(verb + " not ready in 180 s; see " + dataDir);
    } finally {
      p.destroy();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        System.out.println("  (stopped with SIGKILL: not stopped 90 s after SIGTERM)");
      } else if (!Files.readString(log).contains("killswitch: stopping")) {
        System.out.println("  (stopped before its shutdown hook was installed: an unclean stop)");
      }
    }
  }

  private static int status(URI uri) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
