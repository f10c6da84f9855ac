package dev.killswitch.ingest;

import dev.killswitch.ingest.internal.Answers;
import dev.killswitch.ingest.internal.CdEventsNormalizer;
import dev.killswitch.ingest.internal.CloudEventsRoute;
import dev.killswitch.ingest.internal.CloudTrailNormalizer;
import dev.killswitch.ingest.internal.CloudTrailRoute;
import dev.killswitch.ingest.internal.Flow;
import dev.killswitch.ingest.internal.GcpAuditNormalizer;
import dev.killswitch.ingest.internal.GcpAuditRoute;
import dev.killswitch.ingest.internal.GithubNormalizer;
import dev.killswitch.ingest.internal.GithubRoute;
import dev.killswitch.ingest.internal.GithubSignature;
import dev.killswitch.ingest.internal.GitlabNormalizer;
import dev.killswitch.ingest.internal.GitlabRoute;
import dev.killswitch.ingest.internal.IngestMetrics;
import dev.killswitch.ingest.internal.K8sAuditNormalizer;
import dev.killswitch.ingest.internal.K8sAuditRoute;
import dev.killswitch.ingest.internal.Publisher;
import dev.killswitch.ingest.internal.PushTokens;
import dev.killswitch.ingest.internal.RecentIds;
import dev.killswitch.ingest.internal.Redactor;
import dev.killswitch.ingest.internal.SourceActivity;
import dev.killswitch.ingest.internal.TektonNormalizer;
import dev.killswitch.schemas.Topics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP receivers that turn source records into normalized CloudEvents on Kafka.
 *
 * <p>Writes {@code killswitch.events.k8s} (Kubernetes audit, keyed by actor), {@code killswitch.events.ci}
 * (GitHub workflow jobs and runs, GitLab jobs and pipelines, CDEvents and Tekton pipeline/task runs, keyed by
 * run), {@code killswitch.events.cloud}
 * (AWS CloudTrail records and GCP Cloud Audit Logs entries, keyed by actor) and {@code killswitch.deadletter}
 * (rejected input, redacted), and {@code killswitch.alerts} through {@link SourceGapMonitor};
 * reads nothing. {@link AuditLogTailer} feeds an apiserver audit-log file through the same normalizer and
 * publisher. A request is answered 2xx only after Kafka acknowledged every event of it; when Kafka does
 * not answer in time it is 503 with Retry-After and the sender retries (event ids are deterministic, so the
 * retry dedupes downstream). Routes are registered on the caller's Javalin server with {@link #addRoutes};
 * the caller owns the producer ({@link #producerDefaults()}) and closes it.
 */
public final class Ingest {

  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
  /** How many GitHub deliveries this process remembers to answer redeliveries without publishing again. */
  static final int RECENT_DELIVERIES = 10_000;

  private final GithubRoute github;
  private final K8sAuditRoute k8sAudit;
  private final GitlabRoute gitlab;
  private final CloudTrailRoute cloudTrail;
  private final GcpAuditRoute gcpAudit;
  private final CloudEventsRoute cloudEvents;
  // What the audit-log tailer and the source-gap monitor share with the routes (package-private accessors).
  private final IngestConfig config;
  private final Topics topics;
  private final Clock clock;
  private final Flow flow;
  private final Publisher publisher;
  private final IngestMetrics metrics;
  private final SourceActivity activity = new SourceActivity();
  private final K8sAuditNormalizer k8sNormalizer;

  public Ingest(IngestConfig config, Topics topics, Producer<String, byte[]> producer, MeterRegistry registry,
                Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(producer, "producer");
    Redactor redactor = new Redactor();
    IngestMetrics metrics = new IngestMetrics(registry);
    Publisher publisher = new Publisher(producer, topics.deadletter(), config.publishTimeout(), clock);
    Flow flow = new Flow(publisher, metrics, redactor, config.maxEventBytes(), clock, activity);
    this.config = config;
    this.topics = topics;
    this.clock = clock;
    this.flow = flow;
    this.publisher = publisher;
    this.metrics = metrics;
    this.k8sNormalizer = new K8sAuditNormalizer(config.ciRunExtraKey(), redactor);
    this.github = new GithubRoute(signature(config.githubSecret()), config.maxRequestBytes(), topics.ciEvents(),
        new GithubNormalizer(redactor), new RecentIds(RECENT_DELIVERIES), flow, metrics);
    this.gitlab = new GitlabRoute(blankToNull(config.gitlabToken()), config.maxRequestBytes(), topics.ciEvents(),
        new GitlabNormalizer(redactor), new RecentIds(RECENT_DELIVERIES), flow, metrics);
    this.k8sAudit = new K8sAuditRoute(config.access(), config.k8sAuditClients(), config.maxRequestBytes(),
        topics.k8sEvents(), k8sNormalizer, flow);
    this.cloudTrail = new CloudTrailRoute(config.access(), config.maxRequestBytes(), topics.cloudEvents(),
        new CloudTrailNormalizer(redactor), flow);
    this.gcpAudit = new GcpAuditRoute(config.access(),
        config.gcpPush() == null ? null : new PushTokens(config.gcpPush(), clock), config.maxRequestBytes(),
        topics.cloudEvents(), new GcpAuditNormalizer(redactor), flow);
    this.cloudEvents = new CloudEventsRoute(config.access(), config.maxRequestBytes(), topics.ciEvents(),
        new CdEventsNormalizer(redactor), new TektonNormalizer(redactor), flow, metrics);
    LOG.info("ingest configured: {}", config);
  }

  /**
   * Registers {@code POST /v1/ingest/github}, {@code POST /v1/ingest/gitlab},
   * {@code POST /v1/ingest/k8s-audit/{cluster}}, {@code POST /v1/ingest/aws/cloudtrail},
   * {@code POST /v1/ingest/gcp/audit} and {@code POST /v1/ingest/cloudevents}.
   */
  public void addRoutes(RoutesConfig routes) {
    routes.post(GithubRoute.PATH, guarded(github));
    routes.post(GitlabRoute.PATH, guarded(gitlab));
    routes.post(K8sAuditRoute.PATH, guarded(k8sAudit));
    routes.post(CloudTrailRoute.PATH, guarded(cloudTrail));
    routes.post(GcpAuditRoute.PATH, guarded(gcpAudit));
    routes.post(CloudEventsRoute.PATH, guarded(cloudEvents));
  }

  /**
   * A bug must still answer in Killswitch's error shape, without touching the exception handling of the
   * server the routes are added to (other modules share it).
   */
  private static Handler guarded(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (Exception e) {
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        Answers.json(ctx, 500, Map.of("error", "internal", "message", "ingest failed on this request; see the server log"));
      }
    };
  }

  /**
   * Producer settings ingest relies on: acks=all and idempotence (a 2xx means durable and a producer retry
   * never duplicates), bounded blocking and delivery so a request fails over to 503 instead of hanging,
   * a short linger to batch the events of one request, and batches large enough to hold a whole request's
   * events of a partition (an audit EventList of 100 events is about 270 KB of CloudEvents before lz4; with the
   * 16 KB default every request was cut into dozens of produce batches, each a fresh lz4 stream, and the
   * broker's per-batch work cost more CPU than the compression saved). The caller adds {@code bootstrap.servers}.
   */
  public static Map<String, Object> producerDefaults() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  IngestConfig config() {
    return config;
  }

  Topics topics() {
    return topics;
  }

  Clock clock() {
    return clock;
  }

  Flow flow() {
    return flow;
  }

  Publisher publisher() {
    return publisher;
  }

  IngestMetrics metrics() {
    return metrics;
  }

  SourceActivity activity() {
    return activity;
  }

  K8sAuditNormalizer k8sNormalizer() {
    return k8sNormalizer;
  }

  private static String blankToNull(String token) {
    if (token == null || token.isBlank()) {
      LOG.warn("no GitLab webhook token configured: {} refuses every request", GitlabRoute.PATH);
      return null;
    }
    return token;
  }

  private static GithubSignature signature(String secret) {
    if (secret == null || secret.isBlank()) {
      LOG.warn("no GitHub webhook secret configured: {} refuses every request", GithubRoute.PATH);
      return null;
    }
    return new GithubSignature(secret);
  }
}
