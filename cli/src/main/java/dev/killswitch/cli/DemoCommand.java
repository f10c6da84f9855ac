package dev.killswitch.cli;

import ch.qos.logback.classic.Level;
import dev.killswitch.cli.Settings.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code killswitch demo}: everything on the embedded broker with its own data directory and simulated clouds
 * ({@link Demo.Clouds}: the revoker's AWS and GCP providers call the testkit's fakes), the demo's story
 * ({@link Demo}) in enforce mode, then the chain explorer stays up until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a complete scenario in under a minute: a GitHub Actions run deploys to a Kubernetes cluster and",
        "reaches AWS and GCP; the job completes and everything it reached is revoked (enforce mode). Then the chain",
        "explorer stays up. AWS IAM and Google IAM are simulated in process (the testkit's wire-protocol fakes): the",
        "demo prints the calls a real cloud would have received. Uses its own data directory (a new temporary one,",
        "deleted at the end, unless --data-dir)."})
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port for the API and the explorer (default ${DEFAULT-VALUE}; a free one when taken)")
  int port;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "an empty or new directory to keep the demo's data in (kept afterwards)")
  Path dataDir;

  @Option(names = "--exit", description = "stop once the scenario has played instead of leaving the explorer up")
  boolean exitAfter;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    quietLogs();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("killswitch-demo-") : prepare(dataDir);
    Demo.Clouds clouds = Demo.Clouds.start();
    Settings settings = Settings.load(clouds.writeSettings(dir), Map.of("KILLSWITCH_DATA_DIR", dir.toString(),
        "KILLSWITCH_HTTP_PORT", String.valueOf(isFree(port) ? port : 0), "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
    out.println("Killswitch demo: a GitHub Actions run of acme/payments deploys to the EKS cluster " + Demo.CLUSTER
        + ", reaches AWS (IRSA)");
    out.println("and GCP (workload identity federation), and completes; Killswitch revokes what it reached (enforce mode).");
    out.printf("[%5.1fs] simulating AWS IAM (account %s, role %s) at %s and Google IAM (projects %s, %s) in process%n",
        (System.nanoTime() - t0) / 1e9, Demo.AWS_ACCOUNT, Demo.AWS_ROLE, clouds.aws.endpoint(), Demo.GCP_PROJECT,
        Demo.GCP_POOL_PROJECT);
    out.printf("[%5.1fs] starting Killswitch: embedded Kafka, ingest, correlator, revoker (data in %s)%n",
        (System.nanoTime() - t0) / 1e9, dir);
    out.flush();
    Application app;
    try {
      app = Application.start(settings, EnumSet.allOf(Role.class),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Demo.TUNING);
    } catch (RuntimeException e) {
      clouds.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      clouds.close();
      if (temporary) {
        delete(dir);
      }
      stopped.countDown();
    }, "killswitch-demo-shutdown"));
    out.printf("[%5.1fs] ready at %s%n", (System.nanoTime() - t0) / 1e9, app.url());
    out.flush();

    new Demo(app, clouds, dir, out, t0).play();

    out.println();
    out.printf("Played in %.1f s. The chain explorer: %s/#ref=%s%n", (System.nanoTime() - t0) / 1e9, app.url(), Demo.RUN);
    out.println("API token for the page (this demo's own, in " + dir.resolve("secrets").resolve(Secret.API_TOKEN.fileName())
        + "):");
    out.println("  " + app.secret(Secret.API_TOKEN));
    out.println("From another terminal: KILLSWITCH_DATA_DIR=" + dir + " ./killswitch chains find " + Demo.TOKEN
        + " --url " + app.url());
    if (exitAfter) {
      out.flush();
      return Killswitch.EXIT_OK;   // the shutdown hook closes and cleans up
    }
    out.println("Ctrl-C stops the demo" + (temporary ? " and deletes its data directory." : "."));
    out.flush();
    stopped.await();
    return Killswitch.EXIT_OK;
  }

  /** The demo's own directory: new, or empty. Never someone's real data directory. */
  private static Path prepare(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw CliException.usage("--data-dir " + dir + " is not empty: the demo needs a new or empty directory");
        }
      }
    }
    return Files.createDirectories(dir).toAbsolutePath();
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The demo prints its own story; the services' INFO lines and Kafka's warnings about a broker that is starting
   * would bury it. With KILLSWITCH_LOG_LEVEL set, logging stays as configured.
   */
  private static void quietLogs() {
    if (System.getenv("KILLSWITCH_LOG_LEVEL") != null) {
      return;
    }
    for (String name : new String[] {"dev.killswitch", "org.apache.kafka", "kafka", "state.change.logger"}) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(Level.ERROR);
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
