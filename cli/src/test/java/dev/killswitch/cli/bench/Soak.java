package dev.killswitch.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Soak (issue 9, not in CI): steady load against a running {@code ./killswitch run} for a bounded time, watching
 * its /metrics. Each second it posts {@code --rate} Kubernetes audit TokenRequests with fresh auditIDs and, every
 * ten seconds, a signed GitHub workflow_job (in_progress then completed, fresh delivery ids) so the correlator's
 * triggers and the revoker work too. Every {@code --sample} it prints the heap in use, the largest consumer lag the
 * server exports and the answers so far. Exit status 1 when any answer was not 2xx; the heap and lag lines are for
 * the operator to judge (flat lows of the heap, lag back near 0). Run through {@link SoakLauncher}.
 *
 * <pre>--url http://127.0.0.1:8080 --data-dir .killswitch --examples examples --duration PT1H --rate 20 --sample PT1M</pre>
 */
public final class Soak {

  private static final Duration MAX_DURATION = Duration.ofHours(24);

  private Soak() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args) ? 0 : 1);
  }

  /** The soak; true when every answer was 2xx. */
  public static boolean run(String[] args) throws Exception {
    Map<String, String> a = new TreeMap<>(Map.of("--url", "http://127.0.0.1:8080", "--data-dir", ".killswitch",
        "--duration", "PT1H", "--rate", "20", "--sample", "PT1M", "--cluster", "prod", "--examples", "examples"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!a.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + a.keySet());
      }
      a.put(args[i], args[i + 1]);
    }
    Duration duration = Duration.parse(a.get("--duration"));
    if (duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("--duration must be between 0 and " + MAX_DURATION);
    }
    int rate = Integer.parseInt(a.get("--rate"));
    Duration sample = Duration.parse(a.get("--sample"));
    String url = a.get("--url");
    Path secrets = Path.of(a.get("--data-dir"), "secrets");
    String ingestToken = env("KILLSWITCH_INGEST_TOKEN", secrets.resolve("ingest-token"));
    String githubSecret = env("KILLSWITCH_GITHUB_SECRET", secrets.resolve("github-secret"));
    Path examples = Path.of(a.get("--examples"));
    ObjectNode audit = (ObjectNode) Json.mapper().readTree(examples.resolve("k8s/tokenrequest.json").toFile());
    byte[] jobStarted = Files.readAllBytes(examples.resolve("github/workflow_job.in_progress.json"));
    byte[] jobCompleted = Files.readAllBytes(examples.resolve("github/workflow_job.completed.json"));

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<Integer, Long> answers = new TreeMap<>();
    String run = Long.toString(System.currentTimeMillis(), 36);
    Instant start = Instant.now();
    Instant end = start.plus(duration);
    Instant nextSample = start;
    long n = 0;
    System.out.printf("soak against %s for %s at %d audit events/s (%s)%n", url, duration, rate, run);
    while (Instant.now().isBefore(end)) {
      long second = System.nanoTime();
      for (int i = 0; i < rate; i++) {
        audit.put("auditID", "soak-" + run + "-" + (n++));
        count(answers, post(http, url + "/v1/ingest/k8s-audit/" + a.get("--cluster"),
            Json.mapper().writeValueAsBytes(audit), "Authorization", "Bearer " + ingestToken));
      }
      if (n % (10L * Math.max(rate, 1)) < rate) {
        byte[] body = (n / Math.max(rate, 1)) % 20 < 10 ? jobStarted : jobCompleted;
        count(answers, post(http, url + "/v1/ingest/github", body, "X-GitHub-Event", "workflow_job",
            "X-GitHub-Delivery", "soak-" + run + "-" + n, "X-Hub-Signature-256", sign(githubSecret, body)));
      }
      if (!Instant.now().isBefore(nextSample)) {
        sample(http, url, start, answers);
        nextSample = nextSample.plus(sample);
      }
      long left = 1_000_000_000L - (System.nanoTime() - second);
      if (left > 0) {
        Thread.sleep(left / 1_000_000);
      }
    }
    sample(http, url, start, answers);
    boolean ok = answers.keySet().stream().allMatch(s -> s >= 200 && s < 300);
    System.out.println(ok ? "soak: every answer 2xx" : "soak: answers other than 2xx: " + answers);
    return ok;
  }

  private static void sample(HttpClient http, String url, Instant start, Map<Integer, Long> answers) {
    double heap = 0;
    double lag = 0;
    try {
      String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          heap += value(line);
        } else if (line.startsWith("kafka_consumer_fetch_manager_records_lag_max{")) {
          double v = value(line);
          lag = Double.isNaN(v) ? lag : Math.max(lag, v);
        }
      }
    } catch (Exception e) {
      System.out.println("metrics unreadable: " + e);
    }
    System.out.printf("%s +%ds heap %.1f MiB, max records-lag %.0f, answers %s%n", Instant.now(),
        Duration.between(start, Instant.now()).toSeconds(), heap / (1 << 20), lag, answers);
  }

  private static double value(String line) {
    try {
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static int post(HttpClient http, String url, byte[] body, String... headers) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").headers(headers)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void count(Map<Integer, Long> answers, int status) {
    answers.merge(status, 1L, Long::sum);
  }

  private static String sign(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static String env(String name, Path file) throws Exception {
    String v = System.getenv(name);
    return v != null && !v.isBlank() ? v : Files.readString(file).strip();
  }
}
