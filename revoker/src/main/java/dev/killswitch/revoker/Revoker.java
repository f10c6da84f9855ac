package dev.killswitch.revoker;

import dev.killswitch.revoker.internal.ChainView;
import dev.killswitch.revoker.internal.ClientProps;
import dev.killswitch.revoker.internal.ConsumerLoop;
import dev.killswitch.revoker.internal.Offsets;
import dev.killswitch.revoker.internal.ExecuteStage;
import dev.killswitch.revoker.internal.ExecutorLoop;
import dev.killswitch.revoker.internal.Ledger;
import dev.killswitch.revoker.internal.PlanStage;
import dev.killswitch.revoker.internal.Publisher;
import dev.killswitch.revoker.internal.RevocationApi;
import dev.killswitch.revoker.internal.RevokerMetrics;
import dev.killswitch.revoker.internal.TopicView;
import dev.killswitch.revoker.kubernetes.AuthorizationWebhook;
import dev.killswitch.revoker.kubernetes.Denylist;
import dev.killswitch.schemas.Topics;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revoker: plans and executes revocations, keeps the ledger, and serves the Kubernetes authorization
 * webhook that enforces {@code k8s.deny-token}.
 *
 * <p>Reads {@code killswitch.revocation.requests} (group {@code <prefix>-planner}), {@code killswitch.chains},
 * {@code killswitch.revocation.actions} (group {@code <prefix>-executor}), {@code killswitch.revocation.results}
 * and {@code killswitch.denylist}. Writes {@code killswitch.revocation.requests} (HTTP API),
 * {@code killswitch.revocation.actions}, {@code killswitch.revocation.results} and {@code killswitch.deadletter};
 * its providers write where they act (the deny-token provider: {@code killswitch.denylist}).
 *
 * <p>Routes: {@code POST /v1/revocations}, {@code GET /v1/revocations/{requestId}},
 * {@code POST /v1/k8s/authorize/{cluster}}. See revoker/README.md for the flow and its invariants.
 */
public final class Revoker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Revoker.class);
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
  /**
   * How long the webhook trusts the denylist view after it last confirmed it had read its topic to the end; past
   * that (Kafka unreachable, view stuck) the configured {@link RevokerConfig.WebhookFallback} applies.
   */
  public static final Duration DENYLIST_STALE_AFTER = Duration.ofSeconds(10);

  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final KafkaClientMetrics producerMetrics;
  private final ProviderRegistry providers;
  private final TopicView ledgerView;
  private final TopicView chainsView;
  private final TopicView denylistView;
  private final ConsumerLoop planner;
  private final ExecutorLoop executor;
  private final RevocationApi api;
  private final MeterRegistry meters;
  private final ScheduledExecutorService denylistWatch = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "killswitch-revoker-denylist-watch");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean started;

  /**
   * Wires the revoker; nothing runs and nothing connects until {@link #start()}.
   *
   * @param kafkaProps {@code bootstrap.servers} and the deployment's pass-through client settings
   * @param providers the providers of this process, registered at start-up; closed with the revoker
   */
  public Revoker(RevokerConfig config, Topics topics, Map<String, Object> kafkaProps, MeterRegistry meters,
                 Clock clock, ProviderRegistry providers) {
    this.providers = providers;
    RevokerMetrics metrics = new RevokerMetrics(meters);
    this.producer = new KafkaProducer<>(ClientProps.producer(kafkaProps, "killswitch-revoker"),
        new StringSerializer(), new ByteArraySerializer());
    this.producerMetrics = new KafkaClientMetrics(producer);
    this.admin = Admin.create(ClientProps.admin(kafkaProps, "killswitch-revoker-admin"));
    Offsets offsets = new Offsets(admin, KAFKA_TIMEOUT);
    Publisher publisher = new Publisher(producer, topics, clock, KAFKA_TIMEOUT);

    Ledger ledger = new Ledger(topics.revocationRequests());
    this.ledgerView = new TopicView("ledger", List.of(topics.revocationRequests(), topics.revocationResults()),
        ClientProps.consumer(kafkaProps, null, "killswitch-revoker-ledger"), ledger::apply, offsets);
    ChainView chains = new ChainView();
    this.chainsView = new TopicView("chains", List.of(topics.chains()),
        ClientProps.consumer(kafkaProps, null, "killswitch-revoker-chains"), chains::apply, offsets);
    Denylist denylist = new Denylist();
    this.denylistView = new TopicView("denylist", List.of(topics.denylist()),
        ClientProps.consumer(kafkaProps, null, "killswitch-revoker-denylist"), denylist::apply, offsets);
    Gauge.builder("killswitch.revoker.denylist.size", denylist, Denylist::size).register(meters);
    Gauge.builder("killswitch.revoker.denylist.caught.up", () -> denylistFresh() ? 1 : 0).register(meters);

    this.planner = new ConsumerLoop("planner", topics.revocationRequests(),
        ClientProps.consumer(kafkaProps, config.plannerGroupId(), "killswitch-revoker-planner"),
        new PlanStage(publisher, chains, chainsView, ledger, ledgerView, config.guardrails(),
            config.maxActionsPerMinute(), config.approvalRequired(), config.shadow(), clock, metrics, KAFKA_TIMEOUT));
    ExecuteStage execute = new ExecuteStage(publisher, ledger, providers, config.retry(),
        () -> ThreadLocalRandom.current().nextDouble(), config.shadow(), clock, metrics);
    this.executor = new ExecutorLoop(topics.revocationActions(),
        ClientProps.consumer(kafkaProps, config.executorGroupId(), "killswitch-revoker-executor"), execute,
        ledger, ledgerView, config.executorThreads(), clock, KAFKA_TIMEOUT);
    this.api = new RevocationApi(config.access(), publisher, ledger, ledgerView, chains, config.guardrails(),
        new AuthorizationWebhook(denylist, clock, this::denylistFresh, config.webhookWhenBehind()), metrics, clock, config.defaultMode(), offsets,
        config.plannerGroupId());
    this.meters = meters;
  }

  /** True while the denylist view confirmed, within {@link #DENYLIST_STALE_AFTER}, that it read its topic. */
  private boolean denylistFresh() {
    return denylistView.caughtUpWithin(DENYLIST_STALE_AFTER);
  }

  /** Asks every second whether the denylist view is caught up, for the webhook's fail-open/closed decision. */
  private void watchDenylist() {
    try {
      denylistView.refreshCaughtUp(Duration.ofSeconds(2));
    } catch (RevokerException e) {
      LOG.debug("denylist view not confirmed caught up: {}", e.getMessage());
    }
  }

  /** Starts reading: the views first (ledger, chains, denylist), then the planner and the executors. */
  public void start() {
    producerMetrics.bindTo(meters);
    ledgerView.start();
    chainsView.start();
    denylistView.start();
    planner.start();
    executor.start();
    denylistWatch.scheduleWithFixedDelay(this::watchDenylist, 0, 1, TimeUnit.SECONDS);
    started = true;
    LOG.info("revoker started; providers for {}", providers.actions());
  }

  /** True when the views have read their topics up to where they stood at start, and both stages run. */
  public boolean isReady() {
    return started && ledgerView.isReady() && chainsView.isReady() && denylistView.isReady()
        && planner.isRunning() && executor.isRunning();
  }

  /** Registers the revoker's HTTP paths (call while configuring the one Javalin server). */
  public void addRoutes(RoutesConfig routes) {
    api.addRoutes(routes);
  }

  /** Stops the stages (each finishes its batch or leaves it uncommitted), the views, then the clients. */
  @Override
  public void close() {
    started = false;
    denylistWatch.shutdownNow();
    planner.close();
    executor.close();
    ledgerView.close();
    chainsView.close();
    denylistView.close();
    providers.close();
    producerMetrics.close();
    producer.close(Duration.ofSeconds(10));
    admin.close(Duration.ofSeconds(10));
  }
}
