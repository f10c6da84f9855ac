package dev.killswitch.ingest.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.AuditSamples;
import dev.killswitch.ingest.Ingest;
import dev.killswitch.ingest.IngestServer;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.TopicProvisioner;
import dev.killswitch.schemas.Topics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Benchmark (not a test): Kubernetes audit events per second through {@code POST /v1/ingest/k8s-audit/{cluster}}
 * (EventList batches of 100 realistic ~1.5 KB events, N concurrent HTTP clients, each request answered only after
 * Kafka acknowledged all its events) beside two baselines to the same broker with the same producer settings
 * ({@link Ingest#producerDefaults()}: acks=all, idempotent, lz4, linger 5 ms): an HTTP pass-through on the same
 * server (same Javalin/Jetty, same clients and bodies; the body read and split into its items with ingest's
 * streaming parse, each item's bytes sent unchanged as one record keyed by its actor as ingest keys it, 200 after
 * every acknowledgement: what any webhook-to-Kafka bridge does, without normalization, redaction or CloudEvent
 * encoding), and a plain KafkaProducer sending the same event bytes with the same keys.
 *
 * <p>Options: {@code --bootstrap host:port} (default: an in-process single-node KRaft broker, as the testkit
 * starts), {@code --events N} (per measured run, default 100000), {@code --clients N} (default 4),
 * {@code --batch N} (default 100), {@code --rounds N} (default 3; the best round of each side is reported),
 * {@code --producer key=value,...} (producer settings over the defaults, for both producers alike).
 * How to run it: ingest/README.md, "Benchmark".
 */
public final class IngestBench {

  private static final String CLUSTER = "bench";

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int events = Integer.parseInt(opts.getOrDefault("events", "100000"));
    int clients = Integer.parseInt(opts.getOrDefault("clients", "4"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "100"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    Map<String, String> producerOverrides = producerOverrides(opts.getOrDefault("producer", ""));
    KafkaClusterTestKit kit = null;
    String bootstrap = opts.get("bootstrap");
    if (bootstrap == null) {
      kit = startBroker();
      bootstrap = "127.0.0.1:" + kit.brokers().values().iterator().next().boundPort(ListenerName.normalised("EXTERNAL"));
    }
    try {
      run(bootstrap, kit != null, events, clients, batch, rounds, producerOverrides);
    } finally {
      if (kit != null) {
        kit.close();
      }
    }
  }

  private static void run(String bootstrap, boolean embedded, int events, int clients, int batch, int rounds,
                          Map<String, String> producerOverrides) throws Exception {
    Topics topics = new Topics("bench-" + UUID.randomUUID().toString().substring(0, 8));
    Topics rawTopics = new Topics(topics.prefix() + "-raw");
    Topics passTopics = new Topics(topics.prefix() + "-pass");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, 60);
      TopicProvisioner.ensure(admin, rawTopics, 60);
      TopicProvisioner.ensure(admin, passTopics, 60);
    }
    Map<String, Object> props = Ingest.producerDefaults();
    props.put("bootstrap.servers", bootstrap);
    props.putAll(producerOverrides);
    Events template = new Events();
    try (Producer<String, byte[]> ingestProducer = new KafkaProducer<>(props);
         Producer<String, byte[]> passProducer = new KafkaProducer<>(props);
         Producer<String, byte[]> rawProducer = new KafkaProducer<>(props)) {
      Ingest ingest = new Ingest(IngestServer.config(), topics, ingestProducer, new SimpleMeterRegistry(),
          Clock.systemUTC());
      PassThrough passThrough = new PassThrough(passProducer, passTopics.k8sEvents());
      Javalin app = Javalin.create(cfg -> {
        ingest.addRoutes(cfg.routes);
        cfg.routes.post(PassThrough.PATH, passThrough);
      }).start("127.0.0.1", 0);
      try {
        PassThrough.checkKeys(template);
        Http http = new Http(app.port(), clients);
        URI ingestUri = http.uri("/v1/ingest/k8s-audit/" + CLUSTER);
        URI passUri = http.uri(PassThrough.PATH.replace("{cluster}", CLUSTER));
        int warmup = Math.max(batch * clients, Math.max(20_000, events / 5));
        http.send(ingestUri, bodies(template, warmup, batch), batch);
        http.send(passUri, bodies(template, warmup, batch), batch);
        raw(rawProducer, rawTopics.k8sEvents(), new Keyed(template, warmup));
        double bestHttp = 0;
        double bestPass = 0;
        double bestRaw = 0;
        for (int r = 1; r <= rounds; r++) {
          // the bodies and records are made before each side's clock and CPU count start
          List<byte[]> ingestBodies = bodies(template, events, batch);
          CpuSplit ingestCpu = new CpuSplit();
          double h = http.send(ingestUri, ingestBodies, batch);
          String ingestSplit = ingestCpu.perEvent(events);
          List<byte[]> passBodies = bodies(template, events, batch);
          CpuSplit passCpu = new CpuSplit();
          double p = http.send(passUri, passBodies, batch);
          String passSplit = passCpu.perEvent(events);
          Keyed rawRecords = new Keyed(template, events);
          CpuSplit rawCpu = new CpuSplit();
          double k = raw(rawProducer, rawTopics.k8sEvents(), rawRecords);
          String rawSplit = rawCpu.perEvent(events);
          System.out.printf(Locale.ROOT, "round %d: ingest %.0f events/s, raw producer %.0f events/s, ratio %.2f, load %s%n",
              r, h, k, h / k, loadAverage());
          System.out.printf(Locale.ROOT, "  HTTP pass-through %.0f events/s, ingest/pass-through %.2f, pass-through/raw %.2f%n",
              p, h / p, p / k);
          System.out.printf(Locale.ROOT, "  CPU per event, ingest side:  %s%n", ingestSplit);
          System.out.printf(Locale.ROOT, "  CPU per event, pass-through: %s%n", passSplit);
          System.out.printf(Locale.ROOT, "  CPU per event, raw side:     %s%n", rawSplit);
          bestHttp = Math.max(bestHttp, h);
          bestPass = Math.max(bestPass, p);
          bestRaw = Math.max(bestRaw, k);
        }
        http.close();
        System.out.println();
        System.out.printf(Locale.ROOT, "events per run     %d (batches of %d, %d HTTP clients), %d rounds after a warm-up of %d%n",
            events, batch, clients, rounds, warmup);
        System.out.printf(Locale.ROOT, "event size         %.0f bytes on average (audit.k8s.io/v1 Event JSON)%n",
            template.averageSize());
        System.out.printf(Locale.ROOT, "ingest webhook     %.0f events/s to Kafka acknowledgement (best round)%n", bestHttp);
        System.out.printf(Locale.ROOT, "HTTP pass-through  %.0f events/s, same server, clients and bodies; items sent as they are (best round)%n",
            bestPass);
        System.out.printf(Locale.ROOT, "raw KafkaProducer  %.0f events/s, same bytes and keys, same producer settings (best round)%n",
            bestRaw);
        System.out.printf(Locale.ROOT, "ratio              %.2f (ingest / raw producer)%n", bestHttp / bestRaw);
        System.out.printf(Locale.ROOT, "ratio              %.2f (ingest / HTTP pass-through), pass-through / raw %.2f%n",
            bestHttp / bestPass, bestPass / bestRaw);
        System.out.printf(Locale.ROOT, "producer overrides %s (both producers)%n",
            producerOverrides.isEmpty() ? "none" : producerOverrides);
        System.out.printf(Locale.ROOT, "broker             %s%n", embedded ? "in-process KRaft (single node, same JVM)"
            : bootstrap);
        System.out.printf(Locale.ROOT, "machine            %d cores (%s), %s %s, %s %s, heap max %d MiB%n",
            Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.vm.name"),
            System.getProperty("java.runtime.version"), System.getProperty("os.name"), System.getProperty("os.arch"),
            Runtime.getRuntime().maxMemory() / (1024 * 1024));
      } finally {
        app.stop();
      }
    }
  }

  /** Realistic audit events: a bound-token Secret read and a TokenRequest, 2:1, each with a unique auditID. */
  public static final class Events {
    private final String[] templates;
    private final AtomicInteger seq = new AtomicInteger();
    private long bytes;
    private long count;

    public Events() {
      templates = new String[] {compact(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN),
          compact(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN), compact(AuditSamples.TOKEN_REQUEST)};
    }

    private static String compact(String json) {
      try {
        ObjectNode n = (ObjectNode) Json.mapper().readTree(json);
        n.put("auditID", "@ID@");
        return Json.mapper().writeValueAsString(n);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** The next event as JSON bytes. */
    byte[] next() {
      int i = seq.incrementAndGet();
      byte[] b = templates[i % templates.length].replace("@ID@", String.format(Locale.ROOT, "bench-%010d", i))
          .getBytes(StandardCharsets.UTF_8);
      synchronized (this) {
        bytes += b.length;
        count++;
      }
      return b;
    }

    synchronized double averageSize() {
      return count == 0 ? 0 : (double) bytes / count;
    }
  }

  /** An EventList of the next {@code batch} events, as an apiserver's webhook backend posts it. */
  public static byte[] eventList(Events events, int batch) {
    StringBuilder b = new StringBuilder(batch * 1700)
        .append("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[");
    for (int i = 0; i < batch; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(new String(events.next(), StandardCharsets.UTF_8));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The next {@code n} events as EventList bodies of {@code batch}. */
  private static List<byte[]> bodies(Events events, int n, int batch) {
    List<byte[]> bodies = new ArrayList<>(n / batch);
    for (int r = 0; r < n / batch; r++) {
      bodies.add(eventList(events, batch));
    }
    return bodies;
  }

  /** The next {@code n} events' bytes, each with its actor as ingest names it (the record key ingest uses). */
  private static final class Keyed {
    final List<byte[]> values;
    final List<String> keys;

    Keyed(Events events, int n) throws java.io.IOException {
      values = new ArrayList<>(n);
      keys = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] value = events.next();
        values.add(value);
        keys.add(PassThrough.actorKey(CLUSTER, Json.mapper().readTree(value)));
      }
    }
  }

  /**
   * The plain producer: every event as a record keyed by its actor, as ingest keys it (same keys, so the same
   * partitions), then every ack.
   */
  private static double raw(Producer<String, byte[]> producer, String topic, Keyed records) throws Exception {
    int n = records.values.size();
    long t0 = System.nanoTime();
    List<Future<RecordMetadata>> acks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      acks.add(producer.send(new ProducerRecord<>(topic, records.keys.get(i), records.values.get(i))));
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /** N clients, each posting EventList batches one after another, as apiservers do. */
  private static final class Http implements AutoCloseable {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final int clients;
    private final ExecutorService pool;

    Http(int port, int clients) {
      this.port = port;
      this.clients = clients;
      this.pool = Executors.newFixedThreadPool(clients);
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Posts every body ({@code batch} events each), {@code clients} at a time; events per second to the last 200. */
    double send(URI uri, List<byte[]> bodies, int batch) throws Exception {
      int requests = bodies.size();
      long events = (long) requests * batch;
      AtomicInteger next = new AtomicInteger();
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(pool.submit(() -> {
          for (int r; (r = next.getAndIncrement()) < requests; ) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + IngestServer.INGEST_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(r))).build(),
                HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
              throw new IllegalStateException(uri.getPath() + " answered " + response.statusCode() + ": "
                  + response.body());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return events / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  private static KafkaClusterTestKit startBroker() throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
        .setBrokerListenerName(new ListenerName("EXTERNAL")).build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0");
    Map.of("offsets.topic.replication.factor", "1", "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1", "min.insync.replicas", "1", "default.replication.factor", "1",
        "auto.create.topics.enable", "false", "num.network.threads", "2", "num.io.threads", "4")
        .forEach(builder::setConfigProp);
    KafkaClusterTestKit kit = builder.build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    return kit;
  }

  /**
   * CPU time of this JVM's threads between construction and {@link #perEvent}, grouped by what the threads do
   * (by thread name), in microseconds per event: what each side costs whatever else the machine runs.
   */
  private static final class CpuSplit {
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = snapshot();

    private static Map<Long, Long> snapshot() {
      Map<Long, Long> out = new java.util.HashMap<>();
      for (long id : THREADS.getAllThreadIds()) {
        long t = THREADS.getThreadCpuTime(id);
        if (t >= 0) {
          out.put(id, t);
        }
      }
      return out;
    }

    private static String group(String name) {
      if (name.startsWith("JettyServerThreadPool")) {
        return "handlers";
      }
      if (name.startsWith("HttpClient") || name.startsWith("pool-")) {
        return "http clients";
      }
      if (name.startsWith("kafka-producer-network-thread")) {
        return "producer i/o";
      }
      if (name.startsWith("main")) {
        return "bench main";
      }
      if (name.startsWith("data-plane") || name.startsWith("kafka") || name.contains("raft")
          || name.startsWith("quorum") || name.startsWith("broker") || name.startsWith("log-")) {
        return "broker";
      }
      return "other";
    }

    String perEvent(int events) {
      Map<String, Long> byGroup = new java.util.TreeMap<>();
      long total = 0;
      for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info == null) {
          continue;
        }
        long now = THREADS.getThreadCpuTime(info.getThreadId());
        if (now < 0) {
          continue;
        }
        long used = now - start.getOrDefault(info.getThreadId(), 0L);
        byGroup.merge(group(info.getThreadName()), used, Long::sum);
        total += used;
      }
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f µs total", total / 1e3 / events));
      byGroup.forEach((g, ns) -> b.append(String.format(Locale.ROOT, ", %s %.1f", g, ns / 1e3 / events)));
      return b.toString();
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // not Linux: the core count is still printed
    }
    return "cpu model unknown";
  }

  /** {@code --producer batch.size=262144,linger.ms=1}: settings applied to both producers over the defaults. */
  private static Map<String, String> producerOverrides(String spec) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: IngestBench [--bootstrap host:port] [--events N] [--clients N]"
            + " [--batch N] [--rounds N] [--producer key=value,...]");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
