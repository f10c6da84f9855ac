package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import dev.killswitch.testkit.DedicatedKafkaCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out proof (issue 8): a 3-broker KRaft cluster, and two instances of each role as separate JVMs started from
 * the fat jar exactly as an operator runs them ({@code java -jar killswitch.jar ingest|correlator|revoker}). GitHub
 * runs, each with a TokenRequest, go in through both ingest instances, alternating; one correlator and one
 * revoker are killed (SIGKILL) while runs are in flight. Then: every chain is complete, every revocation has exactly
 * one final result per action in the results topic and in the surviving revoker's ledger, and each correlator
 * answers every query, for keys it holds and keys the other one holds.
 */
class ScaleOutIT {

  private static final Logger LOG = LoggerFactory.getLogger(ScaleOutIT.class);
  private static final Path JAR = Path.of("target", "killswitch.jar");
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final int RUNS_BEFORE_KILL = 4;
  private static final int RUNS_AFTER_KILL = 4;
  private static final Duration START_BOUND = Duration.ofSeconds(150);
  private static final Duration CHAIN_BOUND = Duration.ofSeconds(120);

  private static final Map<String, String> SECRETS = Map.of(
      "KILLSWITCH_API_TOKEN", "scale-out-api-token-0123456789",
      "KILLSWITCH_INGEST_TOKEN", "scale-out-ingest-token-0123456789",
      "KILLSWITCH_GITHUB_SECRET", "scale-out-github-secret-0123456789",
      "KILLSWITCH_GITLAB_TOKEN", "scale-out-gitlab-token-0123456789",
      "KILLSWITCH_AUTHZ_TOKEN", "scale-out-authz-token-0123456789");

  @TempDir Path work;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Instance> instances = new ArrayList<>();
  private DedicatedKafkaCluster kafkaForDiagnostics;

  /** One Killswitch JVM. */
  private record Instance(String name, String role, int port, Process process, Path log) {
    String base() {
      return "http://127.0.0.1:" + port;
    }
  }

  /** One GitHub run of the scenario and what it should become. */
  private record Run(int n, String runRef, String tokenRef, String requestId) {}

  @Test
  void twoInstancesOfEveryRoleOnThreeBrokersSurviveLosingACorrelatorAndARevokerMidStream() throws Exception {
    assertThat(JAR).as("the fat jar (built in the package phase, before failsafe runs)").isRegularFile();
    long t0 = System.nanoTime();
    try (DedicatedKafkaCluster kafka = DedicatedKafkaCluster.start(3)) {
      try {
        scenario(kafka, t0);
      } finally {
        stopInstances();   // before the brokers go: a graceful stop needs Kafka
      }
    }
  }

  private void scenario(DedicatedKafkaCluster kafka, long t0) throws Exception {
    kafkaForDiagnostics = kafka;
    {
      long tKafka = System.nanoTime();
      Instance ingest1 = start(kafka, "ingest-1", "ingest");
      Instance ingest2 = start(kafka, "ingest-2", "ingest");
      Instance correlator1 = start(kafka, "correlator-1", "correlator");
      Instance correlator2 = start(kafka, "correlator-2", "correlator");
      Instance revoker1 = start(kafka, "revoker-1", "revoker");
      Instance revoker2 = start(kafka, "revoker-2", "revoker");
      for (Instance i : instances) {
        awaitReady(i);
      }
      long tReady = System.nanoTime();
      LOG.info("3 brokers in {} ms, 6 instances ready {} ms later", ms(tKafka - t0), ms(tReady - tKafka));

      // Phase 1: runs through both ingest instances, alternating; all six processes up.
      List<Run> runs = new ArrayList<>();
      for (int n = 1; n <= RUNS_BEFORE_KILL; n++) {
        runs.add(drive(n, n % 2 == 0 ? ingest2 : ingest1, n % 2 == 0 ? ingest1 : ingest2, true));
      }
      for (Run run : runs) {
        awaitChainRevoked(correlator1, run);
      }
      // Every query answered by either correlator: each holds some keys, forwards the rest to the other.
      for (Run run : runs) {
        assertThat(chainRoot(correlator1, run)).isEqualTo(run.runRef());
        assertThat(chainRoot(correlator2, run)).isEqualTo(run.runRef());
        assertThat(identityKnown(correlator1, run)).isTrue();
        assertThat(identityKnown(correlator2, run)).isTrue();
      }
      long tPhase1 = System.nanoTime();

      // Phase 2: runs start, then a correlator and a revoker die while the runs complete and revocations flow.
      List<Run> late = new ArrayList<>();
      for (int n = RUNS_BEFORE_KILL + 1; n <= RUNS_BEFORE_KILL + RUNS_AFTER_KILL; n++) {
        late.add(drive(n, n % 2 == 0 ? ingest2 : ingest1, n % 2 == 0 ? ingest1 : ingest2, false));
      }
      complete(late.get(0), ingest1);
      complete(late.get(1), ingest2);
      long tKill = System.nanoTime();
      kill(correlator2);
      kill(revoker2);
      for (int i = 2; i < late.size(); i++) {
        complete(late.get(i), i % 2 == 0 ? ingest1 : ingest2);
      }
      runs.addAll(late);

      // The survivors take over: every chain complete and revoked, asked of the remaining correlator.
      for (Run run : late) {
        awaitChainRevoked(correlator1, run);
      }
      long tRecovered = System.nanoTime();
      for (Run run : runs) {
        JsonNode chain = chain(correlator1, run);
        assertThat(chain.path("root").asText()).isEqualTo(run.runRef());
        assertThat(chain.path("status").asText()).as(run.runRef()).isIn("completed", "revoked");
        assertThat(nodeKinds(chain)).as(run.runRef()).containsKeys(run.runRef(), run.tokenRef(),
            "k8s:prod:sa/deploy/deployer");
        assertThat(identityKnown(correlator1, run)).isTrue();
      }

      // Every token revoked, every action exactly once. A token is covered by its run's job-completed request, or,
      // when its edge reached the chain only after the completion (the two travel through different partitions
      // and, with two correlators, different transactions; a query can show a correlator's state before its
      // transaction commits), by a job-completed request of its own (docs/correlation.md, "Triggers"). Either
      // way: planned by the surviving revoker ("done" with the action; before 01ecbe5 the revoker answered "done"
      // with no actions for a moment, docs/operations.md) ...
      Map<String, Run> byToken = new LinkedHashMap<>();
      for (Run run : runs) {
        byToken.put(run.tokenRef(), run);
        JsonNode revocation = await().atMost(CHAIN_BOUND).pollInterval(Duration.ofMillis(250)).until(
            () -> coveringRevocation(revoker1, run), r -> r != null);
        assertThat(revocation.path("request").path("requestedBy").asText()).isEqualTo("trigger:job-completed");
        assertThat(revocation.path("actions")).hasSize(1);
        JsonNode action = revocation.path("actions").get(0);
        assertThat(action.path("action").asText()).isEqualTo("k8s.deny-token");
        assertThat(action.path("target").asText()).isEqualTo(run.tokenRef());
        assertThat(action.path("outcome").asText()).isEqualTo("dry-run");
        assertThat(action.path("actionId").asText()).isEqualTo(DeterministicIds.actionId(
            revocation.path("request").path("requestId").asText(), "k8s.deny-token", run.tokenRef()));
      }
      // ... and in the results topic: one final result per action id, only deny-token actions of these runs'
      // tokens, requested by the run's request or the token's own, and every token among them.
      Map<String, List<String>> finals = new LinkedHashMap<>();
      Set<String> revokedTokens = new HashSet<>();
      for (ConsumerRecord<String, byte[]> r : kafka.cluster().readToEnd(Topics.defaults().revocationResults())) {
        JsonNode result = Json.mapper().readTree(r.value());
        Run run = byToken.get(result.path("target").asText());
        assertThat(run).as("result for an unknown target: %s", result).isNotNull();
        assertThat(result.path("action").asText()).isEqualTo("k8s.deny-token");
        assertThat(result.path("requestId").asText()).isIn(run.requestId(), lateRequestId(run));
        if (!"pending".equals(result.path("outcome").asText())) {
          finals.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(result.path("outcome").asText());
          revokedTokens.add(run.tokenRef());
        }
      }
      assertThat(finals).allSatisfy((id, outcomes) -> assertThat(outcomes).as(id).containsExactly("dry-run"));
      assertThat(revokedTokens).isEqualTo(byToken.keySet());

      long tEnd = System.nanoTime();
      LOG.info("ScaleOutIT: cluster {} ms, instances ready {} ms, phase 1 ({} runs) {} ms, kill -> every late run "
              + "revoked {} ms, whole test {} ms", ms(tKafka - t0), ms(tReady - tKafka), RUNS_BEFORE_KILL,
          ms(tPhase1 - tReady), ms(tRecovered - tKill), ms(tEnd - t0));
    }
  }

  /** Sends a run's start and its TokenRequest, one through each ingest instance; completes it when asked. */
  private Run drive(int n, Instance first, Instance second, boolean complete) throws Exception {
    long runId = 3_000_000_000L + n;
    long jobId = 4_000_000_000L + n;
    String runRef = "ci:github:Codertocat/Hello-World/runs/" + runId;
    String jti = UUID.nameUUIDFromBytes(("scale-out-" + n).getBytes(StandardCharsets.UTF_8)).toString();
    Run run = new Run(n, runRef, "k8s:prod:token/" + jti, DeterministicIds.of("trigger", "job-completed", runRef));

    ObjectNode job = (ObjectNode) Json.mapper().readTree(EXAMPLES.resolve("github/workflow_job.in_progress.json").toFile());
    ((ObjectNode) job.path("workflow_job")).put("id", jobId).put("run_id", runId);
    assertThat(postGithub(first, "scale-" + n + "-start", job).statusCode()).isEqualTo(200);

    ObjectNode audit = (ObjectNode) Json.mapper().readTree(EXAMPLES.resolve("k8s/tokenrequest.json").toFile());
    ObjectNode event = (ObjectNode) audit.path("items").get(0);
    event.put("auditID", UUID.nameUUIDFromBytes(("audit-" + n).getBytes(StandardCharsets.UTF_8)).toString());
    ObjectNode extra = (ObjectNode) event.path("user").path("extra");
    extra.set("killswitch.dev/ci-run", Json.mapper().createArrayNode().add(runRef));
    extra.set("killswitch.dev/ci-job", Json.mapper().createArrayNode()
        .add("ci:github:Codertocat/Hello-World/jobs/" + jobId));
    ((ObjectNode) event.path("annotations")).put("authentication.kubernetes.io/issued-credential-id", "JTI=" + jti);
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(second.base() + "/v1/ingest/k8s-audit/prod"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + SECRETS.get("KILLSWITCH_INGEST_TOKEN"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(audit))).build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    // The run completes once a correlator shows the token in the run's chain, so that the run's own request usually
    // covers it. Not always: the query reads the correlator's state before its transaction commits, and a completion
    // committed by the other correlator can still overtake the token (the token then gets a request of its own).
    awaitTokenInChain(run);
    if (complete) {
      complete(run, first);
    }
    return run;
  }

  /** The job-completed request of the run's own id for a token that joined the chain after the completion. */
  private static String lateRequestId(Run run) {
    return DeterministicIds.of("trigger", "job-completed", run.runRef(), run.tokenRef());
  }

  /**
   * The revocation (as {@code GET /v1/revocations/{id}} answers it) that covers the run's token once planned: the
   * run's request if it holds the token's action, else the token's own request; null while neither does.
   */
  private JsonNode coveringRevocation(Instance revoker, Run run) throws Exception {
    for (String id : List.of(run.requestId(), lateRequestId(run))) {
      JsonNode r = getJson(revoker, "/v1/revocations/" + id);
      if (r != null && "done".equals(r.path("status").asText()) && r.path("actions").size() > 0) {
        return r;
      }
    }
    return null;
  }

  private void awaitTokenInChain(Run run) {
    Instance correlator = instances.stream().filter(i -> i.role().equals("correlator") && i.process().isAlive())
        .findFirst().orElseThrow();
    await().atMost(CHAIN_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> {
      JsonNode chains = getJson(correlator, "/v1/chains?node=" + run.tokenRef());
      return chains != null && chains.path("chains").size() == 1
          && run.runRef().equals(chains.path("chains").get(0).path("root").asText());
    });
  }

  private void complete(Run run, Instance ingest) throws Exception {
    ObjectNode job = (ObjectNode) Json.mapper().readTree(EXAMPLES.resolve("github/workflow_job.completed.json").toFile());
    ((ObjectNode) job.path("workflow_job")).put("id", 4_000_000_000L + run.n()).put("run_id", 3_000_000_000L + run.n());
    HttpResponse<String> r = postGithub(ingest, "scale-" + run.n() + "-done", job);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private void awaitChainRevoked(Instance correlator, Run run) throws Exception {
    try {
      await().atMost(CHAIN_BOUND).pollInterval(Duration.ofMillis(250)).until(
          () -> "dry-run".equals(tokenRevocation(correlator, run)));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder why = new StringBuilder("run " + run.runRef() + " not revoked in time via " + correlator.name()
          + "\nchains: " + getJson(correlator, "/v1/chains?node=" + run.tokenRef()));
      why.append("\nidentity: ").append(getJson(correlator, "/v1/identities/" + run.tokenRef()));
      String late = DeterministicIds.of("trigger", "job-completed", run.runRef(), run.tokenRef());
      for (Instance i : instances) {
        if (i.role().equals("revoker") && i.process().isAlive()) {
          why.append("\n").append(i.name()).append(" ledger: ").append(getJson(i, "/v1/revocations/" + run.requestId()));
          why.append("\n").append(i.name()).append(" late ledger: ").append(getJson(i, "/v1/revocations/" + late));
        }
      }
      if (kafkaForDiagnostics != null) {
        for (String topic : List.of(Topics.defaults().revocationRequests(), Topics.defaults().revocationResults())) {
          why.append("\n").append(topic).append(":");
          for (ConsumerRecord<String, byte[]> r : kafkaForDiagnostics.cluster().readToEnd(topic)) {
            why.append("\n  ").append(r.partition()).append("@").append(r.offset()).append(" ").append(r.key())
                .append(" ").append(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
      }
      throw new AssertionError(why + "\n" + tails(), e);
    }
  }

  private String tails() {
    StringBuilder out = new StringBuilder();
    for (Instance i : instances) {
      out.append("\n===== ").append(i.name()).append(" (").append(i.log()).append(")\n").append(tail(i));
    }
    return out.toString();
  }

  private String tokenRevocation(Instance correlator, Run run) throws Exception {
    JsonNode chains = getJson(correlator, "/v1/chains?node=" + run.tokenRef());
    if (chains == null) {
      return "";
    }
    for (JsonNode chain : chains.path("chains")) {
      for (JsonNode node : chain.path("nodes")) {
        if (run.tokenRef().equals(node.path("ref").asText())) {
          return node.path("revocation").asText("");
        }
      }
    }
    return "";
  }

  /** The run's chain as this correlator answers it (owner or not); the query is retried only on 503. */
  private JsonNode chain(Instance correlator, Run run) throws Exception {
    JsonNode chains = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> getJson(correlator, "/v1/chains?node=" + run.tokenRef()), c -> c != null);
    ArrayNode list = (ArrayNode) chains.path("chains");
    assertThat(list).as(correlator.name() + " " + run.tokenRef()).hasSize(1);
    String chainId = list.get(0).path("chainId").asText();
    JsonNode byId = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> getJson(correlator, "/v1/chains/" + chainId), c -> c != null);
    assertThat(byId.path("chainId").asText()).isEqualTo(chainId);
    return byId;
  }

  private String chainRoot(Instance correlator, Run run) throws Exception {
    return chain(correlator, run).path("root").asText();
  }

  private boolean identityKnown(Instance correlator, Run run) {
    JsonNode identity = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> getJson(correlator, "/v1/identities/" + run.tokenRef()), c -> c != null);
    return identity.path("inbound").toString().contains(run.runRef()) || identity.toString().contains(run.runRef());
  }

  private static Map<String, String> nodeKinds(JsonNode chain) {
    Map<String, String> out = new HashMap<>();
    chain.path("nodes").forEach(n -> out.put(n.path("ref").asText(), n.path("kind").asText()));
    return out;
  }

  /** 200 -> the JSON; 503 (rebalancing, or an instance gone) and 404 (not there yet) -> null; others fail. */
  private JsonNode getJson(Instance instance, String path) throws Exception {
    HttpResponse<String> r;
    try {
      r = send(HttpRequest.newBuilder(URI.create(instance.base() + path))
          .header("Authorization", "Bearer " + SECRETS.get("KILLSWITCH_API_TOKEN")).GET().build());
    } catch (IOException e) {
      return null;
    }
    if (r.statusCode() == 200) {
      return Json.mapper().readTree(r.body());
    }
    assertThat(r.statusCode()).as(instance.name() + " " + path + ": " + r.body()).isIn(404, 503);
    return null;
  }

  private HttpResponse<String> postGithub(Instance ingest, String delivery, JsonNode payload) throws Exception {
    byte[] body = Json.mapper().writeValueAsBytes(payload);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRETS.get("KILLSWITCH_GITHUB_SECRET").getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return send(HttpRequest.newBuilder(URI.create(ingest.base() + "/v1/ingest/github"))
        .header("Content-Type", "application/json")
        .header("X-GitHub-Event", "workflow_job")
        .header("X-GitHub-Delivery", delivery)
        .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(request, (k, v) -> true).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code java -jar killswitch.jar <role>} with its own port and data directory and the shared secrets. */
  private Instance start(DedicatedKafkaCluster kafka, String name, String role) throws IOException {
    int port = freePort();
    Path dataDir = Files.createDirectories(work.resolve(name));
    Path log = Files.createDirectories(Path.of("target", "scale-out")).resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xss512k", "-jar", JAR.toAbsolutePath().toString(), role)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("KILLSWITCH_") || k.startsWith("KAFKA_"));
    env.putAll(SECRETS);
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KILLSWITCH_HTTP_HOST", "127.0.0.1");
    env.put("KILLSWITCH_HTTP_PORT", Integer.toString(port));
    env.put("KILLSWITCH_DATA_DIR", dataDir.toString());
    // A member that died leaves its consumer groups (and Streams its tasks) after 6 s instead of 45 s.
    env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
    Instance instance = new Instance(name, role, port, pb.start(), log);
    instances.add(instance);
    return instance;
  }

  private void awaitReady(Instance instance) {
    await().atMost(START_BOUND).pollInterval(Duration.ofMillis(500)).until(() -> {
      assertThat(instance.process().isAlive()).as(instance.name() + " exited: " + tail(instance)).isTrue();
      try {
        return send(HttpRequest.newBuilder(URI.create(instance.base() + "/readyz")).GET().build()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private void kill(Instance instance) throws InterruptedException {
    instance.process().destroyForcibly();
    assertThat(instance.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    LOG.info("killed {} (SIGKILL)", instance.name());
  }

  @AfterEach
  void stopInstances() throws Exception {
    if (instances.isEmpty()) {
      return;
    }
    for (Instance i : instances) {
      i.process().destroy();
    }
    for (Instance i : instances) {
      if (!i.process().waitFor(20, TimeUnit.SECONDS)) {
        i.process().destroyForcibly();
      }
    }
    instances.clear();
  }

  private static String tail(Instance instance) {
    try {
      List<String> lines = Files.readAllLines(instance.log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
