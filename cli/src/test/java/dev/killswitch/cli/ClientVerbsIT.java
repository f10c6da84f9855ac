package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client verb against one running Killswitch (embedded broker, HTTP on a free port, a temporary data
 * directory), through {@link Killswitch#commandLine(Map)} exactly as the shell runs it: output, and the exit codes
 * docs/cli.md promises. The README tour's events go in through {@code replay} first.
 */
class ClientVerbsIT {

  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  private static final String RUN = "ci:github:Codertocat/Hello-World/runs/2202229078";
  private static final String TOKEN = "k8s:prod:token/7f4c6a8e-2f1b-4d5e-9c3a-0b8d6e1f2a34";
  private static final String SOAR_TOKEN = "soar-playbook-token-0123456789";

  @TempDir static Path dataDir;
  private static Application app;
  private static Map<String, String> env;

  record Result(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return Json.mapper().readTree(out);
    }
  }

  @BeforeAll
  static void startKillswitchAndReplayTheTour() throws Exception {
    Path config = Files.writeString(dataDir.resolve("killswitch.yaml"), """
        tokens:
          - name: soar
            roles: [revoker]
            token: %s
        """.formatted(SOAR_TOKEN));
    env = Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", "0",
        "KILLSWITCH_EMBEDDED_KAFKA_PORT", "0");
    app = Application.start(Settings.load(config, env), EnumSet.allOf(Role.class),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    env = Map.of("KILLSWITCH_DATA_DIR", dataDir.toString(), "KILLSWITCH_HTTP_PORT", String.valueOf(app.httpPort()));

    Result tour = run("replay", "--cluster", "prod", EXAMPLES.resolve("github/workflow_job.in_progress.json").toString(),
        EXAMPLES.resolve("k8s/tokenrequest.json").toString(), EXAMPLES.resolve("github/workflow_job.completed.json").toString());
    assertThat(tour.exit()).as(tour.err()).isZero();
    assertThat(tour.out()).contains("replayed 3 events from 3 file(s)").contains("3 accepted, 0 duplicate, 0 ignored, 0 rejected");
    // The job completed: the trigger's dry-run revocation of the token lands in the chain.
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      Result r = run("chains", "find", TOKEN, "-o", "json");
      return r.exit() == 0 && r.out().contains("\"dry-run\"");
    });
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void replayingTheSameWebhooksAgainIsAnsweredAsDuplicates() {
    Result r = run("replay", EXAMPLES.resolve("github").toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("replayed 2 events from 2 file(s)").contains("0 accepted, 2 duplicate");
  }

  @Test
  void replaySendsARecordingOfEverySupportedSourceToItsPathAndIngestAcceptsThem() throws Exception {
    Result r = run("replay", "--cluster", "fixtures", "-o", "json", FIXTURES.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode s = r.json();
    // github run, gitlab job, 2 CloudTrail files, 1 GCP entry, 1 CDEvent, an audit log of several lines + 1 event
    assertThat(s.path("files").asInt()).isEqualTo(8);
    assertThat(s.path("rejected").asInt()).isZero();
    assertThat(s.path("accepted").asInt() + s.path("ignored").asInt() + s.path("duplicates").asInt())
        .isEqualTo(s.path("events").asInt());
    assertThat(s.path("accepted").asInt()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void aProgressBarWithCountRateAndEtaIsDrawnWhenAskedAndNeverWhenStderrIsNoTerminal() {
    Result always = run("replay", "--progress", "always", EXAMPLES.resolve("github").toString());
    assertThat(always.err()).contains("\rreplay [").contains("2/2 events").contains("/s").contains("ETA");
    Result auto = run("replay", EXAMPLES.resolve("github").toString());
    assertThat(auto.err()).doesNotContain("replay [");
    assertThat(auto.out()).startsWith("replayed 2 events");
  }

  @Test
  void aFileOfUnknownKindOrAnAuditFileWithoutClusterSendsNothingAndIsAUsageError(@TempDir Path dir) throws Exception {
    Path notes = Files.writeString(dir.resolve("notes.json"), "{\"hello\":\"world\"}");
    Result r = run("replay", EXAMPLES.resolve("github/workflow_job.completed.json").toString(), notes.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("nothing was sent").contains("notes.json: a JSON object of no known kind");

    Result noCluster = run("replay", EXAMPLES.resolve("k8s/tokenrequest.json").toString());
    assertThat(noCluster.exit()).isEqualTo(2);
    assertThat(noCluster.err()).contains("--cluster");
    assertThat(run("replay", dir.resolve("missing.json").toString()).exit()).isEqualTo(2);
  }

  @Test
  void chainsFindShowsWhereTheTokenCameFromAndJsonForScripts() throws Exception {
    Result table = run("chains", "find", TOKEN);
    assertThat(table.exit()).isZero();
    assertThat(table.out()).contains("CHAIN").contains(RUN).contains("-minted->").contains("-credential-of->")
        .contains("k8s:prod:sa/deploy/deployer");

    JsonNode json = run("chains", "find", TOKEN, "-o", "json").json();
    assertThat(json.path("chains").get(0).path("root").asText()).isEqualTo(RUN);
  }

  @Test
  void chainsFindOfAnIdentityInNoChainExits4() {
    Result r = run("chains", "find", "k8s:prod:token/00000000-0000-0000-0000-000000000000");
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("no chain contains");
  }

  @Test
  void chainsShowPrintsNodesEdgesWithConfidenceAndEvidenceAndAnUnknownChainExits4() throws Exception {
    String chainId = run("chains", "find", TOKEN, "-o", "json").json().path("chains").get(0).path("chainId").asText();
    Result r = run("chains", "show", chainId);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Root        " + RUN).contains("CONFIDENCE").contains("1.00").contains("EVIDENCE")
        .contains(TOKEN);
    assertThat(run("chains", "show", chainId, "-o", "json").json().path("chainId").asText()).isEqualTo(chainId);

    Result unknown = run("chains", "show", "0123456789abcdef0123456789abcdef");
    assertThat(unknown.exit()).isEqualTo(4);
  }

  @Test
  void identitiesShowTellsWhatMintedTheTokenAndWhatItIsAndAnUnknownIdentityExits4() throws Exception {
    Result r = run("identities", "show", TOKEN);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Kind        k8s-token").contains("Inbound").contains("-minted->").contains(RUN);
    assertThat(run("identities", "show", TOKEN, "-o", "json").json().path("ref").asText()).isEqualTo(TOKEN);

    assertThat(run("identities", "show", "k8s:prod:sa/nowhere/nobody").exit()).isEqualTo(4);
  }

  @Test
  void aDryRunRevocationShowsThePlanAndAnEnforcedOneRevokesTheToken() throws Exception {
    Result dry = run("revoke", TOKEN, "--reason", "leaked in a build log", "--dry-run", "--expires-in", "2h");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("Mode        dry-run, cascade downstream, until").contains("k8s.deny-token")
        .contains("dry-run").contains("Status      done");

    Result enforce = run("revoke", TOKEN, "--reason", "leaked in a build log", "--cascade", "none",
        "--request-id", "it-enforce-1", "-o", "json");
    assertThat(enforce.exit()).as(enforce.err()).isZero();
    JsonNode view = enforce.json();
    assertThat(view.path("status").asText()).isEqualTo("done");
    assertThat(view.path("actions").get(0).path("outcome").asText()).isEqualTo("revoked");

    Result shown = run("revocations", "show", "it-enforce-1", "--wait");
    assertThat(shown.exit()).isZero();
    assertThat(shown.out()).contains("Request     it-enforce-1").contains("revoked").contains("by user:sha256:");
  }

  @Test
  void revokeWithNoWaitAnswersTheRequestIdAtOnce() throws Exception {
    Result r = run("revoke", RUN, "--reason", "no wait", "--dry-run", "--no-wait", "-o", "json");
    assertThat(r.exit()).isZero();
    String id = r.json().path("requestId").asText();
    assertThat(id).isNotBlank();
    assertThat(run("revocations", "show", id, "--wait").exit()).isZero();
  }

  /** Exactly what docs/soc-integration.md tells a playbook to produce with kcat (binary-mode CloudEvent). */
  @Test
  void aPlaybookProducingTheDocumentedBinaryModeCloudEventGetsItsRevocationPlannedAndRecorded() throws Exception {
    String requestId = "soar-case-4711-" + System.nanoTime();
    String data = "{\"requestId\":\"" + requestId + "\",\"target\":\"" + TOKEN + "\",\"cascade\":\"none\","
        + "\"reason\":\"token leaked in a build log (case 4711)\",\"requestedBy\":\"playbook:leaked-token\","
        + "\"mode\":\"dry-run\",\"requestedAt\":\"2026-01-01T00:00:00Z\"}";
    var record = new org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>("killswitch.revocation.requests",
        TOKEN, data.getBytes(StandardCharsets.UTF_8));
    for (String[] h : new String[][] {{"ce_specversion", "1.0"}, {"ce_id", requestId}, {"ce_source", "playbook://soar/leaked-token"},
        {"ce_type", "dev.killswitch.revocation.requested.v1"}, {"ce_time", "2026-01-01T00:00:00Z"},
        {"ce_subject", TOKEN}, {"ce_partitionkey", TOKEN}, {"content-type", "application/json"}}) {
      record.headers().add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
    }
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", app.bootstrapServers());
    p.put("acks", "all");
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(p,
        new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(record).get();
    }
    Result shown = run("revocations", "show", requestId, "--wait", "-o", "json");
    assertThat(shown.exit()).as(shown.err()).isZero();
    JsonNode view = shown.json();
    assertThat(view.path("request").path("requestedBy").asText()).isEqualTo("playbook:leaked-token");
    assertThat(view.path("actions").get(0).path("action").asText()).isEqualTo("k8s.deny-token");
    assertThat(view.path("actions").get(0).path("outcome").asText()).isEqualTo("dry-run");
  }

  @Test
  void anUnknownRevocationExits4() {
    Result r = run("revocations", "show", "no-such-request");
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("no revocation request no-such-request");
    assertThat(run("revocations", "approve", "no-such-request").exit()).isEqualTo(4);
  }

  @Test
  void approvingARequestWithNothingAwaitingApprovalFails() {
    assertThat(run("revoke", TOKEN, "--reason", "approve", "--dry-run", "--request-id", "it-approve-1").exit()).isZero();
    Result r = run("revocations", "approve", "it-approve-1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("has no action awaiting approval");
  }

  @Test
  void usageErrorsExit2() {
    assertThat(run("revoke", TOKEN).exit()).as("--reason is required").isEqualTo(2);
    assertThat(run("revoke", TOKEN, "--reason", "x", "--cascade", "sideways").exit()).isEqualTo(2);
    assertThat(run("revoke", TOKEN, "--reason", "x", "--expires-in", "soon").exit()).isEqualTo(2);
    Result badRef = run("revoke", "not-a-reference", "--reason", "x", "--dry-run");
    assertThat(badRef.exit()).isEqualTo(2);
    assertThat(run("chains", "find", "k8s:").exit()).isEqualTo(2);
    assertThat(run("no-such-verb").exit()).isEqualTo(2);
  }

  @Test
  void aWrongTokenExits5AndATokenWithoutTheRoleToo() throws Exception {
    Map<String, String> wrong = new HashMap<>(env);
    wrong.put("KILLSWITCH_API_TOKEN", "not-the-token-of-this-killswitch");
    Result r = run(wrong, "chains", "find", TOKEN);
    assertThat(r.exit()).isEqualTo(5);
    assertThat(r.err()).contains("unauthorized");
    assertThat(run(wrong, "revoke", TOKEN, "--reason", "x", "--dry-run").exit()).isEqualTo(5);

    Path ingestToken = dataDir.resolve("secrets").resolve("ingest-token");
    Result forbidden = run("chains", "find", TOKEN, "--token-file", ingestToken.toString());
    assertThat(forbidden.exit()).isEqualTo(5);
    assertThat(forbidden.err()).contains("forbidden");
  }

  @Test
  void aRevokerOnlyTokenFromTheYamlSettingsMayRevokeButNotReadChains(@TempDir Path dir) throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("soar-token"), SOAR_TOKEN + "\n");
    Result revoke = run("revoke", TOKEN, "--reason", "playbook", "--dry-run", "--token-file", tokenFile.toString());
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    assertThat(revoke.out()).contains("k8s.deny-token");
    Result read = run("chains", "find", TOKEN, "--token-file", tokenFile.toString());
    assertThat(read.exit()).isEqualTo(5);
    assertThat(read.err()).contains("forbidden");
  }

  @Test
  void anUnreachableKillswitchExits6() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Result r = run("chains", "find", TOKEN, "--url", "http://127.0.0.1:" + closed);
    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err()).contains("not reachable at http://127.0.0.1:" + closed);
    assertThat(run("replay", "--url", "http://127.0.0.1:" + closed, EXAMPLES.resolve("github").toString()).exit())
        .isEqualTo(6);
  }

  @Test
  void configCheckPrintsTheEffectiveSettingsWithoutSecretsAndChecksAnExternalKafka() throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.put("KILLSWITCH_API_TOKEN", "a-very-secret-api-token-value");
    e.put("KAFKA_BOOTSTRAP_SERVERS", app.bootstrapServers());
    e.put("KAFKA_SASL_JAAS_CONFIG", "org.example.Login required password=\"hunter2hunter2\";");
    Result ok = run(e, "config", "check");
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("Settings are valid").contains(app.bootstrapServers()).contains("answered")
        .contains("KILLSWITCH_API_TOKEN").contains("set (environment or config file)")
        .contains("sasl.jaas.config").doesNotContain("a-very-secret-api-token-value").doesNotContain("hunter2");
    String apiTokenFile = dataDir.resolve("secrets").resolve("api-token").toString();
    assertThat(ok.out()).contains("KILLSWITCH_INGEST_TOKEN").contains("from " + dataDir.resolve("secrets").resolve("ingest-token"))
        .doesNotContain(Files.readString(Path.of(apiTokenFile)).strip());
    assertThat(run(e, "config", "check", "-o", "json").json().path("kafkaReachable").asBoolean()).isTrue();

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    e.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closed);
    Result down = run(e, "config", "check", "--kafka-timeout", "2s");
    assertThat(down.exit()).isEqualTo(6);
    assertThat(down.out()).contains("did not answer");
  }

  @Test
  void configCheckReportsEveryProblemAtOnceAndExits3() throws Exception {
    Map<String, String> bad = Map.of("KILLSWITCH_HTTP_PORT", "eighty", "KILLSWITCH_API_TOKEN", "short",
        "KILLSWITCH_TOPIC_PREFIX", "bad prefix!");
    Result r = run(bad, "config", "check");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).contains("KILLSWITCH_HTTP_PORT").contains("KILLSWITCH_API_TOKEN must be at least 16")
        .contains("KILLSWITCH_TOPIC_PREFIX");
    assertThat(run(bad, "config", "check", "-o", "json").json().path("problems")).hasSize(3);
    // Client verbs refuse invalid settings with the same code.
    assertThat(run(bad, "chains", "find", TOKEN).exit()).isEqualTo(3);
  }

  private static Result run(String... args) {
    return run(env, args);
  }

  private static Result run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cmd = Killswitch.commandLine(environment);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
