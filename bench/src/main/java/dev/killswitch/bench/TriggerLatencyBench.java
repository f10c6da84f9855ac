package dev.killswitch.bench;

import dev.killswitch.cli.Application;
import dev.killswitch.cli.Role;
import dev.killswitch.cli.Settings;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.correlator.CorrelatorConfig;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Trigger-to-revoked latency under background load, end to end in one process as {@code killswitch run} starts it
 * ({@link Application}, all roles, the embedded broker, fresh data directory), the job-completed trigger in enforce
 * mode. The load generator and the result reader run in the same JVM.
 *
 * <p>Background: Kubernetes audit uses of {@code --pool} service-account tokens and CloudTrail S3 calls of
 * {@code --pool} IRSA sessions, half each, posted to ingest in batches of {@code --batch} at {@code --rate} events/s
 * by {@code --senders} threads (a batch late on its schedule goes at once, so the achieved rate is what ingest
 * accepted). Probes, every {@code --probe-ms}: a CI run's job in progress and the TokenRequest its job makes, then
 * one second later the job completed (signed GitHub webhook); latency is from sending the completion to reading
 * the {@code revoked} result of the run's token on {@code killswitch.revocation.results} (the revoker's
 * {@code k8s.deny-token}, which writes the denylist). The correlator's consumer lag on the three event topics is
 * sampled every 2 s. Each rate runs in a fresh process state: warm-up, then the measured window, then up to
 * {@code --drain-s} for the last probes.
 *
 * <pre>--rates 0,5000,1000 --warmup-s 30 --measure-s 120 --probe-ms 500 --pool 2000 --batch 100 --senders 4</pre>
 */
public final class TriggerLatencyBench {

  private TriggerLatencyBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Bench.begin(args, Map.of("--rates", "0,5000,1000", "--warmup-s", "30",
        "--measure-s", "120", "--probe-ms", "500", "--pool", "2000", "--batch", "100", "--senders", "4",
        "--drain-s", "120"));
    for (String rate : o.get("--rates").split(",")) {
      new Run(Integer.parseInt(rate.trim()), o).run();
    }
    System.exit(0);
  }

  private static final class Run {
    private final int rate;
    private final int warmupS;
    private final int measureS;
    private final int probeMs;
    private final int pool;
    private final int batch;
    private final int senders;
    private final int drainS;
    private final Sources sources = new Sources();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    /** Token reference to the nanoTime its run's completion was sent, for probes of the measured window. */
    private final Map<String, Long> measured = new ConcurrentHashMap<>();
    private final Set<String> warmup = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    /** Background batches handed out to the senders so far (batch i is due at start + i * batch / rate). */
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong probeRefused = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile boolean measuring;

    Run(int rate, Map<String, String> o) {
      this.rate = rate;
      warmupS = Integer.parseInt(o.get("--warmup-s"));
      measureS = Integer.parseInt(o.get("--measure-s"));
      probeMs = Integer.parseInt(o.get("--probe-ms"));
      pool = Integer.parseInt(o.get("--pool"));
      batch = Integer.parseInt(o.get("--batch"));
      senders = Integer.parseInt(o.get("--senders"));
      drainS = Integer.parseInt(o.get("--drain-s"));
    }

    void run() throws Exception {
      Path dir = Bench.tempDir("killswitch-trigger-bench");
      Settings settings = Settings.load(null, Map.of("KILLSWITCH_DATA_DIR", dir.toString(),
          "KILLSWITCH_HTTP_PORT", "0", "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
      System.out.printf("%n== background %d events/s (load average %s)%n", rate, Bench.loadAverage());
      long t0 = System.nanoTime();
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      try (Application app = Application.start(settings, EnumSet.allOf(Role.class), quiet,
              new Application.Tuning(RevocationRequested.Mode.ENFORCE, Map.of()));
           Admin admin = Admin.create(Map.of("bootstrap.servers", app.bootstrapServers()))) {
        System.out.printf("started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Topics topics = new Topics(settings.topicPrefix());
        String base = app.url();
        Bench.ResultReader reader = Bench.readResults(app.bootstrapServers(), topics.revocationResults(), false,
            (result, now) -> {
              if (result.outcome() == RevocationResult.Outcome.REVOKED) {
                Long sent = measured.remove(result.target());
                if (sent != null) {
                  latencies.add(now - sent);
                }
              }
            });
        List<Thread> load = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < senders && rate > 0; i++) {
          load.add(startSender(base, app.secret(Secret.INGEST_TOKEN), start, i));
        }
        ScheduledExecutorService probes = Executors.newScheduledThreadPool(2);
        AtomicLong runIds = new AtomicLong(System.currentTimeMillis() * 1000);
        String githubSecret = app.secret(Secret.GITHUB_SECRET);
        String ingestToken = app.secret(Secret.INGEST_TOKEN);
        probes.scheduleAtFixedRate(() -> probe(probes, base, ingestToken, githubSecret, runIds.incrementAndGet()),
            0, probeMs, TimeUnit.MILLISECONDS);

        List<long[]> lag = new ArrayList<>();
        long warmEnd = start + TimeUnit.SECONDS.toNanos(warmupS);
        long measureEnd = warmEnd + TimeUnit.SECONDS.toNanos(measureS);
        long acceptedAtMeasureStart = -1;
        long nextPrint = start;
        while (System.nanoTime() < measureEnd) {
          if (acceptedAtMeasureStart < 0 && System.nanoTime() >= warmEnd) {
            acceptedAtMeasureStart = accepted.get();
            measuring = true;
          }
          long l = correlatorLag(admin, topics);
          long sec = (System.nanoTime() - start) / 1_000_000_000L;
          if (measuring) {
            lag.add(new long[] {sec, l});
          }
          if (System.nanoTime() >= nextPrint) {
            System.out.printf("  +%3ds accepted %,d events, correlator lag %,d, probes revoked %d, load %s%n", sec,
                accepted.get(), l, latencies.size(), Bench.loadAverage());
            nextPrint += 10_000_000_000L;
          }
          Thread.sleep(2000);
        }
        measuring = false;
        long acceptedInWindow = accepted.get() - Math.max(acceptedAtMeasureStart, 0);
        stop.set(true);
        probes.shutdownNow();
        for (Thread t : load) {
          t.join();
        }
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainS);
        while (!measured.isEmpty() && System.nanoTime() < drainEnd) {
          Thread.sleep(200);
        }
        reader.close();
        report(acceptedInWindow, lag);
      }
    }

    private void probe(ScheduledExecutorService probes, String base, String ingestToken, String githubSecret,
                       long runId) {
      if (stop.get()) {
        return;
      }
      String jti = UUID.randomUUID().toString();
      boolean counted = measuring;
      int a = postJob(base, githubSecret, runId, false);
      int b = Bench.post(http, base + "/v1/ingest/k8s-audit/" + Sources.CLUSTER, sources.tokenRequest(runId, jti),
          "Authorization", "Bearer " + ingestToken);
      if (a != 200 || b != 200) {
        probeRefused.incrementAndGet();
        return;
      }
      probes.schedule(() -> {
        String token = Sources.tokenRef(jti);
        if (counted) {
          measured.put(token, System.nanoTime());
        } else {
          warmup.add(token);
        }
        if (postJob(base, githubSecret, runId, true) != 200) {
          probeRefused.incrementAndGet();
          measured.remove(token);
        }
      }, 1, TimeUnit.SECONDS);
    }

    private int postJob(String base, String secret, long runId, boolean completed) {
      byte[] body = sources.job(runId, completed);
      return Bench.post(http, base + "/v1/ingest/github", body, "X-GitHub-Event", "workflow_job",
          "X-GitHub-Delivery", UUID.randomUUID().toString(), "X-Hub-Signature-256", Bench.githubSignature(secret, body));
    }

    private Thread startSender(String base, String ingestToken, long start, int index) {
      Thread t = new Thread(() -> {
        double nanosPerBatch = 1e9 * batch / rate;
        while (!stop.get()) {
          long i = batches.getAndIncrement();
          try {
            Bench.sleepUntil(start + (long) (i * nanosPerBatch));
          } catch (InterruptedException e) {
            return;
          }
          if (stop.get()) {
            return;
          }
          boolean audit = i % 2 == 0;
          byte[] body = audit ? sources.auditUses(Sources.keys(batch, i * batch, pool))
              : sources.cloudTrailUses(Sources.keys(batch, i * batch, pool));
          int status = Bench.post(http, base + (audit ? "/v1/ingest/k8s-audit/" + Sources.CLUSTER
              : "/v1/ingest/aws/cloudtrail"), body, "Authorization", "Bearer " + ingestToken);
          (status == 200 ? accepted : refused).addAndGet(batch);
        }
      }, "bench-sender-" + index);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private void report(long acceptedInWindow, List<long[]> lag) {
      long[] ms = latencies.stream().mapToLong(n -> n / 1_000_000).toArray();
      System.out.printf("background target %d events/s: achieved %.0f events/s in the %d s window (%,d accepted, "
          + "%,d refused over the whole run)%n", rate, acceptedInWindow / (double) measureS, measureS,
          acceptedInWindow, refused.get());
      if (!lag.isEmpty()) {
        int half = lag.size() / 2;
        double first = lag.subList(0, Math.max(half, 1)).stream().mapToLong(l -> l[1]).average().orElse(0);
        double second = lag.subList(half, lag.size()).stream().mapToLong(l -> l[1]).average().orElse(0);
        long max = lag.stream().mapToLong(l -> l[1]).max().orElse(0);
        System.out.printf("correlator lag (records behind on the event topics) in the window: start %,d, end %,d, "
            + "max %,d, mean first half %,.0f, second half %,.0f -> %s%n", lag.get(0)[1], lag.get(lag.size() - 1)[1],
            max, first, second, second > first * 1.5 && second > Math.max(2L * rate, 1000) ? "GROWING (rate not sustained)" : "bounded");
      }
      System.out.printf("probes: %d measured revoked, %d not revoked within %d s of the end, %d refused by ingest%n",
          ms.length, measured.size(), drainS, probeRefused.get());
      if (ms.length > 0) {
        System.out.printf("trigger -> revoked: p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms, min %.0f ms "
                + "(nearest rank over %d probes%s)%n", Bench.percentile(ms, 50), Bench.percentile(ms, 99),
            Bench.percentile(ms, 99.9), Bench.percentile(ms, 100), Bench.percentile(ms, 0), ms.length,
            ms.length < 1000 ? "; p99.9 is the max below 1000 probes" : "");
      }
      System.out.println("load average at end: " + Bench.loadAverage());
    }
  }

  /** Records the correlator's consumer group has not read yet on the event topics (0 before its first commit). */
  static long correlatorLag(Admin admin, Topics topics) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin
          .listConsumerGroupOffsets(CorrelatorConfig.DEFAULT_APPLICATION_ID).partitionsToOffsetAndMetadata()
          .get(5, TimeUnit.SECONDS);
      Set<String> inputs = Set.of(topics.k8sEvents(), topics.ciEvents(), topics.cloudEvents());
      Map<TopicPartition, OffsetSpec> ends = admin.describeTopics(inputs).allTopicNames().get(5, TimeUnit.SECONDS)
          .values().stream().flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
          .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
      long lag = 0;
      for (var e : admin.listOffsets(ends).all().get(5, TimeUnit.SECONDS).entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag += e.getValue().offset() - (c == null ? 0 : c.offset());
      }
      return lag;
    } catch (Exception e) {
      return -1;
    }
  }
}
