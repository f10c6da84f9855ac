package dev.killswitch.correlator;

import dev.killswitch.correlator.internal.graph.JoinSettings;
import dev.killswitch.correlator.internal.graph.TriggerSettings;
import dev.killswitch.correlator.internal.query.Answers;
import dev.killswitch.correlator.internal.query.QueryRouter;
import dev.killswitch.correlator.internal.query.QueryRoutes;
import dev.killswitch.correlator.internal.query.StoreReader;
import dev.killswitch.correlator.internal.query.StreamsStores;
import dev.killswitch.correlator.internal.streams.CorrelatorMetrics;
import dev.killswitch.correlator.internal.streams.CorrelatorTopology;
import dev.killswitch.schemas.Topics;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The correlator: a Kafka Streams application (exactly-once v2) that builds the pipeline -> cluster -> cloud access
 * graph, keeps one chain per root, fires the triggers of DESIGN.md, and answers analyst queries from its stores.
 *
 * <p>Reads killswitch.events.ci, .events.k8s, .events.cloud and .revocation.results; writes killswitch.chains (chain
 * snapshots, key chain id), killswitch.revocation.requests (key target), killswitch.alerts (key subject) and
 * killswitch.deadletter. HTTP: {@code GET /v1/chains?node=}, {@code /v1/chains/{chainId}},
 * {@code /v1/identities/{ref}} (see {@link #addRoutes}). correlator/README.md describes the topology.
 */
public final class Correlator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Correlator.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final CorrelatorConfig config;
  private final Topics topics;
  private final Map<String, Object> kafkaProps;
  private final MeterRegistry registry;
  private final QueryRoutes routes;
  private volatile KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * @param kafkaProps bootstrap.servers and any other client settings, passed through to Kafka Streams (the
   *     settings the correlator depends on, such as processing.guarantee, are set over them)
   */
  public Correlator(CorrelatorConfig config, Topics topics, Map<String, Object> kafkaProps, MeterRegistry registry) {
    this(config, topics, kafkaProps, registry, null);
  }

  /**
   * @param https when the instances serve HTTPS: the TLS context a query is forwarded to the owning instance with
   *     (trusting the instances' CA and, under mutual TLS, presenting this instance's certificate); null when they
   *     serve plain HTTP
   */
  public Correlator(CorrelatorConfig config, Topics topics, Map<String, Object> kafkaProps, MeterRegistry registry,
                    SSLContext https) {
    this.config = config;
    this.topics = topics;
    this.kafkaProps = Map.copyOf(kafkaProps);
    this.registry = registry;
    HostInfo self = config.applicationServer() == null ? null : HostInfo.buildFromEndpoint(config.applicationServer());
    StreamsStores stores = new StreamsStores(() -> streams, self, https != null);
    this.routes = new QueryRoutes(config.access(), new Answers(new StoreReader(stores)),
        new QueryRouter(stores, https));
  }

  /** The topology, as started; tests drive it with a TopologyTestDriver. */
  public static Topology topology(CorrelatorConfig config, Topics topics) {
    return topology(config, topics, new SimpleMeterRegistry());
  }

  static Topology topology(CorrelatorConfig config, Topics topics, MeterRegistry registry) {
    return topology(config, topics, registry, true);
  }

  /** With {@code persistentStores} false, in-memory stores: only for tests that build hundreds of topologies. */
  static Topology topology(CorrelatorConfig config, Topics topics, MeterRegistry registry, boolean persistentStores) {
    return CorrelatorTopology.build(settings(config, persistentStores), topics, new CorrelatorMetrics(registry));
  }

  /** The configuration as the topology's parts need it. */
  static CorrelatorTopology.Settings settings(CorrelatorConfig config, boolean persistentStores) {
    Correlation c = config.correlation();
    JoinSettings joins = new JoinSettings(c.ciRunExtraKey(), c.ciJobExtraKey(),
        c.rawClaims().stream().map(r -> new JoinSettings.RawClaim(r.provider(), r.host(), r.repositoryKey(),
            r.runIdKey(), r.jobIdKey())).toList(),
        c.clusters(), roots(c), c.githubIssuer(), c.wifPoolIssuers(), Pattern.compile(c.sessionRunIdPattern()),
        c.matchWindow(), c.weakConfidence(), c.clockSkew());
    TriggerSettings triggers = new TriggerSettings(config.jobCompletedGrace(), config.triggerMode(),
        c.reuseTolerance(), c.trustedNetworks(), c.boundaryPrefixV4(), c.boundaryPrefixV6(),
        c.outsideBoundaryRevokes(),
        c.breakGlass().stream().map(b -> new TriggerSettings.BreakGlass(b.pattern(), b.maxDuration(), b.override()))
            .toList(),
        c.revocationPropagation(), c.accountNames(), c.projectNames());
    return new CorrelatorTopology.Settings(config.retention(), joins, triggers, c.snapshotInterval(),
        c.earlySendBelow(), persistentStores);
  }

  /** Break-glass identities root their own chains, as configured roots do. */
  private static List<String> roots(Correlation c) {
    List<String> roots = new ArrayList<>(c.roots());
    c.breakGlass().forEach(b -> roots.add(b.pattern()));
    return roots;
  }

  /** The Kafka Streams settings: pass-through client settings, then the ones the correlator depends on. */
  Properties streamsProperties() {
    Properties p = new Properties();
    p.putAll(kafkaProps);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    if (config.applicationServer() != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.applicationServer());
    }
    return p;
  }

  public synchronized void start() {
    if (streams != null) {
      throw new IllegalStateException("the correlator is already started");
    }
    KafkaStreams ks = new KafkaStreams(topology(config, topics, registry), streamsProperties());
    ks.setStateListener((now, before) -> LOG.info("correlator {} -> {}", before, now));
    ks.setUncaughtExceptionHandler(e -> {
      // Input problems are dead-lettered inside the topology; what reaches here is a defect or Kafka failing.
      LOG.error("correlator stream thread failed; shutting the correlator down", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streamsMetrics = new KafkaStreamsMetrics(ks);
    streamsMetrics.bindTo(registry);
    streams = ks;
    LOG.info("starting correlator: {}, topics {}", config, topics.prefix());
    ks.start();
  }

  /** True when Kafka Streams is RUNNING: every task assigned and its stores restored. */
  public boolean isReady() {
    KafkaStreams ks = streams;
    return ks != null && ks.state() == KafkaStreams.State.RUNNING;
  }

  /** Registers the query paths on the one HTTP server. */
  public void addRoutes(RoutesConfig routesConfig) {
    routes.register(routesConfig);
  }

  @Override
  public synchronized void close() {
    KafkaStreams ks = streams;
    if (ks == null) {
      return;
    }
    // Leave the group: by default Kafka Streams stays a member until its session times out (45 s), so a restarted
    // `killswitch run` (or the instance taking over in a scaled-out deployment) waited that long in REBALANCING.
    ks.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(CLOSE_TIMEOUT));
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    LOG.info("correlator closed");
  }
}
