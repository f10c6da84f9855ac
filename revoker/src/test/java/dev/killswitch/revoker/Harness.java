package dev.killswitch.revoker;

import static org.awaitility.Awaitility.await;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaTestCluster;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * One revoker on the shared test broker with its own topics, an HTTP server on a free port, and helpers to
 * publish chains and requests and to read the ledger topic.
 */
final class Harness implements AutoCloseable {

  static final Duration MAX = Duration.ofSeconds(60);
  static final String REVOKER_TOKEN = "revoker-token-for-tests";
  static final String ANALYST_TOKEN = "analyst-token-for-tests";
  static final String AUTHZ_TOKEN = "authz-token-for-tests";
  static final String APPROVER_TOKEN = "approver-token-for-tests";
  static final ApiAccess ACCESS = new ApiAccess(List.of(
      new ApiAccess.Grant(REVOKER_TOKEN, Set.of(Role.REVOKER)),
      new ApiAccess.Grant(ANALYST_TOKEN, Set.of(Role.ANALYST)),
      new ApiAccess.Grant(AUTHZ_TOKEN, Set.of(Role.AUTHZ)),
      new ApiAccess.Grant(APPROVER_TOKEN, Set.of(Role.APPROVER))));

  final KafkaTestCluster kafka;
  final Topics topics;
  final RevokerConfig config;
  final Clock clock;
  final KafkaProducer<String, byte[]> producer;
  Revoker revoker;
  Javalin http;

  /**
   * @param configure adjusts the defaults (group prefix already unique to the topics)
   * @param providers builds the providers of each revoker started (a restart builds new ones)
   */
  Harness(KafkaTestCluster kafka, Clock clock, Function<RevokerConfig, RevokerConfig> configure) {
    this.kafka = kafka;
    this.topics = kafka.newTopics();
    this.clock = clock;
    this.config = configure.apply(RevokerConfig.defaults(ACCESS).withGroupIdPrefix(topics.prefix() + "-revoker"));
    this.producer = kafka.producer();
  }

  Harness start(ProviderRegistry providers) {
    startWithoutWaiting(providers);
    await().atMost(MAX).until(revoker::isReady);
    return this;
  }

  /** Starts the revoker and its HTTP server without waiting for it to be ready. */
  Harness startWithoutWaiting(ProviderRegistry providers) {
    revoker = new Revoker(config, topics, kafka.clientProps(), new SimpleMeterRegistry(), clock, providers);
    http = Javalin.create(cfg -> revoker.addRoutes(cfg.routes)).start("127.0.0.1", 0);
    revoker.start();
    return this;
  }

  /** Stops the revoker and its HTTP server (the topics and the producer stay). */
  void stop() {
    if (http != null) {
      http.stop();
      http = null;
    }
    if (revoker != null) {
      revoker.close();
      revoker = null;
    }
  }

  @Override
  public void close() {
    stop();
    producer.close();
  }

  String url(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }

  /** A chain rooted at a CI run that minted each credential. */
  void publishChainOf(String run, List<String> credentials) throws Exception {
    Instant t = clock.instant();
    List<ChainSnapshot.Edge> edges = new ArrayList<>();
    for (String c : credentials) {
      edges.add(new ChainSnapshot.Edge(run, c, "minted", 1.0, List.of("ev-" + c), t, t, 1));
    }
    publishChain(run, edges);
  }

  void publishChain(String root, List<ChainSnapshot.Edge> edges) throws Exception {
    String chainId = DeterministicIds.chainId(root);
    ChainSnapshot snapshot = FiredSnapshots.of(root, edges, clock.instant());
    producer.send(CloudEventCodec.toKafka(topics.chains(), new Envelope<>(chainId + "-" + UUID.randomUUID(),
        URI.create("killswitch://correlator"), EventType.CHAIN, root, clock.instant().atOffset(ZoneOffset.UTC),
        chainId, snapshot))).get(30, TimeUnit.SECONDS);
  }

  String request(String target, Mode mode) throws Exception {
    return request(new RevocationRequested("req-" + UUID.randomUUID(), target, Cascade.DOWNSTREAM, "test",
        "trigger:job-completed", mode, clock.instant(), null, false));
  }

  String request(RevocationRequested request) throws Exception {
    producer.send(CloudEventCodec.toKafka(topics.revocationRequests(), new Envelope<>("ce-" + request.requestId(),
        URI.create("killswitch://correlator"), EventType.REVOCATION_REQUESTED, request.target(), null,
        request.target(), request))).get(30, TimeUnit.SECONDS);
    return request.requestId();
  }

  /** The latest result of every action of the request, by target (what compaction would keep). */
  Map<String, RevocationResult> latest(String requestId) {
    Map<String, RevocationResult> byAction = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.revocationResults())) {
      RevocationResult result = CloudEventCodec.fromKafka(r).dataAs(RevocationResult.class);
      if (requestId.equals(result.requestId())) {
        byAction.put(result.actionId(), result);
      }
    }
    Map<String, RevocationResult> byTarget = new LinkedHashMap<>();
    byAction.values().forEach(r -> byTarget.put(r.target(), r));
    return byTarget;
  }

  Optional<RevocationResult> latest(String requestId, String target) {
    return Optional.ofNullable(latest(requestId).get(target));
  }

  /** The latest result of the action on the target; an AssertionError (which Awaitility retries) when none. */
  RevocationResult result(String requestId, String target) {
    RevocationResult r = latest(requestId).get(target);
    if (r == null) {
      throw new AssertionError("no result yet for " + target + " of " + requestId);
    }
    return r;
  }

  /** Every result recorded for the action, in order. */
  List<RevocationResult> history(String requestId, String target) {
    List<RevocationResult> all = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.revocationResults())) {
      RevocationResult result = CloudEventCodec.fromKafka(r).dataAs(RevocationResult.class);
      if (requestId.equals(result.requestId()) && target.equals(result.target())) {
        all.add(result);
      }
    }
    return all;
  }

  static String accessKey(String suffix) {
    String id = ("AKIA" + suffix.replaceAll("[^A-Za-z0-9]", "").toUpperCase() + "XXXXXXXXXXXXXXXX").substring(0, 20);
    return IdentityRef.awsAccessKey("123456789012", id).toString();
  }

  static String run(String id) {
    return IdentityRef.githubRun("acme/app", id).toString();
  }
}
