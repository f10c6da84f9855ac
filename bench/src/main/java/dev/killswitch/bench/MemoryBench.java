package dev.killswitch.bench;

import dev.killswitch.cli.Application;
import dev.killswitch.cli.Role;
import dev.killswitch.cli.Settings;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.correlator.Correlator;
import dev.killswitch.correlator.CorrelatorConfig;
import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.Revoker;
import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.revoker.kubernetes.DenyTokenProvider;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;

/**
 * Heap of a running correlator + revoker after N distinct credentials. This JVM runs the embedded broker and
 * ingest ({@link Application}, role ingest); a child JVM ({@link Worker}) runs the correlator and the revoker as
 * {@code killswitch run} configures them (defaults, job-completed trigger in enforce mode, {@code k8s.deny-token}),
 * except the revoker's per-minute budget, lifted so that every run's action is taken. Each credential is a
 * Kubernetes token minted by the TokenRequest of its own CI run (GitHub), used three times (audit events carrying
 * its credential id), and revoked when the run's job completes (the denylist holds it). After each step of
 * {@code --steps} (cumulative run counts) the bench waits for the correlator's lag to reach 0 and for every
 * run's {@code revoked} result, then runs {@code jcmd <child> GC.run} (a full collection) and reads
 * {@code GC.heap_info}'s used heap and the child's resident set size (RocksDB's memory is off-heap: in RSS, not
 * in the heap).
 *
 * <pre>--steps 0,10000,20000,40000 --worker-heap 2g --chunk 200</pre>
 */
public final class MemoryBench {

  private MemoryBench() {}

  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Bench.begin(args, Map.of("--steps", "0,10000,20000,40000", "--worker-heap", "2g",
        "--chunk", "200", "--settle-s", "600"));
    Path dir = Bench.tempDir("killswitch-memory-bench");
    Settings settings = Settings.load(null, Map.of("KILLSWITCH_DATA_DIR", dir.resolve("ingest").toString(),
        "KILLSWITCH_HTTP_PORT", "0", "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (Application ingest = Application.start(settings, EnumSet.of(Role.INGEST), quiet);
         Admin admin = Admin.create(Map.of("bootstrap.servers", ingest.bootstrapServers()))) {
      Topics topics = new Topics(settings.topicPrefix());
      Path state = dir.resolve("worker");
      Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + o.get("--worker-heap"), "-cp", System.getProperty("java.class.path"), Worker.class.getName(),
          ingest.bootstrapServers(), state.toString())
          .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile())).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
        String line;
        do {
          line = out.readLine(); // log lines may come first
        } while (line != null && !line.equals("ready"));
        if (line == null) {
          throw new IllegalStateException("worker did not start; see " + dir.resolve("worker.log"));
        }
        AtomicLong revoked = new AtomicLong();
        Bench.ResultReader reader = Bench.readResults(ingest.bootstrapServers(), topics.revocationResults(), true,
            (result, now) -> {
              if (result.outcome() == RevocationResult.Outcome.REVOKED) {
                revoked.incrementAndGet();
              }
            });
        Sources sources = new Sources();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int chunk = Integer.parseInt(o.get("--chunk"));
        long sent = 0;
        long settleMs = TimeUnit.SECONDS.toMillis(Long.parseLong(o.get("--settle-s")));
        List<long[]> points = new ArrayList<>();
        System.out.println("| credentials (runs) | heap used after full GC | RSS | state dir on disk | load average |");
        System.out.println("|---|---|---|---|---|");
        for (String s : o.get("--steps").split(",")) {
          long target = Long.parseLong(s.trim());
          long t0 = System.nanoTime();
          while (sent < target) {
            int n = (int) Math.min(chunk, target - sent);
            sendRuns(http, ingest, sources, sent, n);
            sent += n;
          }
          long deadline = System.currentTimeMillis() + settleMs;
          while ((revoked.get() < target || TriggerLatencyBench.correlatorLag(admin, topics) != 0)
              && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
          }
          double took = (System.nanoTime() - t0) / 1e9;
          long[] heap = heapAfterGc(worker.pid());
          long rss = rssKb(worker.pid());
          long disk = du(state);
          points.add(new long[] {target, heap[1]});
          System.out.printf("| %,d | %.1f MiB (committed %.1f MiB) | %.1f MiB | %.1f MiB | %s |%n", target,
              heap[1] / 1024.0, heap[0] / 1024.0, rss / 1024.0, disk / 1048576.0, Bench.loadAverage());
          System.out.printf("   (step took %.0f s; revoked results %,d of %,d; correlator lag %d)%n", took,
              revoked.get(), target, TriggerLatencyBench.correlatorLag(admin, topics));
        }
        reader.close();
        if (points.size() >= 2) {
          long[] first = points.get(0);
          long[] last = points.get(points.size() - 1);
          double perCredentialKb = (last[1] - first[1]) / (double) (last[0] - first[0]);
          System.out.printf("heap growth %.2f KB per credential between %,d and %,d (measured); x 1,000,000 = "
              + "%.1f GB per million credentials (extrapolated linearly)%n", perCredentialKb, first[0], last[0],
              perCredentialKb * 1e6 / 1048576.0);
        }
      } finally {
        worker.destroy();
        if (!worker.waitFor(60, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
    }
    System.out.println("load average at end: " + Bench.loadAverage());
    System.exit(0);
  }

  /** Runs {@code first .. first + n - 1}: their TokenRequests and three uses each, then their jobs completed. */
  private static void sendRuns(HttpClient http, Application ingest, Sources sources, long first, int n)
      throws Exception {
    long[] keys = new long[n];
    long[] runIds = new long[n];
    long[] uses = new long[3 * n];
    for (int i = 0; i < n; i++) {
      keys[i] = first + i;
      runIds[i] = 5_000_000_000L + first + i;
      uses[3 * i] = uses[3 * i + 1] = uses[3 * i + 2] = first + i;
    }
    String token = "Bearer " + ingest.secret(Secret.INGEST_TOKEN);
    String audit = ingest.url() + "/v1/ingest/k8s-audit/" + Sources.CLUSTER;
    check(Bench.post(http, audit, sources.tokenRequests(runIds, keys), "Authorization", token));
    check(Bench.post(http, audit, sources.auditUses(uses, "deploy:deployer"), "Authorization", token));
    String secret = ingest.secret(Secret.GITHUB_SECRET);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (long runId : runIds) {
        answers.add(pool.submit(() -> {
          byte[] body = sources.job(runId, true);
          return Bench.post(http, ingest.url() + "/v1/ingest/github", body, "X-GitHub-Event", "workflow_job",
              "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256",
              Bench.githubSignature(secret, body));
        }));
      }
      for (Future<Integer> a : answers) {
        check(a.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  private static void check(int status) {
    if (status != 200) {
      throw new IllegalStateException("ingest answered " + status);
    }
  }

  /** {committed, used} heap in KB after {@code jcmd GC.run}. */
  private static long[] heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("no heap line in jcmd GC.heap_info: " + info);
    }
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  private static long rssKb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static long du(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /**
   * The child: correlator and revoker on the given broker, configured as {@code killswitch run} configures them
   * (job-completed in enforce mode), the revoker's per-minute budget lifted. Prints {@code ready}, then runs until
   * it is stopped.
   */
  public static final class Worker {

    private Worker() {}

    public static void main(String[] args) throws Exception {
      Bench.quietLogs();
      Map<String, Object> kafka = Map.of("bootstrap.servers", args[0]);
      Topics topics = Topics.defaults();
      ApiAccess access = new ApiAccess(List.of(new ApiAccess.Grant(UUID.randomUUID().toString(),
          EnumSet.allOf(dev.killswitch.schemas.Role.class))));
      Clock clock = Clock.systemUTC();
      Correlator correlator = new Correlator(CorrelatorConfig.defaults(Path.of(args[1]), access)
          .withTriggerMode(RevocationRequested.Mode.ENFORCE), topics, kafka, new SimpleMeterRegistry());
      Revoker revoker = new Revoker(RevokerConfig.defaults(access).withMaxActionsPerMinute(1_000_000), topics, kafka,
          new SimpleMeterRegistry(), clock, new ProviderRegistry().register(DenyTokenProvider.create(kafka, topics, clock)));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        revoker.close();
        correlator.close();
      }));
      correlator.start();
      revoker.start();
      while (!correlator.isReady() || !revoker.isReady()) {
        Thread.sleep(100);
      }
      System.out.println("ready");
      System.out.flush();
      Thread.currentThread().join();
    }
  }
}
