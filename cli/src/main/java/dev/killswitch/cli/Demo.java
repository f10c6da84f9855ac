package dev.killswitch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.cli.Settings.Secret;
import dev.killswitch.cli.client.ApiClient;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.testkit.fakes.FakeAwsIam;
import dev.killswitch.testkit.fakes.FakeGoogleIam;
import dev.killswitch.testkit.scenarios.GithubIrsa;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's story, played against a running Killswitch: a GitHub Actions run of acme/payments deploys to the EKS
 * cluster prod-eu (the apiserver's audit shows its OIDC identity minting a service-account token), the pod's token
 * assumes an AWS role through IRSA, and the run federates into GCP through workload identity federation. The events
 * are replayed as their sources send them; the job completes; the correlator's job-completed trigger (enforce mode)
 * asks for everything the run reached to be revoked; each outcome is printed as it lands; and the cluster's
 * apiserver (simulated: the demo sends the SubjectAccessReview it would) is denied the revoked token.
 *
 * <p>The clouds are simulated by the testkit's wire-protocol fakes ({@link Clouds}): the revoker's real AWS SDK and
 * Google IAM clients call them, and the demo prints what they recorded, i.e. what a real cloud would have been asked.
 *
 * <p>Separate from {@link DemoCommand} so that a test plays the same story without the blocking part.
 */
final class Demo {

  static final String RUN = "ci:github:acme/payments/runs/12345678901";
  static final String CLUSTER = "prod-eu";
  static final String JTI = "8c1a3f4e-2b7d-4e9a-9f61-0d3c5b7a1e22";
  static final String TOKEN = "k8s:" + CLUSTER + ":token/" + JTI;
  static final String SERVICE_ACCOUNT = "system:serviceaccount:payments:billing-api";
  /** IRSA: the EKS cluster's OIDC issuer names the cluster prod-eu in identity references. */
  static final Application.Tuning TUNING = new Application.Tuning(RevocationRequested.Mode.ENFORCE,
      Map.of("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", CLUSTER));
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final Pattern SESSION_EXPIRATION = Pattern.compile("\"expiration\" : \"[^\"]*\"");
  /** How CloudTrail writes an STS session's expiration. */
  private static final DateTimeFormatter EXPIRATION = DateTimeFormatter.ofPattern("MMM d, uuuu, h:mm:ss a", Locale.US)
      .withZone(ZoneOffset.UTC);

  /** What the demo saw: the chain before the job completed, the trigger's revocation, the webhook's answer. */
  record Outcome(JsonNode chain, JsonNode revocation, boolean tokenDenied) {}

  /** The AWS account, role and GCP projects of the scenario (see the files under resources/demo/). */
  static final String AWS_ACCOUNT = "111122223333";
  static final String AWS_ROLE = "billing-api-irsa";
  /** The role's unique id, as the scenario's AssumeRoleWithWebIdentity record names it. */
  static final String AWS_ROLE_ID = GithubIrsa.ROLE_ID;
  static final String AWS_SESSION_NAME = GithubIrsa.SESSION_NAME;
  static final String GCP_PROJECT = "acme-data";
  static final String GCP_POOL_PROJECT = "987654321098";
  static final String GCP_SERVICE_ACCOUNT = "loader@acme-data.iam.gserviceaccount.com";

  /**
   * AWS IAM/STS and Google IAM for the demo: {@link FakeAwsIam} (HTTP, for the real AWS SDK) holding the scenario's
   * account and role, and {@link FakeGoogleIam} (in-process gRPC) holding its projects' service account. {@link
   * #writeSettings} writes the {@code revoker.aws} / {@code revoker.gcp} settings pointing at them and sets the
   * SDK credentials the IAM fake knows (system properties {@code aws.accessKeyId} / {@code aws.secretAccessKey},
   * cleared again by {@link #close}).
   */
  static final class Clouds implements AutoCloseable {
    final FakeAwsIam aws;
    final FakeGoogleIam gcp;

    private Clouds(FakeAwsIam aws, FakeGoogleIam gcp) {
      this.aws = aws;
      this.gcp = gcp;
    }

    static Clouds start() {
      FakeAwsIam aws = FakeAwsIam.start(AWS_ACCOUNT);
      aws.addRole(AWS_ACCOUNT, AWS_ROLE, "/", AWS_ROLE_ID);
      FakeGoogleIam gcp = FakeGoogleIam.start("killswitch-demo-gcp-" + UUID.randomUUID());
      gcp.addServiceAccount(GCP_PROJECT, GCP_SERVICE_ACCOUNT);
      return new Clouds(aws, gcp);
    }

    /** The YAML settings file for the revoker's AWS and GCP providers, in {@code dir}; answers its path. */
    Path writeSettings(Path dir) throws IOException {
      Path file = dir.resolve("killswitch-demo.yaml");
      Files.writeString(file, """
          # killswitch demo: the revoker's clouds are the testkit's fakes (nothing is called in a real cloud)
          revoker:
            aws:
              iam-endpoint: "%s"
              accounts:
                "%s": direct
              # The chain knows the IRSA session's name and role id (from its AssumeRoleWithWebIdentity record), so
              # aws.deny-session denies that one session. A session whose name and source identity are both unknown
              # fails with its residual exposure, unless escalate-unbound-sessions: true revokes every older session
              # of its role instead.
            gcp:
              projects: [%s, "%s"]
              endpoint: "inprocess:%s"
          """.formatted(aws.endpoint(), AWS_ACCOUNT, GCP_PROJECT, GCP_POOL_PROJECT, gcp.serverName()),
          StandardCharsets.UTF_8);
      System.setProperty("aws.accessKeyId", aws.homeCredentials().accessKeyId());
      System.setProperty("aws.secretAccessKey", aws.homeCredentials().secretAccessKey());
      return file;
    }

    /** What the fakes were asked, one line a call. */
    void report(PrintWriter out) {
      List<FakeAwsIam.Call> awsCalls = aws.calls();
      List<FakeGoogleIam.Call> gcpCalls = gcp.calls();
      out.println("What the simulated clouds were asked (a real cloud would have received the same calls):");
      if (awsCalls.isEmpty()) {
        out.println("  AWS IAM: no call");
      }
      for (FakeAwsIam.Call c : awsCalls) {
        StringBuilder line = new StringBuilder("  AWS IAM: ").append(c.action());
        String policy = c.params().get("PolicyName");
        if (policy != null) {
          line.append(' ').append(policy);
        }
        String role = c.params().get("RoleName");
        if (role != null) {
          line.append(" on ").append(role);
        }
        String key = c.params().get("AccessKeyId");
        if (key != null) {
          line.append(" key ").append(key).append(c.params().containsKey("Status") ? " -> " + c.params().get("Status") : "");
        }
        line.append(" in ").append(c.account()).append(" (HTTP ").append(c.status()).append(')');
        out.println(line);
      }
      if (gcpCalls.isEmpty()) {
        out.println("  GCP: no call");
      }
      for (FakeGoogleIam.Call c : gcpCalls) {
        StringBuilder line = new StringBuilder("  GCP: ").append(c.method()).append(' ').append(c.resource())
            .append(" (").append(c.status()).append(')');
        if (c.method().equals("CreatePolicy") || c.method().equals("UpdatePolicy")) {
          gcp.denyPolicy(c.resource()).ifPresent(p -> p.getRulesList().forEach(r ->
              r.getDenyRule().getDeniedPrincipalsList().forEach(pr -> line.append("\n      deny ").append(pr))));
        }
        out.println(line);
      }
      out.flush();
    }

    @Override
    public void close() {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
      aws.close();
      gcp.close();
    }
  }

  private final Application app;
  private final Clouds clouds;
  private final Path dataDir;
  private final PrintWriter out;
  private final long t0;
  private final ApiClient api;

  Demo(Application app, Clouds clouds, Path dataDir, PrintWriter out, long startNanos) {
    this.app = app;
    this.clouds = clouds;
    this.dataDir = dataDir;
    this.out = out;
    this.t0 = startNanos;
    this.api = new ApiClient(java.net.URI.create(app.url()), app.secret(Secret.API_TOKEN), Duration.ofSeconds(30));
  }

  Outcome play() {
    List<Path> files = scenarioFiles();
    Path completion = files.get(files.size() - 1);

    step("the job starts: replaying what GitHub, the prod-eu apiserver, CloudTrail and GCP audit logs report");
    replay(files.subList(0, files.size() - 1));
    step("the chain, as the correlator linked it (" + RUN + "):");
    JsonNode chain = awaitChain();
    ChainsCommand.printChain(indented(), chain);
    out.println();

    step("the job completes (workflow_job completed): the job-completed trigger asks to revoke what the run reached");
    replay(List.of(completion));
    JsonNode revocation = watchRevocations();
    out.println();

    boolean denied = apiserverAsks();
    note(revocation);
    out.println();
    clouds.report(out);
    return new Outcome(chain, revocation, denied);
  }

  private void step(String text) {
    out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.nanoTime() - t0) / 1e9, text);
    out.flush();
  }

  private PrintWriter indented() {
    return new PrintWriter(new java.io.Writer() {
      private boolean lineStart = true;

      @Override
      public void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
          if (lineStart) {
            out.write("    ");
          }
          out.write(buf[i]);
          lineStart = buf[i] == '\n';
        }
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {
        out.flush();
      }
    }, true);
  }

  /**
   * The scenario's files, copied from the class path into the data directory (they live in the jar). The recorded
   * AWS session expired long ago, and aws.deny-session rightly leaves an expired session alone: the copy says it
   * expires an hour from now, so that the demo shows the deny a live session gets.
   */
  private List<Path> scenarioFiles() {
    Path dir = dataDir.resolve("demo-scenario");
    List<Path> files = new ArrayList<>();
    String expires = EXPIRATION.format(Instant.now().plus(Duration.ofHours(1)));
    try {
      Files.createDirectories(dir);
      for (String name : resource("index.txt").split("\\R")) {
        if (!name.isBlank()) {
          Path f = dir.resolve(name.strip());
          Files.writeString(f, SESSION_EXPIRATION.matcher(resource(name.strip()))
              .replaceAll(Matcher.quoteReplacement("\"expiration\" : \"" + expires + "\"")), StandardCharsets.UTF_8);
          files.add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the demo scenario under " + dir, e);
    }
    return files;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Demo.class.getResourceAsStream("/demo/" + name)) {
      if (in == null) {
        throw new IOException("demo resource " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Through the replay verb itself: the demo sends what `killswitch replay` would. */
  private void replay(List<Path> files) {
    StringWriter sw = new StringWriter();
    List<String> args = new ArrayList<>(List.of("replay", "--cluster", CLUSTER, "--url", app.url(), "--progress", "never"));
    files.forEach(f -> args.add(f.toString()));
    var cmd = Killswitch.commandLine(Map.of("KILLSWITCH_DATA_DIR", dataDir.toString()));
    cmd.setOut(new PrintWriter(sw, true));
    cmd.setErr(new PrintWriter(sw, true));
    int exit = cmd.execute(args.toArray(String[]::new));
    sw.toString().lines().forEach(l -> out.println("    " + l));
    if (exit != Killswitch.EXIT_OK) {
      throw CliException.failed("the demo's replay failed (exit " + exit + ")");
    }
  }

  /** The run's chain once it holds the cluster token and whatever cloud nodes the correlator linked by then. */
  private JsonNode awaitChain() {
    JsonNode chain = poll(() -> firstChain(api.getJson("/v1/chains?node=" + ApiClient.query(RUN))),
        c -> c != null && has(c, TOKEN) && has(c, "aws:") && has(c, "gcp:"), Duration.ofSeconds(20));
    if (chain == null || !has(chain, TOKEN)) {
      chain = poll(() -> firstChain(api.getJson("/v1/chains?node=" + ApiClient.query(RUN))),
          c -> c != null && has(c, TOKEN), WAIT);
    }
    if (chain == null) {
      throw CliException.failed("the correlator did not link " + RUN + " within " + WAIT.toSeconds() + " s");
    }
    return chain;
  }

  private static JsonNode firstChain(JsonNode answer) {
    return answer.path("chains").size() > 0 ? answer.path("chains").get(0) : null;
  }

  private static boolean has(JsonNode chain, String refOrPrefix) {
    for (JsonNode n : chain.path("nodes")) {
      if (n.path("ref").asText().startsWith(refOrPrefix)) {
        return true;
      }
    }
    return false;
  }

  /** Prints each action of the trigger's request as its outcome lands, until every action has ended. */
  private JsonNode watchRevocations() {
    String requestId = DeterministicIds.of("trigger", "job-completed", RUN);
    step("revocations landing (request " + requestId + ", trigger:job-completed, enforce):");
    Map<String, String> seen = new HashMap<>();
    JsonNode last = poll(() -> {
      JsonNode view;
      try {
        view = api.getJson("/v1/revocations/" + requestId);
      } catch (CliException e) {
        if (e.reason() == CliException.Reason.NOT_FOUND) {
          return null;
        }
        throw e;
      }
      for (JsonNode a : view.path("actions")) {
        String key = a.path("actionId").asText();
        String outcome = a.path("outcome").asText();
        if (!outcome.equals(seen.put(key, outcome))) {
          out.printf(Locale.ROOT, "[%5.1fs]   %-22s %-9s %s%n      %s%n", (System.nanoTime() - t0) / 1e9,
              a.path("action").asText(), outcome, a.path("target").asText(), a.path("detail").asText(""));
          out.flush();
        }
      }
      return view;
    }, v -> v != null && v.path("actions").size() > 0 && RevocationsCommand.SETTLED.contains(v.path("status").asText()), WAIT);
    if (last == null) {
      throw CliException.failed("no revocation was requested for " + RUN + " within " + WAIT.toSeconds() + " s");
    }
    step("revocation " + last.path("status").asText());
    return last;
  }

  /** The prod-eu apiserver asks the authorization webhook about a request made with the run's token. */
  private boolean apiserverAsks() {
    ObjectNode sar = JsonNodeFactory.instance.objectNode();
    sar.put("apiVersion", "authorization.k8s.io/v1").put("kind", "SubjectAccessReview");
    ObjectNode spec = sar.putObject("spec");
    spec.put("user", SERVICE_ACCOUNT);
    spec.putObject("extra").putArray("authentication.kubernetes.io/credential-id").add("JTI=" + JTI);
    spec.putObject("resourceAttributes").put("namespace", "payments").put("verb", "get").put("resource", "secrets");
    byte[] body;
    try {
      body = Json.mapper().writeValueAsBytes(sar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ApiClient.Answer a = api.send("POST", "/v1/k8s/authorize/" + CLUSTER, Map.of("Content-Type", "application/json"), body,
        app.secret(Secret.AUTHZ_TOKEN));
    JsonNode status = a.json() == null ? JsonNodeFactory.instance.objectNode() : a.json().path("status");
    boolean denied = status.path("denied").asBoolean(false);
    step("the " + CLUSTER + " apiserver asks Killswitch (SubjectAccessReview) about a request made with the run's token: "
        + (denied ? "DENIED, " + status.path("reason").asText() : "no opinion (" + a.status() + ")"));
    return denied;
  }

  /** Says plainly which actions this build could not carry out. */
  private void note(JsonNode revocation) {
    Map<String, List<String>> noProvider = new LinkedHashMap<>();
    for (JsonNode a : revocation.path("actions")) {
      if (a.path("outcome").asText().equals("skipped") && a.path("detail").asText().startsWith("no provider")) {
        noProvider.computeIfAbsent(a.path("action").asText(), k -> new ArrayList<>()).add(a.path("target").asText());
      }
    }
    if (!noProvider.isEmpty()) {
      out.println();
      out.println("Note: no provider is registered for " + String.join(", ", noProvider.keySet()) + ": those actions");
      out.println("were planned and recorded as skipped, and nothing was called for them.");
    }
    out.flush();
  }

  private interface Query {
    JsonNode get();
  }

  /** Polls until the condition holds or the time is up; answers the last value (which may not satisfy it). */
  private static JsonNode poll(Query query, Predicate<JsonNode> done, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    JsonNode last = null;
    while (true) {
      JsonNode v = query.get();
      if (v != null) {
        last = v;
      }
      if ((v != null && done.test(v)) || System.nanoTime() > deadline) {
        return last;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
  }
}
