package dev.killswitch.correlator;

import dev.killswitch.correlator.internal.query.Answers;
import dev.killswitch.correlator.internal.query.StoreReader;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The correlator topology in a TopologyTestDriver, fed CloudEvents the way ingest writes them. */
final class Harness implements AutoCloseable {

  static final String ANALYST_TOKEN = "analyst-token-for-tests";
  static final ApiAccess ACCESS = new ApiAccess(List.of(
      new ApiAccess.Grant(ANALYST_TOKEN, Set.of(Role.ANALYST)),
      new ApiAccess.Grant("ingest-token-for-tests", Set.of(Role.INGEST))));

  private static final long T0_MS = Events.T0.toEpochMilli();
  final Topics topics = new Topics("t");
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Path stateDir;
  private final TopologyTestDriver driver;
  private final List<Envelope<?>> requests = new ArrayList<>();
  private final List<Envelope<?>> snapshots = new ArrayList<>();
  private final List<TestRecord<String, byte[]>> deadLetters = new ArrayList<>();
  private final List<String> tombstones = new ArrayList<>();
  private final List<Envelope<?>> alerts = new ArrayList<>();

  Harness() {
    this(Duration.ZERO);
  }

  Harness(Duration grace) {
    this(grace, CorrelatorConfig.DEFAULT_RETENTION);
  }

  Harness(Duration grace, Duration retention) {
    this(c -> c.withJobCompletedGrace(grace).withRetention(retention));
  }

  /** With the defaults changed by {@code settings} (the state directory and access are the harness's). */
  Harness(java.util.function.UnaryOperator<CorrelatorConfig> settings) {
    this(settings, Events.T0);
  }

  Harness(java.util.function.UnaryOperator<CorrelatorConfig> settings, Instant wallClockStart) {
    this(settings, wallClockStart, true);
  }

  /**
   * @param persistentStores false for in-memory stores: the arrival-order properties build a topology per try, and
   *     RocksDB's open and close dominate their time; every other test runs the stores the correlator runs
   */
  Harness(java.util.function.UnaryOperator<CorrelatorConfig> settings, Instant wallClockStart,
          boolean persistentStores) {
    try {
      stateDir = Files.createTempDirectory("correlator-ttd");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // One snapshot per change, so that tests see each; coalescing has tests of its own.
    CorrelatorConfig config = settings.apply(CorrelatorConfig.defaults(stateDir, ACCESS)
        .withSnapshotInterval(Duration.ZERO));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "correlator-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    driver = new TopologyTestDriver(Correlator.topology(config, topics, registry, persistentStores), props,
        wallClockStart);
  }

  /**
   * A harness with in-memory stores, for tests that build many topologies (CorrelatorTopologyTest,
   * ScenarioChainsTest and the ITs run the RocksDB stores the correlator runs).
   */
  static Harness inMemory(java.util.function.UnaryOperator<CorrelatorConfig> settings) {
    return new Harness(settings, Events.T0, false);
  }

  /** Sends the event to the topic its type belongs on, timestamped with its time, as ingest would. */
  Harness send(Envelope<?> event) {
    String topic = topics.of(event.type());
    ProducerRecord<String, byte[]> r = CloudEventCodec.toKafka(topic, event);
    long ts = event.time() == null ? T0_MS : event.time().toInstant().toEpochMilli();
    return sendRaw(topic, r.key(), r.value(), r.headers(), ts);
  }

  Harness sendAll(List<? extends Envelope<?>> events) {
    events.forEach(this::send);
    return this;
  }

  Harness sendRaw(String topic, String key, byte[] value, Headers headers, long timestamp) {
    driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer())
        .pipeInput(new TestRecord<>(key, value, headers == null ? new RecordHeaders() : headers,
            Instant.ofEpochMilli(timestamp)));
    return this;
  }

  void advanceWallClock(Duration d) {
    driver.advanceWallClockTime(d);
  }

  /** Every revocation request emitted so far, decoded. */
  List<RevocationRequested> requests() {
    drain();
    return requests.stream().map(e -> e.dataAs(RevocationRequested.class)).toList();
  }

  List<Envelope<?>> requestEvents() {
    drain();
    return List.copyOf(requests);
  }

  List<ChainSnapshot> snapshots() {
    drain();
    return snapshots.stream().map(e -> e.dataAs(ChainSnapshot.class)).toList();
  }

  List<Envelope<?>> snapshotEvents() {
    drain();
    return List.copyOf(snapshots);
  }

  /** The last snapshot of each chain, by chain id. */
  Map<String, ChainSnapshot> latestSnapshots() {
    Map<String, ChainSnapshot> latest = new LinkedHashMap<>();
    snapshots().forEach(s -> latest.put(s.chainId(), s));
    return latest;
  }

  /** Every alert emitted so far, decoded. */
  List<dev.killswitch.schemas.event.Alert> alerts() {
    drain();
    return alerts.stream().map(e -> e.dataAs(dev.killswitch.schemas.event.Alert.class)).toList();
  }

  List<Envelope<?>> alertEvents() {
    drain();
    return List.copyOf(alerts);
  }

  List<TestRecord<String, byte[]>> deadLetters() {
    drain();
    return List.copyOf(deadLetters);
  }

  List<String> tombstones() {
    drain();
    return List.copyOf(tombstones);
  }

  StoreReader stores() {
    return new StoreReader(new StoreReader.Source() {
      @Override
      @SuppressWarnings("unchecked")
      public <V> org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, V> store(String name) {
        return (org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, V>)
            (Object) driver.getKeyValueStore(name);
      }
    });
  }

  Answers answers() {
    return new Answers(stores());
  }

  /** How many rows a key-value store holds (all partitions: the driver has one task per sub-topology). */
  long storeSize(String name) {
    long n = 0;
    try (var it = driver.<String, Object>getKeyValueStore(name).all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private void drain() {
    var out = driver.createOutputTopic(topics.revocationRequests(), new StringDeserializer(),
        new ByteArrayDeserializer());
    while (!out.isEmpty()) {
      TestRecord<String, byte[]> r = out.readRecord();
      requests.add(CloudEventCodec.fromKafka(r.headers(), r.value()));
    }
    var chains = driver.createOutputTopic(topics.chains(), new StringDeserializer(), new ByteArrayDeserializer());
    while (!chains.isEmpty()) {
      TestRecord<String, byte[]> r = chains.readRecord();
      if (r.value() == null) {
        tombstones.add(r.key());
      } else {
        snapshots.add(CloudEventCodec.fromKafka(r.headers(), r.value()));
      }
    }
    var alertTopic = driver.createOutputTopic(topics.alerts(), new StringDeserializer(), new ByteArrayDeserializer());
    while (!alertTopic.isEmpty()) {
      TestRecord<String, byte[]> r = alertTopic.readRecord();
      alerts.add(CloudEventCodec.fromKafka(r.headers(), r.value()));
    }
    var dead = driver.createOutputTopic(topics.deadletter(), new StringDeserializer(), new ByteArrayDeserializer());
    while (!dead.isEmpty()) {
      deadLetters.add(dead.readRecord());
    }
  }

  @Override
  public void close() {
    driver.close();
    try (var files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is not worth failing a test for
    }
  }
}
