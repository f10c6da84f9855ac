package dev.killswitch.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code killswitch run}: everything in one JVM, on the embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Start ingest, correlator, revoker and the HTTP server in one JVM.",
        "Without KAFKA_BOOTSTRAP_SERVERS a single-node KRaft Kafka broker runs in-process, its data under the data directory."})
final class RunCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, description = "YAML settings file; environment variables override it")
  Path config;

  @picocli.CommandLine.Mixin
  TailOptions tail = new TailOptions();

  @Override
  public Integer call() throws Exception {
    return serve(config, EnumSet.allOf(Role.class), tail.specs());
  }

  /** Starts the roles, prints where everything is, and blocks until Ctrl-C / SIGTERM. */
  static int serve(Path config, EnumSet<Role> roles, java.util.List<Application.AuditLogTail> tails)
      throws InterruptedException {
    Settings settings = Settings.load(config, System.getenv());
    // The hook is in place before anything starts: a SIGTERM while starting stops what has started (the embedded
    // broker cleanly, so that the next start does not recover its log).
    AtomicReference<Application> app = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("killswitch: stopping...");
      Application started = app.get();
      if (started != null) {
        started.close();
      }
      stopped.countDown();
    }, "killswitch-shutdown"));
    Application.start(settings, roles, System.out, Application.Tuning.NONE.withTails(tails), app::set);
    stopped.await();
    return Killswitch.EXIT_OK;
  }
}
