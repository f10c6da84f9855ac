package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator.Request;
import dev.killswitch.testkit.scenarios.GithubIrsa;
import dev.killswitch.testkit.scenarios.GitlabRoleBinding;
import dev.killswitch.testkit.scenarios.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Testkit scenarios through the whole pipeline of one Killswitch (embedded Kafka broker; the real correlator
 * topology and revoker; AWS through the real SDK against {@link dev.killswitch.testkit.fakes.FakeAwsIam}): the
 * normalized events go on the event topics as ingest writes them, the run completes, the job-completed trigger
 * (enforce) asks for a downstream revocation, and the planned actions and their outcomes are checked.
 */
class ScenarioRevocationsIT {

  private static final Duration MAX = Duration.ofSeconds(120);
  private static final Topics TOPICS = Topics.defaults();
  @TempDir static Path dataDir;
  private static Demo.Clouds clouds;
  private static Application app;
  private static ApiClient api;

  @BeforeAll
  static void start() throws IOException {
    clouds = Demo.Clouds.start();
    Settings settings = Settings.load(clouds.writeSettings(dataDir), Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(),
        "KILLSWITCH_HTTP_PORT", "0", "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0"));
    app = Application.start(settings, EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Demo.TUNING);
    api = new ApiClient(java.net.URI.create(app.url()), app.secret(Secret.API_TOKEN), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    app.close();
    clouds.close();
  }

  @Test
  void theGithubIrsaSessionIsDeniedAloneByItsRoleIdAndSessionNameWhenItsRunCompletes() {
    // A live session: minted five minutes ago, for an hour.
    Scenario s = GithubIrsa.scenario(Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS));
    String session = s.ref("session");
    String userId = GithubIrsa.ROLE_ID + ":" + GithubIrsa.SESSION_NAME;

    publishUntilLinkedThenComplete(s.events(), s.ref("run"), session);
    JsonNode revocation = settledRevocationOf(s.ref("run"));

    JsonNode deny = action(revocation, "aws.deny-session", session);
    assertThat(deny.path("outcome").asText()).isEqualTo("revoked");
    assertThat(deny.path("detail").asText()).doesNotContain("escalated").contains("aws:userid = " + userId);
    RevocationAction planned = planned(deny.path("actionId").asText());
    assertThat(planned.params())
        .containsEntry("principal", s.ref("role"))
        .containsEntry("role", "arn:aws:iam::" + GithubIrsa.ACCOUNT + ":role/" + GithubIrsa.ROLE)
        .containsEntry("roleId", GithubIrsa.ROLE_ID)
        .containsEntry("sessionName", GithubIrsa.SESSION_NAME)
        .containsKey("sessionExpiresAt");

    String policy = clouds.aws.rolePolicy(GithubIrsa.ACCOUNT, GithubIrsa.ROLE, "KillswitchDenySessions").orElseThrow();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("secretsmanager:GetSecretValue", "*",
        Map.of("aws:userid", userId)))).as("the run's session").isTrue();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("secretsmanager:GetSecretValue", "*",
        Map.of("aws:userid", GithubIrsa.ROLE_ID + ":botocore-session-1748779999")))).as("a sibling session").isFalse();
    assertThat(clouds.aws.rolePolicy(GithubIrsa.ACCOUNT, GithubIrsa.ROLE, "AWSRevokeOlderSessions")).isEmpty();

    // What the analyst reads: which role session the access key id is, under the session in the CLI's chain.
    StringWriter out = new StringWriter();
    CommandLine cli = Killswitch.commandLine(Map.of("KILLSWITCH_DATA_DIR", dataDir.toString()));
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("chains", "find", session, "--url", app.url())).isZero();
    assertThat(out.toString()).contains("\n    expiresAt=",
        "\n    roleArn=arn:aws:iam::" + GithubIrsa.ACCOUNT + ":role/" + GithubIrsa.ROLE + "\n",
        "\n    roleId=" + GithubIrsa.ROLE_ID + "\n", "\n    sessionName=" + GithubIrsa.SESSION_NAME + "\n");
  }

  @Test
  void aRoleBindingTheGitlabJobsUserCreatedForAServiceAccountLosesTheAccountNotTheUser() {
    // The gitlab-rolebinding scenario, but the binding grants the service account only: its creator (the job's
    // kubeconfig user, actor -minted-> binding) is not a subject and must not be the one removed.
    Scenario s = GitlabRoleBinding.scenario(Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS));
    String user = s.ref("user");
    String binding = s.ref("binding");
    String account = s.ref("serviceAccount");
    String userName = GitlabRoleBinding.OIDC_USER;

    publishUntilLinkedThenComplete(s.events().stream()
        .map(e -> e.type() == EventType.K8S_AUDIT ? withoutSubject(e, user, userName) : e).toList(), s.ref("run"),
        binding);
    JsonNode revocation = settledRevocationOf(s.ref("run"));

    JsonNode chain = api.getJson("/v1/chains?node=" + ApiClient.query(s.ref("run"))).path("chains").get(0);
    assertThat(edges(chain)).contains(user + " minted " + binding, binding + " credential-of " + account)
        .doesNotContain(binding + " credential-of " + user);
    JsonNode remove = action(revocation, "k8s.remove-binding-subject", binding);
    assertThat(planned(remove.path("actionId").asText()).params()).containsEntry("subjects", account);
  }

  /** The audit event with {@code user} taken out of the binding's subjects (normalized data and raw objects). */
  private static Envelope<?> withoutSubject(Envelope<?> event, String userRef, String userName) {
    ObjectNode ce = (ObjectNode) readTree(CloudEventCodec.toStructuredJson(event));
    JsonNode data = ce.path("data");
    if (data.path("bindingChange").isMissingNode()) {
      return event;
    }
    ArrayNode added = (ArrayNode) data.path("bindingChange").path("subjectsAdded");
    for (int i = added.size() - 1; i >= 0; i--) {
      if (added.get(i).asText().equals(userRef)) {
        added.remove(i);
      }
    }
    for (String object : List.of("requestObject", "responseObject")) {
      JsonNode subjects = data.path("raw").path(object).path("subjects");
      for (int i = subjects.size() - 1; i >= 0; i--) {
        if (subjects.get(i).path("name").asText().equals(userName)) {
          ((ArrayNode) subjects).remove(i);
        }
      }
    }
    return CloudEventCodec.fromStructuredJson(ce.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode readTree(byte[] json) {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the events as ingest does: CloudEvents binary mode, keyed, on their topic; acknowledged by all. */
  private static void publish(List<Envelope<?>> events) {
    Properties p = new Properties();
    p.put("bootstrap.servers", app.bootstrapServers());
    p.put("acks", "all");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      for (Envelope<?> e : events) {
        producer.send(CloudEventCodec.toKafka(TOPICS.of(e.type()), e));
      }
      producer.flush();
    }
  }

  /**
   * Every event but the last (the run's completion), then, once the run's chain holds the node, the completion: as
   * {@code killswitch demo} plays it. (A credential that joins a completed run's chain later gets a request of its
   * own, which is not the one these tests read.)
   */
  private static void publishUntilLinkedThenComplete(List<Envelope<?>> events, String run, String node) {
    publish(events.subList(0, events.size() - 1));
    await().atMost(MAX).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
        api.getJson("/v1/chains?node=" + ApiClient.query(run)).path("chains").get(0).path("nodes")
            .toString().contains("\"" + node + "\""));
    publish(events.subList(events.size() - 1, events.size()));
  }

  /** The job-completed trigger's request for the run, once every action has an outcome. */
  private static JsonNode settledRevocationOf(String run) {
    String requestId = DeterministicIds.of("trigger", "job-completed", run);
    JsonNode[] view = new JsonNode[1];
    await().atMost(MAX).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
      view[0] = api.getJson("/v1/revocations/" + requestId);
      return view[0].path("actions").size() > 0
          && RevocationsCommand.SETTLED.contains(view[0].path("status").asText());
    });
    return view[0];
  }

  /** The action as the planner wrote it on the actions topic, with its parameters. */
  private static RevocationAction planned(String actionId) {
    RevocationAction[] found = new RevocationAction[1];
    await().atMost(MAX).pollInterval(Duration.ofMillis(250)).until(() -> {
      found[0] = TopicReader.readAll(app.bootstrapServers(), TOPICS.revocationActions()).stream()
          .map(r -> CloudEventCodec.fromKafka(r).dataAs(RevocationAction.class))
          .filter(a -> a.actionId().equals(actionId)).findFirst().orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  private static JsonNode action(JsonNode revocation, String action, String target) {
    for (JsonNode a : revocation.path("actions")) {
      if (a.path("action").asText().equals(action) && a.path("target").asText().equals(target)) {
        return a;
      }
    }
    throw new AssertionError("no " + action + " of " + target + " in " + revocation);
  }

  private static List<String> edges(JsonNode chain) {
    return StreamSupport.stream(chain.path("edges").spliterator(), false)
        .map(e -> e.path("from").asText() + " " + e.path("kind").asText() + " " + e.path("to").asText()).toList();
  }
}
