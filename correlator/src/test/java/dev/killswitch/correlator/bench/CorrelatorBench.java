package dev.killswitch.correlator.bench;

import dev.killswitch.correlator.Correlator;
import dev.killswitch.correlator.CorrelatorConfig;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.DedicatedKafkaCluster;
import dev.killswitch.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The correlator's benchmark, run on demand (not a test): {@code main} prints the figures docs/benchmarks.md
 * reports. On one Kafka broker (in-process, or {@code --bootstrap host:port}) it measures, in one run:
 *
 * <ol>
 *   <li>throughput: the same pre-produced input (BenchLoad, ten events per CI run) through a pass-through topology
 *       (read, decode the CloudEvent, encode, write; exactly-once v2), through the shape baseline (the same with
 *       two repartitions, by a node key and by a chain key, like the correlator's), through the state baseline (the
 *       shape baseline writing {@code --state-rows} new rows per event, default 6, to {@code --state-stores}
 *       persistent changelogged stores, default 1; 0 rows: not run) and through the correlator
 *       topology (exactly-once v2), each from start of processing until its consumer group has caught up with every
 *       topic it reads (inputs, repartition topics and the loop); the records each wrote to its repartition topics
 *       and changelogs, per input event; the CPU of the whole process per event (broker, clients, stream threads,
 *       the JVM's compilers and collector), by thread group; where the stream threads' time went (commits, polls).
 *       A warm-up round of the same four on an input of their own comes first ({@code --warmup-runs}), so that
 *       the measured round runs compiled code: in a cold JVM compiling the correlator costs more CPU than running
 *       it, and the cold pass-through spends two thirds of its CPU on compiling and class loading;</li>
 *   <li>state size: the correlator's state directory after that run (RocksDB, after close) and its changelog
 *       topics, per distinct credential (two per run), extrapolated to a million credentials;</li>
 *   <li>trigger latency: a fresh correlator under a steady background load (BenchLoad runs at {@code --rate}
 *       events/s), probed every {@code --probe-every} by a TokenRequest and, 5 s of event time later, the job's
 *       completion; latency = from producing the completion to reading its revocation request (read_committed).</li>
 * </ol>
 * Options: {@code --runs N} (default 5000), {@code --rate EVENTS_PER_S} (default 300), {@code --probes N} (default
 * 100), {@code --probe-every MS} (default 400), {@code --threads N} (num.stream.threads of every topology and
 * of the latency run, default 1), {@code --commit-ms MS} (commit.interval.ms of all of them, default Kafka Streams'
 * 100 under exactly-once), {@code --uses N} (token uses per run, default 3), {@code --warmup-runs N} (runs of the
 * warm-up round, default 5000; 0: none, the measured round runs cold), {@code --bootstrap host:port}.
 */
public final class CorrelatorBench {

  private static final Duration MAX = Duration.ofMinutes(30);

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    int runs = Integer.parseInt(opt.getOrDefault("runs", "5000"));
    int rate = Integer.parseInt(opt.getOrDefault("rate", "300"));
    int probes = Integer.parseInt(opt.getOrDefault("probes", "100"));
    long probeEvery = Long.parseLong(opt.getOrDefault("probe-every", "400"));
    threads = Integer.parseInt(opt.getOrDefault("threads", "1"));
    BenchLoad.uses = Integer.parseInt(opt.getOrDefault("uses", "3"));
    commitMs = Long.parseLong(opt.getOrDefault("commit-ms", "0"));
    int warmupRuns = Integer.parseInt(opt.getOrDefault("warmup-runs", "5000"));
    stateRows = Integer.parseInt(opt.getOrDefault("state-rows", "6"));
    stateStores = Integer.parseInt(opt.getOrDefault("state-stores", "1"));
    DedicatedKafkaCluster own = opt.containsKey("bootstrap") ? null : DedicatedKafkaCluster.start(1);
    String bootstrap = own != null ? own.bootstrapServers() : opt.get("bootstrap");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      KafkaTestCluster kafka = own != null ? own.cluster() : null;
      System.out.printf("broker %s, cores %d, stream threads %d, commit.interval.ms %s, runs %d with %d token uses "
          + "(%d events, %d credentials), warm-up runs %d%n", bootstrap, Runtime.getRuntime().availableProcessors(),
          threads, commitMs > 0 ? Long.toString(commitMs) : "100 (EOS default)", runs, BenchLoad.uses,
          runs * BenchLoad.eventsPerRun(), runs * 2, warmupRuns);
      if (warmupRuns > 0) {
        // The same topologies on an input of their own first, so that the measured round runs compiled code:
        // a cold JVM spends more CPU compiling the correlator than running it (the compiler threads' share below).
        System.out.println("-- warm-up round (not the figures)");
        round(bootstrap, admin, warmupRuns);
        System.out.println("-- measured round");
      }
      Round r = round(bootstrap, admin, runs);
      Path stateDir = r.stateDir();
      String appId = r.appId();
      long disk = size(stateDir);
      printStores(stateDir);
      long changelogs = changelogBytes(admin, appId);
      long live = liveBytes(bootstrap, admin, appId);
      long credentials = runs * 2L;
      double scale = 1_000_000.0 / credentials;
      System.out.printf("state for %d credentials: %,d bytes live (latest value of every key, as after compaction), "
          + "%,d bytes on disk (RocksDB, not yet compacted), %,d bytes of changelogs (not yet compacted)%n",
          credentials, live, disk, changelogs);
      System.out.printf("per million credentials (x%.1f): %.0f MB live, %.0f MB on disk, %.0f MB of changelogs%n",
          scale, live * scale / 1e6, disk * scale / 1e6, changelogs * scale / 1e6);

      latency(bootstrap, admin, rate, probes, probeEvery);
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  /** What a measured round leaves for the state-size figures. */
  private record Round(Path stateDir, String appId) {}

  /** Produces {@code runs} runs to topics of their own and reads them with each topology, one after another. */
  private static Round round(String bootstrap, Admin admin, int runs) throws Exception {
    Topics topics = new Topics("bench-" + Long.toString(System.currentTimeMillis(), 36));
    dev.killswitch.schemas.TopicProvisioner.ensure(admin, topics, 60);
    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topics.prefix() + ".bench.passthrough",
        6, (short) 1), new org.apache.kafka.clients.admin.NewTopic(topics.prefix() + ".bench.shape", 6, (short) 1),
        new org.apache.kafka.clients.admin.NewTopic(topics.prefix() + ".bench.state", 6, (short) 1)))
        .all().get();
    long produced = produce(bootstrap, topics, runs);
    double passThrough = throughput("pass-through", passThroughTopology(topics), bootstrap, admin,
        "bench-pt-" + topics.prefix(), produced, null);
    double shape = throughput("shape baseline", shapeTopology(topics), bootstrap, admin,
        "bench-shape-" + topics.prefix(), produced, null);
    double state = stateRows == 0 ? 0 : throughput("state baseline", shapeTopology(topics, "state", stateRows),
        bootstrap, admin, "bench-state-" + topics.prefix(), produced, null);
    Path stateDir = Files.createTempDirectory("bench-correlator");
    String appId = "bench-cor-" + topics.prefix();
    CorrelatorConfig config = config(stateDir, appId);
    double correlated = throughput("correlator", null, bootstrap, admin, appId, produced,
        meters -> new Correlator(config, topics, props(bootstrap), meters));
    System.out.printf("ratio correlator / pass-through: %.2f; shape baseline / pass-through: %.2f; correlator / "
        + "shape baseline: %.2f (wall)%n", correlated / passThrough, shape / passThrough, correlated / shape);
    if (stateRows > 0) {
      System.out.printf("ratio state baseline / pass-through: %.2f; correlator / state baseline: %.2f (wall)%n",
          state / passThrough, correlated / state);
    }
    return new Round(stateDir, appId);
  }

  private static CorrelatorConfig config(Path stateDir, String appId) {
    return CorrelatorConfig.defaults(stateDir, new ApiAccess(List.of(new ApiAccess.Grant("bench-token-0123456789",
            Set.of(Role.ANALYST))))).withApplicationId(appId)
        .withClusters(Map.of("https://" + BenchLoad.ISSUER, BenchLoad.CLUSTER));
  }

  private static int threads = 1;
  private static long commitMs = 0;

  private static Map<String, Object> props(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    if (commitMs > 0) {
      p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
    }
    p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 6000);
    p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1000);
    return p;
  }

  /** Writes every run's events to the input topics; returns how many. */
  private static long produce(String bootstrap, Topics topics, int runs) throws Exception {
    long n = 0;
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      for (long i = 0; i < runs; i++) {
        for (Envelope<?> e : BenchLoad.run(i, BenchLoad.T0)) {
          producer.send(CloudEventCodec.toKafka(topics.of(e.type()), e));
          n++;
        }
      }
      producer.flush();
    }
    System.out.printf("produced %d events in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    return n;
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("enable.idempotence", true);
    p.put("linger.ms", 5);
    // One request in flight: on a just-created topic the first sends can meet NOT_LEADER_OR_FOLLOWER, and with
    // several batches in flight the retried first batch then failed with OUT_OF_ORDER_SEQUENCE_NUMBER for ever.
    p.put("max.in.flight.requests.per.connection", 1);
    return new KafkaProducer<>(p, new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer());
  }

  /** Read every event topic, decode each CloudEvent, encode it again, write it: the floor of any topology. */
  private static Topology passThroughTopology(Topics topics) {
    Topology t = new Topology();
    t.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.ciEvents(),
        topics.k8sEvents(), topics.cloudEvents());
    t.addProcessor("decode-encode", () -> new DecodeEncode<byte[]>(false), "source");
    t.addSink("sink", topics.prefix() + ".bench.passthrough", new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer(), "decode-encode");
    return t;
  }

  /**
   * The pass-through with the correlator's shape: read the three event topics, decode each CloudEvent, repartition
   * by a node key (the event's subject), then by a chain key (a hash of the event id), decode and encode it again
   * and write it; exactly-once v2 like the others. The repartitions carry the CloudEvent's bytes and headers as they
   * came (no re-encoding between steps), so this is the least any design with two cross-partition hops pays: three
   * transactional writes and three reads per event, against one of each for the pass-through.
   */
  private static Topology shapeTopology(Topics topics) {
    return shapeTopology(topics, "shape", 0);
  }

  /**
   * The shape baseline that also keeps state as the correlator does, with none of its logic: after the repartition
   * by node, each event writes {@code rows} new rows (its id and a number as key, {@link #ROW_BYTES} of its bytes as
   * value) to {@code --state-stores} persistent, changelogged stores (Kafka Streams' defaults: RocksDB, record
   * cache), like the rows each event adds to the correlator's stores. What exactly-once state costs by itself.
   */
  private static Topology shapeTopology(Topics topics, String name, int rows) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    var values = org.apache.kafka.common.serialization.Serdes.ByteArray();
    org.apache.kafka.streams.StreamsBuilder b = new org.apache.kafka.streams.StreamsBuilder();
    String[] stores = new String[rows == 0 ? 0 : stateStores];
    for (int i = 0; i < stores.length; i++) {
      stores[i] = "state-rows-" + i;
      b.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
          org.apache.kafka.streams.state.Stores.persistentKeyValueStore(stores[i]), keys, values));
    }
    b.stream(List.of(topics.ciEvents(), topics.k8sEvents(), topics.cloudEvents()),
            org.apache.kafka.streams.kstream.Consumed.with(keys, values))
        .process(() -> new Rekey<String>(r -> {
          Envelope<?> e = CloudEventCodec.fromKafka(r.headers(), r.value());
          return e.subject() != null ? e.subject() : e.id();
        }))
        .repartition(org.apache.kafka.streams.kstream.Repartitioned.<String, byte[]>as(name + "-node-updates")
            .withKeySerde(keys).withValueSerde(values))
        .process(() -> new StateRows(rows), stores)
        .repartition(org.apache.kafka.streams.kstream.Repartitioned.<String, byte[]>as(name + "-chain-updates")
            .withKeySerde(keys).withValueSerde(values))
        .process(() -> new DecodeEncode<String>(true))
        .to(topics.prefix() + ".bench." + name, org.apache.kafka.streams.kstream.Produced.with(keys, values));
    return b.build();
  }

  private static int stateRows = 6;
  private static int stateStores = 1;
  private static final int ROW_BYTES = 300;

  /** Writes the event's rows (none in the shape baseline), then forwards it under a chain key: a hash of its id. */
  private static final class StateRows implements Processor<String, byte[], String, byte[]> {
    private final int count;
    private ProcessorContext<String, byte[]> context;
    private final List<org.apache.kafka.streams.state.KeyValueStore<String, byte[]>> rows = new ArrayList<>();

    StateRows(int count) {
      this.count = count;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
      for (int i = 0; count > 0 && i < stateStores; i++) {
        rows.add(context.getStateStore("state-rows-" + i));
      }
    }

    @Override
    public void process(Record<String, byte[]> r) {
      String id = new String(r.headers().lastHeader("ce_id").value(), java.nio.charset.StandardCharsets.UTF_8);
      byte[] row = java.util.Arrays.copyOf(r.value(), ROW_BYTES);
      for (int i = 0; i < count; i++) {
        rows.get(i % rows.size()).put(id + "/" + i, row);
      }
      context.forward(new Record<>("chain-" + Integer.toHexString(id.hashCode() & 0xfff), r.value(), r.timestamp(),
          r.headers()));
    }
  }

  /** Decodes each CloudEvent and encodes it again (under its own key, or the codec's). */
  private static final class DecodeEncode<K> implements Processor<K, byte[], String, byte[]> {
    private final boolean keepKey;
    private ProcessorContext<String, byte[]> context;

    DecodeEncode(boolean keepKey) {
      this.keepKey = keepKey;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<K, byte[]> r) {
      Envelope<?> e = CloudEventCodec.fromKafka(r.headers(), r.value());
      ProducerRecord<String, byte[]> out = CloudEventCodec.toKafka("unused", e);
      context.forward(new Record<>(keepKey ? (String) r.key() : out.key(), out.value(), r.timestamp(),
          out.headers()));
    }
  }

  /** Forwards each record unchanged (value and headers) under a new key. */
  private static final class Rekey<K> implements Processor<K, byte[], String, byte[]> {
    private final java.util.function.Function<Record<K, byte[]>, String> key;
    private ProcessorContext<String, byte[]> context;

    Rekey(java.util.function.Function<Record<K, byte[]>, String> key) {
      this.key = key;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(Record<K, byte[]> r) {
      context.forward(new Record<>(key.apply(r), r.value(), r.timestamp(), r.headers()));
    }
  }

  private interface Starter {
    Correlator start(io.micrometer.core.instrument.MeterRegistry meters) throws Exception;
  }

  /** Events per second from RUNNING until the group has caught up with everything it reads. */
  private static double throughput(String name, Topology topology, String bootstrap, Admin admin, String appId,
                                   long events, Starter correlator) throws Exception {
    KafkaStreams streams = null;
    Correlator c = null;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    if (topology != null) {
      Properties p = new Properties();
      p.putAll(props(bootstrap));
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
      p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-pt").toString());
      p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      streams = new KafkaStreams(topology, p);
      new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams).bindTo(meters);
      streams.start();
    } else {
      c = correlator.start(meters);
      c.start();
    }
    KafkaStreams ks = streams;
    Correlator cc = c;
    waitFor(() -> ks != null ? ks.state() == KafkaStreams.State.RUNNING : cc.isReady());
    long t0 = System.nanoTime();
    long process0 = processCpuNanos();
    Map<String, Long> threads0 = threadTicks();
    Map<String, Long> threadsAtEnd = new HashMap<>();
    long[] end = {0, 0};
    waitFor(() -> {
      if (end[0] == 0 && lag(admin, appId).values().stream().allMatch(l -> l <= 1)) {
        end[0] = System.nanoTime();
        end[1] = processCpuNanos();
        threadsAtEnd.clear();
        threadsAtEnd.putAll(threadTicks());
      }
      if (end[0] != 0 && caughtUp(admin, appId)) {
        return true;
      }
      if (end[0] != 0 && !caughtUp(admin, appId)) {
        end[0] = 0; // the loop was still feeding itself: not done
      }
      return false;
    });
    double seconds = (end[0] - t0) / 1e9;
    double processCpu = (end[1] - process0) / 1e9;
    double perSecond = events / seconds;
    double cpu = streamThreadCpuSeconds(appId);
    System.out.printf("%s: %d events in %.1f s = %.0f events/s; stream threads used %.1f CPU s = %.0f events per CPU "
        + "second; the whole process (broker, clients, stream threads) %.0f us of CPU per event, %.2f cores busy%n",
        name, events, seconds, perSecond, cpu, events / cpu, processCpu * 1e6 / events,
        processCpu / seconds);
    printThreadGroups(threads0, threadsAtEnd, events);
    printStreamThread(meters, seconds);
    printInternalRecords(admin, appId, events);
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    } else {
      c.close();
    }
    return perSecond;
  }

  /**
   * Records written to the application's repartition topics and changelogs, per input event (end offsets: they
   * count the transaction markers too, one per partition and commit, a few percent here).
   */
  private static void printInternalRecords(Admin admin, String appId, long events) throws Exception {
    List<String> internal = admin.listTopics().names().get().stream()
        .filter(t -> t.startsWith(appId) && (t.endsWith("-repartition") || t.endsWith("-changelog"))).sorted().toList();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var d : admin.describeTopics(internal).allTopicNames().get().values()) {
      d.partitions().forEach(pi -> latest.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest()));
    }
    Map<String, Long> perTopic = new java.util.TreeMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, o) -> perTopic.merge(tp.topic(), o.offset(), Long::sum));
    long total = 0;
    for (var e : perTopic.entrySet()) {
      total += e.getValue();
      System.out.printf("  records %-44s %,10d (%.2f per event)%n", e.getKey().substring(appId.length() + 1),
          e.getValue(), e.getValue() / (double) events);
    }
    System.out.printf("  records internal total %,d (%.2f per event)%n", total, total / (double) events);
  }

  /**
   * Each thread's CPU time in clock ticks, from /proc (Linux; empty elsewhere), keyed by thread id and name: the
   * JVM's own threads (garbage collection, compilers) are not Java threads, so ThreadMXBean does not see them.
   */
  private static Map<String, Long> threadTicks() {
    Map<String, Long> ticks = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return ticks;
    }
    try (var dirs = Files.list(tasks)) {
      for (Path task : dirs.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12])); // utime, stime
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return ticks;
    }
    return ticks;
  }

  /** The CPU the process's threads used between two {@link #threadTicks()}, per event, grouped by thread name. */
  private static void printThreadGroups(Map<String, Long> before, Map<String, Long> after, long events) {
    Map<String, Long> groups = new java.util.TreeMap<>();
    after.forEach((thread, t) -> groups.merge(thread.substring(thread.indexOf(' ') + 1).replaceAll("[0-9]+", "#")
        .replaceAll("-[0-9a-z]{6,}-", "-*-"), t - before.getOrDefault(thread, 0L), Long::sum));
    double usPerTick = 1e6 / 100; // USER_HZ
    groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
        .forEach(g -> System.out.printf("  threads %-28s %6.0f us of CPU per event%n", g.getKey(),
            g.getValue() * usPerTick / events));
  }

  /** Where the stream threads' time went: commits (flush, offsets, end of transaction), polls, blocked on Kafka. */
  private static void printStreamThread(SimpleMeterRegistry meters, double seconds) {
    Map<String, Double> m = new java.util.TreeMap<>();
    meters.getMeters().stream().filter(x -> x.getId().getName().startsWith("kafka.stream.thread."))
        .forEach(x -> x.measure().forEach(v -> m.merge(x.getId().getName().substring("kafka.stream.thread.".length()),
            v.getValue(), Double::sum)));
    double commits = m.getOrDefault("commit.total", 0.0);
    double polls = m.getOrDefault("poll.total", 0.0);
    System.out.printf("  stream threads: %.0f commits, %.1f ms each on average (max %.0f): %.1f s of %.1f; %.0f polls, "
        + "%.1f ms each: %.1f s; blocked on Kafka %.1f s in all%n", commits, m.getOrDefault("commit.latency.avg", 0.0),
        m.getOrDefault("commit.latency.max", 0.0), commits * m.getOrDefault("commit.latency.avg", 0.0) / 1e3, seconds,
        polls, m.getOrDefault("poll.latency.avg", 0.0), polls * m.getOrDefault("poll.latency.avg", 0.0) / 1e3,
        m.getOrDefault("blocked.time.ns.total", 0.0) / 1e9);
  }

  /** CPU time of this whole JVM: the in-process broker, the clients and the stream threads. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU time used so far by the Kafka Streams threads of {@code appId} (their names start with it). */
  private static double streamThreadCpuSeconds(String appId) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(appId) && t.getName().contains("StreamThread")) {
        nanos += Math.max(0, mx.getThreadCpuTime(t.getId()));
      }
    }
    return nanos / 1e9;
  }

  /** True when, twice in a row a second apart, every partition the group reads is consumed to its end. */
  private static boolean caughtUp(Admin admin, String group) throws Exception {
    Map<TopicPartition, Long> first = lag(admin, group);
    if (first.isEmpty() || first.values().stream().anyMatch(l -> l > 1)) {
      return false;
    }
    Thread.sleep(1000); // a benchmark, not a test: settle, then look again
    Map<TopicPartition, Long> second = lag(admin, group);
    return second.values().stream().allMatch(l -> l <= 1);
  }

  private static Map<TopicPartition, Long> lag(Admin admin, String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    var ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, Long> lag = new HashMap<>();
    committed.forEach((tp, o) -> lag.put(tp, ends.get(tp).offset() - (o == null ? 0 : o.offset())));
    return lag;
  }

  private static void latency(String bootstrap, Admin admin, int rate, int probes, long probeEvery) throws Exception {
    Topics topics = new Topics("benchlat-" + Long.toString(System.currentTimeMillis(), 36));
    dev.killswitch.schemas.TopicProvisioner.ensure(admin, topics, 60);
    Path stateDir = Files.createTempDirectory("bench-latency");
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean running = new AtomicBoolean(true);
    try (Correlator c = new Correlator(config(stateDir, "bench-lat-" + topics.prefix()), topics, props(bootstrap),
        new SimpleMeterRegistry()); KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
      c.start();
      waitFor(c::isReady);
      Thread reader = new Thread(() -> read(bootstrap, topics, sentAt, latencies, running), "bench-reader");
      reader.start();
      Thread background = new Thread(() -> background(producer, topics, rate, running), "bench-background");
      background.start();
      Thread.sleep(5000); // warm up under load before probing
      Instant base = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; i < probes; i++) {
        List<Envelope<?>> probe = BenchLoad.probe(i, base.plusSeconds(60L * i));
        producer.send(CloudEventCodec.toKafka(topics.of(probe.get(0).type()), probe.get(0))).get();
        sentAt.put(BenchLoad.probeRun(i), System.nanoTime());
        producer.send(CloudEventCodec.toKafka(topics.of(probe.get(1).type()), probe.get(1)));
        Thread.sleep(probeEvery);
      }
      waitFor(() -> latencies.size() >= probes);
      running.set(false);
      background.join();
      reader.join();
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf("trigger latency at %d events/s background, %d probes: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        rate, sorted.size(), sorted.get(sorted.size() / 2) / 1e6,
        sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6);
  }

  /** BenchLoad runs at {@code rate} events per second until told to stop. */
  private static void background(KafkaProducer<String, byte[]> producer, Topics topics, int rate,
                                 AtomicBoolean running) {
    long i = 1_000_000;
    long next = System.nanoTime();
    long gap = 1_000_000_000L * BenchLoad.eventsPerRun() / rate;
    while (running.get()) {
      for (Envelope<?> e : BenchLoad.run(i++, BenchLoad.T0)) {
        producer.send(CloudEventCodec.toKafka(topics.of(e.type()), e));
      }
      next += gap;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void read(String bootstrap, Topics topics, Map<String, Long> sentAt, List<Long> latencies,
                           AtomicBoolean running) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topics.prefix());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.revocationRequests()));
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          RevocationRequested q = CloudEventCodec.fromKafka(r).dataAs(RevocationRequested.class);
          Long sent = sentAt.remove(q.target());
          if (sent != null) {
            latencies.add(now - sent);
          }
        }
      }
    }
  }

  private interface Condition {
    boolean met() throws Exception;
  }

  private static void waitFor(Condition c) throws Exception {
    long deadline = System.nanoTime() + MAX.toNanos();
    while (!c.met()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up after " + MAX);
      }
      Thread.sleep(200); // a benchmark polling a condition
    }
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** Bytes on disk per store (all its partitions' RocksDB directories). */
  private static void printStores(Path stateDir) throws IOException {
    Map<String, Long> perStore = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(stateDir)) {
      files.filter(Files::isRegularFile).forEach(f -> {
        Path rel = stateDir.relativize(f);
        // <app id>/<task id>/rocksdb/<store>/...
        String store = rel.getNameCount() > 3 && rel.getName(2).toString().equals("rocksdb")
            ? rel.getName(3).toString() : "(other)";
        perStore.merge(store, f.toFile().length(), Long::sum);
      });
    }
    perStore.forEach((k, v) -> System.out.printf("  %-24s %,d bytes%n", k, v));
  }

  /** Keys and values of the latest record of every key of the app's changelogs: the state compaction keeps. */
  private static long liveBytes(String bootstrap, Admin admin, String appId) throws Exception {
    List<String> topics = admin.listTopics().names().get().stream()
        .filter(t -> t.startsWith(appId) && t.endsWith("-changelog")).toList();
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    Map<String, Integer> latest = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : topics) {
        consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String k = r.topic() + "/" + java.util.HexFormat.of().formatHex(r.key());
          if (r.value() == null) {
            latest.remove(k);
          } else {
            latest.put(k, r.key().length + r.value().length);
          }
        }
      }
    }
    Map<String, Long> perTopic = new java.util.TreeMap<>();
    latest.forEach((k, v) -> perTopic.merge(k.substring(appId.length() + 1, k.indexOf('/')), (long) v, Long::sum));
    perTopic.forEach((t, v) -> System.out.printf("  live %-36s %,d bytes%n", t, v));
    return latest.values().stream().mapToLong(Integer::longValue).sum();
  }

  private static long changelogBytes(Admin admin, String appId) throws Exception {
    long total = 0;
    var dirs = admin.describeLogDirs(admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList())
        .allDescriptions().get();
    for (var broker : dirs.values()) {
      for (var dir : broker.values()) {
        for (var e : dir.replicaInfos().entrySet()) {
          if (e.getKey().topic().startsWith(appId) && e.getKey().topic().endsWith("-changelog")) {
            total += e.getValue().size();
          }
        }
      }
    }
    return total;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      out.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return out;
  }
}
