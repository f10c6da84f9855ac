package dev.killswitch.revoker;

import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationAction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A revoker in its own JVM for {@link CrashSafetyIT}, which kills it with SIGKILL. Arguments: bootstrap servers,
 * topic prefix, consumer-group prefix, the effects file. Prints {@code READY} once the revoker is ready, then runs
 * until killed.
 */
public final class CrashRevokerMain {

  public static final String ACTION = "aws.deactivate-access-key";

  private CrashRevokerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    // A killed member leaves its group only when its session times out: keep that short (the broker's minimum).
    props.put("session.timeout.ms", 6000);
    props.put("heartbeat.interval.ms", 1000);
    RevokerConfig config = RevokerConfig.defaults(Harness.ACCESS).withGroupIdPrefix(args[2]).withExecutorThreads(2);
    Revoker revoker = new Revoker(config, new Topics(args[1]), props, new SimpleMeterRegistry(), Clock.systemUTC(),
        new ProviderRegistry().register(new FileEffectsProvider(Path.of(args[3]), Duration.ofMillis(40))));
    revoker.start();
    while (!revoker.isReady()) {
      Thread.sleep(20);
    }
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join();
  }

  /**
   * A provider whose effect is a line {@code <actionId> <target>} appended to a file, which survives the JVM. Like
   * a real provider it is idempotent: a call for an action whose effect is already there changes nothing (the
   * revoker repeats a call when it died between the call and the recorded result).
   */
  static final class FileEffectsProvider implements RevocationProvider {
    private final Path file;
    private final Duration latency;
    private final Set<String> applied = new HashSet<>();

    FileEffectsProvider(Path file, Duration latency) throws IOException {
      this.file = file;
      this.latency = latency;
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          applied.add(line.split(" ")[0]);
        }
      }
    }

    @Override
    public String actionId() {
      return ACTION;
    }

    @Override
    public Outcome execute(RevocationAction action) {
      try {
        Thread.sleep(latency.toMillis());   // the latency of a cloud API call
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome.RetriableFailure("interrupted");
      }
      synchronized (this) {
        if (applied.contains(action.actionId())) {
          return new Outcome.Revoked("key set Inactive (already, by this action)");
        }
        try {
          Files.write(file, List.of(action.actionId() + " " + action.target()), StandardCharsets.UTF_8,
              StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        applied.add(action.actionId());
        return new Outcome.Revoked("key set Inactive");
      }
    }
  }
}
