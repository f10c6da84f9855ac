package dev.killswitch.cli.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Soak (issue 9, not in CI): steady load against a running {@code ./killswitch run} for a bounded time, watching
 * its /metrics. Every ten seconds a new CI run starts (a signed GitHub workflow_job in_progress, fresh run, job and
 * delivery ids) and the previous one completes; each second it posts {@code --rate} Kubernetes audit TokenRequests,
 * each with a fresh auditID and credential id, two of every ten seconds minted for the current run (so each
 * completion fires job-completed and the revoker revokes them) and the rest by users outside any run (new chains
 * that only age). Every {@code --sample} it prints the heap in use and the live heap after the last GC, the largest
 * consumer lag the server exports, with {@code --bootstrap} every consumer group's lag read from the broker, and the
 * answers so far; at the end, with {@code --bootstrap}, how many records each topic holds. Exit status 1 when any answer was not 2xx; the heap and lag lines are for
 * the operator to judge (flat lows of the heap, lag back near 0). Run through {@link SoakLauncher}.
 *
 * <pre>--url http://127.0.0.1:8080 --data-dir .killswitch --examples examples --duration PT1H --rate 20 --sample PT1M
 *   --bootstrap 127.0.0.1:9092</pre>
 */
public final class Soak {

  private static final Duration MAX_DURATION = Duration.ofHours(24);
  private static final int CYCLE_SECONDS = 10;
  private static final int RUN_TOKENS = 2;

  private Soak() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args) ? 0 : 1);
  }

  /** The soak; true when every answer was 2xx. */
  public static boolean run(String[] args) throws Exception {
    Map<String, String> a = new TreeMap<>(Map.of("--url", "http://127.0.0.1:8080", "--data-dir", ".killswitch",
        "--duration", "PT1H", "--rate", "20", "--sample", "PT1M", "--cluster", "prod", "--examples", "examples"));
    a.put("--bootstrap", "");
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
    ObjectNode auditList = (ObjectNode) Json.mapper().readTree(examples.resolve("k8s/tokenrequest.json").toFile());
    ObjectNode audit = (ObjectNode) auditList.withArray("items").get(0);
    ObjectNode extra = (ObjectNode) audit.with("user").get("extra").deepCopy();
    ObjectNode jobStarted = (ObjectNode) Json.mapper().readTree(
        examples.resolve("github/workflow_job.in_progress.json").toFile());
    ObjectNode jobCompleted = (ObjectNode) Json.mapper().readTree(
        examples.resolve("github/workflow_job.completed.json").toFile());
    String repo = jobCompleted.path("repository").path("full_name").asText();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<Integer, Long> answers = new TreeMap<>();
    String run = Long.toString(System.currentTimeMillis(), 36);
    long firstRun = System.currentTimeMillis() / 1000 * 1000;   // CI run ids of this soak: firstRun + cycle
    Instant start = Instant.now();
    Instant end = start.plus(duration);
    Instant nextSample = start;
    long n = 0;
    long cycle = -1;
    System.out.printf("soak against %s for %s at %d audit events/s (%s): a CI run every %ds minting %d tokens, "
        + "the other TokenRequests by a user outside any run%n", url, duration, rate, run, CYCLE_SECONDS, RUN_TOKENS);
    while (Instant.now().isBefore(end)) {
      long second = System.nanoTime();
      long elapsed = Duration.between(start, Instant.now()).toSeconds();
      if (elapsed / CYCLE_SECONDS != cycle) {
        if (cycle >= 0) {   // the previous run's job completes: job-completed revokes its tokens
          count(answers, postJob(http, url, githubSecret, jobCompleted, firstRun + cycle, run + "-c" + cycle));
        }
        cycle = elapsed / CYCLE_SECONDS;
        count(answers, postJob(http, url, githubSecret, jobStarted, firstRun + cycle, run + "-s" + cycle));
      }
      for (int i = 0; i < rate; i++, n++) {
        String now = Instant.now().toString();
        audit.put("auditID", "soak-" + run + "-" + n);
        audit.put("requestReceivedTimestamp", now);
        audit.put("stageTimestamp", now);
        audit.with("annotations").put("authentication.kubernetes.io/issued-credential-id",
            "JTI=soak-" + run + "-" + n);
        boolean ofRun = n % (rate * (long) CYCLE_SECONDS) < RUN_TOKENS;
        ObjectNode user = audit.with("user");
        if (ofRun) {
          ObjectNode e = extra.deepCopy();
          e.putArray("killswitch.dev/ci-run").add("ci:github:" + repo + "/runs/" + (firstRun + cycle));
          e.putArray("killswitch.dev/ci-job").add("ci:github:" + repo + "/jobs/" + (firstRun + cycle));
          user.set("extra", e);
          user.put("username", "github:repo:" + repo + ":ref:refs/heads/main");
        } else {
          user.remove("extra");
          user.put("username", "soak-user-" + (n % 50));
        }
        count(answers, post(http, url + "/v1/ingest/k8s-audit/" + a.get("--cluster"),
            Json.mapper().writeValueAsBytes(auditList), "Authorization", "Bearer " + ingestToken));
      }
      if (!Instant.now().isBefore(nextSample)) {
        sample(http, url, start, answers, a.get("--bootstrap"));
        nextSample = nextSample.plus(sample);
      }
      long left = 1_000_000_000L - (System.nanoTime() - second);
      if (left > 0) {
        Thread.sleep(left / 1_000_000);
      }
    }
    sample(http, url, start, answers, a.get("--bootstrap"));
    if (!a.get("--bootstrap").isEmpty()) {
      topicCounts(a.get("--bootstrap"));
    }
    boolean ok = answers.keySet().stream().allMatch(s -> s >= 200 && s < 300);
    System.out.println(ok ? "soak: every answer 2xx" : "soak: answers other than 2xx: " + answers);
    return ok;
  }

  /** A signed workflow_job for run and job {@code id} (the job id is the run id: one job a run), timestamped now. */
  private static int postJob(HttpClient http, String url, String secret, ObjectNode template, long id,
                             String delivery) throws Exception {
    ObjectNode body = template.deepCopy();
    ObjectNode job = body.with("workflow_job");
    job.put("id", id);
    job.put("run_id", id);
    String now = Instant.now().toString();
    job.put("started_at", now);
    if (job.hasNonNull("completed_at")) {
      job.put("completed_at", now);
    }
    byte[] bytes = Json.mapper().writeValueAsBytes(body);
    return post(http, url + "/v1/ingest/github", bytes, "X-GitHub-Event", "workflow_job",
        "X-GitHub-Delivery", "soak-" + delivery, "X-Hub-Signature-256", sign(secret, bytes));
  }

  /** Every consumer group's lag (end offsets minus committed, summed over its partitions). */
  private static String groupLags(String bootstrap) {
    StringBuilder out = new StringBuilder();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (var group : admin.listGroups().all().get(10, TimeUnit.SECONDS)) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : committed.entrySet()) {
          if (e.getValue() != null) {
            lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
          }
        }
        out.append(out.isEmpty() ? "" : ", ").append(group.groupId()).append('=').append(lag);
      }
    } catch (Exception e) {
      return "unreadable (" + e + ")";
    }
    return out.toString();
  }

  /** How many records each killswitch topic holds (end offsets, transaction markers included). */
  private static void topicCounts(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (String topic : new TreeSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS))) {
        if (!topic.startsWith("killswitch.")) {
          continue;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long records = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        System.out.printf("  %-40s %d%n", topic, records);
      }
    }
  }

  private static void sample(HttpClient http, String url, Instant start, Map<Integer, Long> answers,
                             String bootstrap) {
    double heap = 0;
    double live = 0;
    double lag = 0;
    try {
      String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          heap += value(line);
        } else if (line.startsWith("jvm_gc_live_data_size_bytes ")) {
          live = value(line);
        } else if (line.startsWith("kafka_consumer_fetch_manager_records_lag_max{")) {
          double v = value(line);
          lag = Double.isNaN(v) ? lag : Math.max(lag, v);
        }
      }
    } catch (Exception e) {
      System.out.println("metrics unreadable: " + e);
    }
    System.out.printf("%s +%ds heap %.1f MiB (live after last GC %.1f MiB), max records-lag %.0f, answers %s%s%n",
        Instant.now(), Duration.between(start, Instant.now()).toSeconds(), heap / (1 << 20), live / (1 << 20), lag,
        answers, bootstrap.isEmpty() ? "" : ", group lag " + groupLags(bootstrap));
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
