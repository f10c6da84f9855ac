package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.run;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The correlator on a real broker: CI and audit CloudEvents in, a chain snapshot and a revocation request out. */
@ExtendWith(KafkaClusterExtension.class)
class CorrelatorIT {

  private static final Duration MAX = Duration.ofSeconds(90);

  @Test
  void requestsRevocationOfTheTokenAJobMintedWhenTheJobCompletes(KafkaTestCluster kafka, @TempDir Path stateDir)
      throws Exception {
    Topics topics = kafka.newTopics();
    Map<String, Object> props = kafka.clientProps();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    CorrelatorConfig config = CorrelatorConfig.defaults(stateDir, Harness.ACCESS)
        .withApplicationId("correlator-it-" + topics.prefix());
    String run = run("9001");
    String token = token("jti-1");

    try (Correlator correlator = new Correlator(config, topics, props, new SimpleMeterRegistry())) {
      Javalin http = Javalin.create(cfg -> correlator.addRoutes(cfg.routes)).start("127.0.0.1", 0);
      try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
        correlator.start();
        for (Envelope<?> e : List.of(
            ciJob("d-1", "9001", "71", "queued", null, T0),
            tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)))) {
          String topic = e.type() == EventType.K8S_AUDIT ? topics.k8sEvents() : topics.ciEvents();
          producer.send(CloudEventCodec.toKafka(topic, e)).get();
        }
        // The job completes once the chain knows the token (on a broker the two paths race; a token that joins
        // after the completion gets a request of its own, which CorrelatorTopologyTest covers).
        await().atMost(MAX).until(() -> kafka.readToEnd(topics.chains()).stream()
            .map(r -> CloudEventCodec.fromKafka(r).dataAs(ChainSnapshot.class))
            .anyMatch(c -> c.nodes().stream().anyMatch(n -> n.ref().equals(token))));
        producer.send(CloudEventCodec.toKafka(topics.ciEvents(),
            ciJob("d-2", "9001", "71", "completed", "success", T0.plusSeconds(60)))).get();

        List<ConsumerRecord<String, byte[]>> requests = kafka.consume(topics.revocationRequests(), 1, MAX);
        assertThat(requests).singleElement().satisfies(r -> {
          RevocationRequested request = CloudEventCodec.fromKafka(r).dataAs(RevocationRequested.class);
          assertThat(r.key()).isEqualTo(run);
          assertThat(request.requestId()).isEqualTo(DeterministicIds.of("trigger", "job-completed", run));
          assertThat(request.requestedBy()).isEqualTo("trigger:job-completed");
          assertThat(request.mode()).isEqualTo(RevocationRequested.Mode.DRY_RUN);
        });

        List<ConsumerRecord<String, byte[]>> snapshots = kafka.readToEnd(topics.chains());
        ChainSnapshot last = CloudEventCodec.fromKafka(snapshots.get(snapshots.size() - 1)).dataAs(ChainSnapshot.class);
        assertThat(snapshots).allSatisfy(r -> assertThat(r.key()).isEqualTo(DeterministicIds.chainId(run)));
        assertThat(last.status()).isEqualTo("completed");
        assertThat(last.nodes()).filteredOn(n -> n.ref().equals(token))
            .extracting(ChainSnapshot.Node::revocation).containsExactly("requested");

        assertThat(correlator.isReady()).isTrue();
        JsonNode chains = await().atMost(MAX).until(() -> chainsOf(http, token), c -> c != null && c.size() == 1);
        assertThat(chains.get(0).get("chainId").asText()).isEqualTo(DeterministicIds.chainId(run));
        assertThat(chains.get(0).get("nodes").findValuesAsText("ref")).contains(run, token);
      } finally {
        http.stop();
      }
    }
  }

  /** On IPv6 too: the instances advertise {@code [::1]:port} and forward to {@code http://[::1]:port/...}. */
  @ParameterizedTest(name = "instances at {0}")
  @ValueSource(strings = {"127.0.0.1", "::1"})
  void everyInstanceAnswersEveryQueryByAskingTheInstanceThatHoldsTheKey(String host, KafkaTestCluster kafka,
                                                                       @TempDir Path dirA, @TempDir Path dirB)
      throws Exception {
    assumeTrue(canListenOn(host), "this machine has no " + host);
    Topics topics = kafka.newTopics();
    Map<String, Object> props = kafka.clientProps();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    String applicationId = "correlator-it-" + topics.prefix();
    String run = run("9001");
    String token = token("jti-1");
    String chainId = DeterministicIds.chainId(run);
    List<Instance> instances = List.of(Instance.start(host, applicationId, dirA, topics, props),
        Instance.start(host, applicationId, dirB, topics, props));
    try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
      await().atMost(MAX).until(() -> instances.stream().allMatch(i -> i.correlator.isReady()));
      for (Envelope<?> e : List.of(
          ciJob("d-1", "9001", "71", "queued", null, T0),
          tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)))) {
        String topic = e.type() == EventType.K8S_AUDIT ? topics.k8sEvents() : topics.ciEvents();
        producer.send(CloudEventCodec.toKafka(topic, e)).get();
      }
      // Snapshots of changes within a second are coalesced: wait for one that shows the token.
      await().atMost(MAX).until(() -> kafka.readToEnd(topics.chains()).stream()
          .map(r -> CloudEventCodec.fromKafka(r).dataAs(ChainSnapshot.class))
          .anyMatch(c -> c.nodes().stream().anyMatch(n -> n.ref().equals(token))));

      // Each key lives on one instance, so for each path one of the two answers through the other.
      for (Instance i : instances) {
        JsonNode chains = await().atMost(MAX).until(() -> i.get("/v1/chains?node=" + enc(token)),
            c -> c != null && c.get("chains").size() == 1).get("chains");
        assertThat(chains.get(0).get("chainId").asText()).isEqualTo(chainId);
        JsonNode chain = await().atMost(MAX).until(() -> i.get("/v1/chains/" + chainId), c -> c != null);
        assertThat(chain.get("nodes").findValuesAsText("ref")).contains(run, token);
        JsonNode node = await().atMost(MAX).until(() -> i.get("/v1/identities/" + token), c -> c != null);
        assertThat(node.get("chains").findValuesAsText("chainId")).containsExactly(chainId);
      }
    } finally {
      instances.forEach(Instance::close);
    }
  }

  /** One correlator with its HTTP server, advertising that server as its application.server. */
  private record Instance(Correlator correlator, Javalin http, String hostPort) implements AutoCloseable {

    static Instance start(String host, String applicationId, Path stateDir, Topics topics, Map<String, Object> props)
        throws java.io.IOException {
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getByName(host))) {
        port = s.getLocalPort();
      }
      String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
      CorrelatorConfig config = CorrelatorConfig.defaults(stateDir, Harness.ACCESS).withApplicationId(applicationId)
          .withApplicationServer(hostPort);
      Correlator correlator = new Correlator(config, topics, props, new SimpleMeterRegistry());
      Javalin http = Javalin.create(cfg -> correlator.addRoutes(cfg.routes)).start(host, port);
      correlator.start();
      return new Instance(correlator, http, hostPort);
    }

    /** The JSON answer, or null unless 200 (e.g. 503 while a rebalance moves the key). */
    JsonNode get(String pathAndQuery) throws Exception {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + pathAndQuery))
          .header("Authorization", "Bearer " + Harness.ANALYST_TOKEN).build();
      HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : null;
    }

    @Override
    public void close() {
      http.stop();
      correlator.close();
    }
  }

  private static boolean canListenOn(String host) {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getByName(host))) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The chains answer, or null while the stores are not queryable yet. */
  private static JsonNode chainsOf(Javalin http, String node) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/v1/chains?node="
            + URLEncoder.encode(node, StandardCharsets.UTF_8)))
        .header("Authorization", "Bearer " + Harness.ANALYST_TOKEN).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? Json.mapper().readTree(r.body()).get("chains") : null;
  }
}
