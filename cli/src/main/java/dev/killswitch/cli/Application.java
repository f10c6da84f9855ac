package dev.killswitch.cli;

import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.cli.kafka.EmbeddedKafka;
import dev.killswitch.cli.web.WebRoutes;
import dev.killswitch.correlator.Correlator;
import dev.killswitch.correlator.CorrelatorConfig;
import dev.killswitch.ingest.Ingest;
import dev.killswitch.ingest.IngestConfig;
import dev.killswitch.ingest.AuditLogTailer;
import dev.killswitch.ingest.SourceGapMonitor;
import dev.killswitch.ingest.SourceSilence;
import java.nio.file.Path;
import dev.killswitch.revoker.Revoker;
import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.kubernetes.DenyTokenProvider;
import dev.killswitch.revoker.kubernetes.KubernetesClusters;
import dev.killswitch.revoker.aws.AwsAccounts;
import dev.killswitch.revoker.gcp.GcpClients;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.ApiAccess.Grant;
import dev.killswitch.schemas.TopicProvisioner;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.Topics;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Killswitch process. {@link #start} reads as the list of start-up steps; {@link #close} undoes
 * them in reverse order, so that Ctrl-C flushes what was acknowledged and closes the broker last.
 */
public final class Application implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  /** How long start-up waits for every readiness check before it reports what is still starting. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private boolean closed;   // guarded by resources
  private final List<HttpServer.Check> checks = new ArrayList<>();
  private String bootstrapServers;
  private HttpServer http;
  private Secrets secrets;
  private Settings settings;

  private Application() {}

  /**
   * What a caller may change beyond the settings: the demo runs the job-completed trigger in enforce mode and
   * names its simulated EKS cluster.
   *
   * @param triggerMode mode of the requests the correlator's triggers emit; null keeps the correlator's default (dry-run)
   * @param clusters OIDC issuer URL (or EKS cluster name) to the cluster name used in identity references
   */
  public record Tuning(RevocationRequested.Mode triggerMode, Map<String, String> clusters, List<AuditLogTail> tails) {
    public static final Tuning NONE = new Tuning(null, Map.of(), List.of());

    public Tuning(RevocationRequested.Mode triggerMode, Map<String, String> clusters) {
      this(triggerMode, clusters, List.of());
    }

    /** The same, also following these audit log files. */
    public Tuning withTails(List<AuditLogTail> files) {
      return new Tuning(triggerMode, clusters, List.copyOf(files));
    }
  }

  /** A kube-apiserver audit log file followed by ingest, and the cluster it belongs to. */
  public record AuditLogTail(Path log, String cluster) {}

  /** How often tailed audit logs are read, and how often sources are checked for silence. */
  static final Duration TAIL_INTERVAL = Duration.ofSeconds(1);
  static final Duration SILENCE_CHECK_INTERVAL = Duration.ofMinutes(1);

  /** Starts the given roles with these settings and prints where everything is to {@code out}. */
  public static Application start(Settings settings, Set<Role> roles, PrintStream out) {
    return start(settings, roles, out, Tuning.NONE);
  }

  /** As {@link #start(Settings, Set, PrintStream)}, with the {@link Tuning} applied. */
  public static Application start(Settings settings, Set<Role> roles, PrintStream out, Tuning tuning) {
    return start(settings, roles, out, tuning, app -> { });
  }

  /**
   * As {@link #start(Settings, Set, PrintStream, Tuning)}, handing the application to {@code created} before anything
   * starts, so that a shutdown hook can stop it while it is still starting: {@link #close()} then stops what has
   * started and the rest of the start-up is abandoned (a SIGTERM during start-up stops the embedded broker cleanly).
   */
  public static Application start(Settings settings, Set<Role> roles, PrintStream out, Tuning tuning,
                                  java.util.function.Consumer<Application> created) {
    long t0 = System.nanoTime();
    Application app = new Application();
    created.accept(app);
    try {
      app.startAll(settings, roles, tuning);
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    boolean ready = app.awaitReady(READY_TIMEOUT);
    app.printSummary(settings, roles, out, Duration.ofNanos(System.nanoTime() - t0), ready);
    return app;
  }

  private void startAll(Settings settings, Set<Role> roles, Tuning tuning) {
    RevokerSettings revokerSettings = RevokerSettings.from(settings.yaml());
    own(DataDirLock.acquire(settings.dataDir()));
    this.settings = settings;
    secrets = Secrets.resolve(settings);
    bootstrapServers = startOrConnectKafka(settings);
    Map<String, Object> kafkaProps = kafkaProps(settings);
    Topics topics = new Topics(settings.topicPrefix());
    Admin admin = own(Admin.create(kafkaProps));
    TopicProvisioner.ensure(admin, topics, 30);

    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics(metrics);
    ApiAccess access = apiAccess(settings);
    Clock clock = Clock.systemUTC();

    List<Consumer<RoutesConfig>> routes = new ArrayList<>();
    checks.add(new HttpServer.Check("kafka", () -> kafkaReachable(admin)));

    if (roles.contains(Role.INGEST)) {
      Map<String, Object> producerProps = new HashMap<>(Ingest.producerDefaults());
      producerProps.putAll(kafkaProps);
      Producer<String, byte[]> producer = own(new KafkaProducer<>(producerProps));
      own(new KafkaClientMetrics(producer)).bindTo(metrics);
      IngestConfig ingestConfig = IngestConfig.of(secrets.get(Secret.GITHUB_SECRET), secrets.get(Secret.GITLAB_TOKEN),
          access).withGcpPush(settings.ingestAuth().gcpPush())
          .withK8sAuditClients(settings.ingestAuth().k8sAuditClients());
      Ingest ingest = new Ingest(ingestConfig, topics, producer, metrics, clock);
      routes.add(ingest::addRoutes);
      own(SourceGapMonitor.start(ingest, SourceSilence.defaults(), SILENCE_CHECK_INTERVAL));
      for (AuditLogTail tail : tuning.tails()) {
        Path checkpoint = settings.dataDir().resolve("tail").resolve(tail.cluster() + ".checkpoint.json");
        own(AuditLogTailer.start(ingest, tail.log(), tail.cluster(), checkpoint, TAIL_INTERVAL));
      }
    }
    if (roles.contains(Role.CORRELATOR)) {
      CorrelatorConfig config = CorrelatorConfig.defaults(settings.dataDir().resolve("streams"), access)
          .withApplicationServer(settings.httpAdvertisedAddress());
      RevocationRequested.Mode triggerMode = tuning.triggerMode() != null ? tuning.triggerMode()
          : revokerSettings.triggerMode();
      if (triggerMode != null) {
        config = config.withTriggerMode(triggerMode);
      }
      Map<String, String> clusters = new HashMap<>(revokerSettings.clusters());
      clusters.putAll(tuning.clusters());
      if (!clusters.isEmpty()) {
        config = config.withClusters(clusters);
      }
      Correlator correlator = own(new Correlator(config, topics, kafkaProps, metrics,
          settings.httpTls() == null ? null : settings.httpTls().peerContext()));
      correlator.start();
      routes.add(correlator::addRoutes);
      checks.add(new HttpServer.Check("correlator", correlator::isReady));
    }
    if (roles.contains(Role.REVOKER)) {
      RevokerConfig config = revokerSettings.apply(RevokerConfig.defaults(access));
      ProviderRegistry providers = new ProviderRegistry()
          .register(DenyTokenProvider.create(kafkaProps, topics, clock));
      registerCloudAndClusterProviders(config, revokerSettings, providers, clock);
      Revoker revoker = own(new Revoker(config, topics, kafkaProps, metrics, clock, providers));
      revoker.start();
      routes.add(revoker::addRoutes);
      checks.add(new HttpServer.Check("revoker", revoker::isReady));
    }
    routes.add(new WebRoutes(access)::addRoutes);
    http = own(HttpServer.start(settings.httpHost(), settings.httpPort(), metrics, checks, routes, settings.httpTls()));
  }

  /**
   * The providers the settings ask for, registered explicitly: Kubernetes clusters by kubeconfig context, AWS
   * accounts, GCP projects. Their clients close after the revoker (resources close in reverse order).
   */
  private void registerCloudAndClusterProviders(RevokerConfig config, RevokerSettings s, ProviderRegistry registry,
                                                Clock clock) {
    if (!config.kubernetesContexts().isEmpty()) {
      own(KubernetesClusters.fromConfig(config)).providers().forEach(registry::register);
    }
    if (s.aws() != null) {
      own(AwsAccounts.fromConfig(s.aws())).providers(clock).forEach(registry::register);
    }
    if (s.gcp() != null) {
      own(GcpClients.fromConfig(s.gcp())).providers(clock).forEach(registry::register);
    }
  }

  /**
   * Waits until every readiness check passes (Streams has left its first rebalance, the revoker's views caught
   * up): "ready" in the summary then means that the API answers. Polling is fine here: this is start-up, once.
   */
  private boolean awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (checks.stream().allMatch(c -> c.ready().getAsBoolean())) {
        return true;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private String startOrConnectKafka(Settings settings) {
    if (!settings.embeddedKafka()) {
      return settings.kafkaBootstrapServers();
    }
    EmbeddedKafka broker = own(EmbeddedKafka.start(settings.dataDir(), settings.embeddedKafkaPort()));
    return broker.bootstrapServers();
  }

  private Map<String, Object> kafkaProps(Settings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafkaClientProps());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  private ApiAccess apiAccess(Settings settings) {
    List<Grant> grants = new ArrayList<>(List.of(
        new Grant(secrets.get(Secret.API_TOKEN), EnumSet.of(dev.killswitch.schemas.Role.ANALYST,
            dev.killswitch.schemas.Role.REVOKER, dev.killswitch.schemas.Role.APPROVER)),
        new Grant(secrets.get(Secret.AUTHZ_TOKEN), EnumSet.of(dev.killswitch.schemas.Role.AUTHZ))));
    // The ingest token is the default of every bearer source; a source with a token of its own admits only that.
    Map<String, String> own = settings.ingestAuth().sourceTokens();
    Set<String> shared = new java.util.LinkedHashSet<>(IngestAuth.SOURCES);
    shared.removeAll(own.keySet());
    if (!shared.isEmpty()) {
      grants.add(new Grant(secrets.get(Secret.INGEST_TOKEN), EnumSet.of(dev.killswitch.schemas.Role.INGEST), shared));
    }
    own.forEach((source, token) -> grants.add(new Grant(token, EnumSet.of(dev.killswitch.schemas.Role.INGEST),
        Set.of(source))));
    for (ApiTokens.Token t : ApiTokens.of(settings)) {
      grants.add(new Grant(t.value(), t.roles(), t.sources()));
    }
    return new ApiAccess(grants);
  }

  private static void bindJvmMetrics(PrometheusMeterRegistry metrics) {
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
  }

  private static boolean kafkaReachable(Admin admin) {
    try {
      admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    synchronized (resources) {
      if (!closed) {
        resources.push(resource);
        return resource;
      }
    }
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("error while stopping {}: {}", resource.getClass().getSimpleName(), e.toString());
    }
    throw new IllegalStateException("stopped while starting");
  }

  /** The HTTP port actually bound. */
  public int httpPort() {
    return http.port();
  }

  /** A secret as this process resolved it (configured, or generated into the data directory). */
  public String secret(Secret secret) {
    return secrets.get(secret);
  }

  /** The base URL of the HTTP server, for clients on this machine. */
  public String url() {
    String host = settings.httpHost();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
      host = "127.0.0.1";
    }
    return (settings.httpTls() != null ? "https://" : "http://") + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + http.port();
  }

  /** The routes of the HTTP server, as {@link HttpServer#routes()} lists them. */
  public java.util.SortedSet<String> httpRoutes() {
    return http.routes();
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  private void printSummary(Settings settings, Set<Role> roles, PrintStream out, Duration took, boolean ready) {
    String url = (settings.httpTls() != null ? "https://" : "http://") + settings.httpHost() + ":" + http.port();
    out.println();
    out.println("Killswitch is running (" + roles.toString().toLowerCase() + ")");
    out.printf("  HTTP          %s   (API under /v1, /healthz, /readyz, /metrics)%n", url);
    out.printf("  Kafka         %s%s%n", bootstrapServers, settings.embeddedKafka()
        ? "   (embedded broker, data in " + settings.dataDir().resolve("kafka") + ")" : "");
    out.printf("  Data dir      %s%n", settings.dataDir());
    for (Secret s : Secret.values()) {
      var file = secrets.file(s);
      out.printf("  %-13s %s%n", s.fileName(), file != null ? file + "   (or set " + s.env() + ")" : "from " + s.env());
    }
    settings.ingestAuth().sourceTokens().keySet().forEach(source ->
        out.printf("  %-13s %s   (only %s; the ingest token no longer admits it)%n", "ingest-token", "from "
            + IngestAuth.tokenEnv(source), source));
    if (ready) {
      out.printf("Ready in %.1f s. Ctrl-C stops it; acknowledged events are kept.%n", took.toMillis() / 1000.0);
    } else {
      out.printf("Started in %.1f s but not ready yet: see %s/readyz. Ctrl-C stops it.%n", took.toMillis() / 1000.0, url);
    }
    out.flush();
  }

  @Override
  public void close() {
    while (true) {
      AutoCloseable r;
      synchronized (resources) {
        closed = true;
        if (resources.isEmpty()) {
          return;
        }
        r = resources.pop();
      }
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}: {}", r.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
