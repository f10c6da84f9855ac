package dev.killswitch.revoker.bench;

import ch.qos.logback.classic.Level;
import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.Revoker;
import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.TopicProvisioner;
import dev.killswitch.schemas.Topics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bench mains share: the machine, a Kafka broker (in-process KRaft unless {@code -Dbench.bootstrap=...}),
 * a revoker with its HTTP server, percentiles. Benchmarks run on demand, never in CI.
 */
final class BenchSupport implements AutoCloseable {

  static final String AUTHZ_TOKEN = "bench-authz-token";
  static final String REVOKER_TOKEN = "bench-revoker-token";

  private static final String STARTED = "bench.started";
  final java.util.concurrent.ConcurrentLinkedQueue<Long> serverSide = new java.util.concurrent.ConcurrentLinkedQueue<>();
  volatile boolean recordServerSide;
  final String bootstrap;
  final Topics topics;
  final Revoker revoker;
  final Javalin http;
  private final KafkaClusterTestKit kit;
  private final Admin admin;

  BenchSupport(ProviderRegistry providers) throws Exception {
    quietLogs();
    String external = System.getProperty("bench.bootstrap");
    if (external == null) {
      TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
          .setBrokerListenerName(new ListenerName("EXTERNAL")).build();
      KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes)
          .setConfigProp("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0");
      Map.of("offsets.topic.replication.factor", "1", "transaction.state.log.replication.factor", "1",
          "transaction.state.log.min.isr", "1", "min.insync.replicas", "1", "default.replication.factor", "1",
          "group.initial.rebalance.delay.ms", "0", "auto.create.topics.enable", "false").forEach(b::setConfigProp);
      kit = b.build();
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
      bootstrap = "127.0.0.1:" + kit.brokers().values().iterator().next().boundPort(ListenerName.normalised("EXTERNAL"));
    } else {
      kit = null;
      bootstrap = external;
    }
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8));
    TopicProvisioner.ensure(admin, topics, 30);
    ApiAccess access = new ApiAccess(List.of(new ApiAccess.Grant(AUTHZ_TOKEN, Set.of(Role.AUTHZ)),
        new ApiAccess.Grant(REVOKER_TOKEN, Set.of(Role.REVOKER, Role.ANALYST))));
    // The per-minute budget (2000 by default) would skip the later runs' actions: lift it for the bench.
    revoker = new Revoker(RevokerConfig.defaults(access).withGroupIdPrefix(topics.prefix() + "-revoker")
        .withMaxActionsPerMinute(1_000_000), topics,
        kafkaProps(), new SimpleMeterRegistry(), Clock.systemUTC(), providers);
    http = Javalin.create(cfg -> {
      revoker.addRoutes(cfg.routes);
      // Server-side time of the webhook route: from the first handler to the last, without HTTP parsing and
      // writing, nor the client's side and the wire.
      cfg.routes.before("/v1/k8s/authorize/*", ctx -> ctx.attribute(STARTED, System.nanoTime()));
      cfg.routes.after("/v1/k8s/authorize/*", ctx -> {
        Long started = ctx.attribute(STARTED);
        if (started != null && recordServerSide) {
          serverSide.add(System.nanoTime() - started);
        }
      });
    }).start("127.0.0.1", 0);
    revoker.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!revoker.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("revoker not ready in 60 s");
      }
      Thread.sleep(50);
    }
  }

  Map<String, Object> kafkaProps() {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    String linger = System.getProperty("bench.linger.ms");
    if (linger != null) {
      p.put("linger.ms", Integer.parseInt(linger));
    }
    return p;
  }

  String url(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }

  static void printMachine() {
    System.out.printf("machine: %d cores (availableProcessors), %s %s (%s), %s %s, max heap %d MiB%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("os.name"),
        System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("jvm args: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    try {
      System.out.println("load average (1/5/15 min) at start: "
          + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    } catch (java.io.IOException | RuntimeException e) {
      System.out.println("load average: unknown");
    }
  }

  /** The value at the percentile (0..100) of the sorted copy, nearest-rank. */
  static double percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static void quietLogs() {
    Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(Level.WARN);
    }
    Logger ours = LoggerFactory.getLogger("dev.killswitch");
    if (ours instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(Level.WARN);
    }
  }

  @Override
  public void close() {
    http.stop();
    revoker.close();
    admin.close();
    if (kit != null) {
      try {
        kit.close();
      } catch (Exception e) {
        System.err.println("closing Kafka: " + e);
      }
    }
  }
}
