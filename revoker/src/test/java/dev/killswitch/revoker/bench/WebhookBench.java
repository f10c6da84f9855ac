package dev.killswitch.revoker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.kubernetes.AuthorizationWebhook;
import dev.killswitch.revoker.kubernetes.Denylist;
import dev.killswitch.revoker.kubernetes.DenylistEntry;
import dev.killswitch.schemas.Json;
import io.javalin.Javalin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * SubjectAccessReview answers per second and latency percentiles, on demand (not in CI):
 * <ol>
 *   <li>the decision in process: the review's bytes parsed, looked up in a denylist of {@value #DENIED} tokens,
 *       the answer serialized (one thread);</li>
 *   <li>{@code POST /v1/k8s/authorize/prod} over loopback HTTP/1.1 against a running revoker whose denylist view
 *       holds the same {@value #DENIED} tokens (read from Kafka), {@code bench.clients} client threads (default 4),
 *       1 request in 10 with a denied token.</li>
 * </ol>
 * Properties: {@code bench.seconds} (default 10, after 3 s of warm-up), {@code bench.clients},
 * {@code bench.bootstrap} (an external broker instead of the in-process one).
 */
public final class WebhookBench {

  static final int DENIED = 10_000;

  private WebhookBench() {}

  public static void main(String[] args) throws Exception {
    run();
    System.exit(0);   // the in-process broker's threads
  }

  /** The benchmark, printing its figures; also what {@link RevokerBenchLauncher} calls. */
  public static void run() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 10);
    int clients = Integer.getInteger("bench.clients", 4);
    BenchSupport.printMachine();
    byte[][] bodies = bodies();

    inProcess(bodies, seconds);

    try (BenchSupport bench = new BenchSupport(new ProviderRegistry())) {
      fillDenylist(bench);
      bench.recordServerSide = true;
      overHttp(bench.url("/v1/k8s/authorize/prod"), bodies, seconds, clients,
          "POST /v1/k8s/authorize over loopback HTTP/1.1 (keep-alive), " + clients + " client threads");
      bench.recordServerSide = false;
      long[] server = bench.serverSide.stream().mapToLong(Long::longValue).toArray();
      System.out.printf("  of which in the server, first to last route handler (auth, parse, decide, write JSON), %d "
              + "reviews incl. warm-up: p50 %.1f us, p99 %.1f us, p99.9 %.1f us%n", server.length,
          BenchSupport.percentile(server, 50) / 1e3, BenchSupport.percentile(server, 99) / 1e3,
          BenchSupport.percentile(server, 99.9) / 1e3);
      // Baseline: the same server stack answering a constant, to tell the webhook's cost from HTTP's on this machine.
      Javalin constant = Javalin.create(cfg -> cfg.routes.post("/constant",
          ctx -> ctx.contentType("application/json").result(ctx.bodyAsBytes().length > 0
              ? "{\"status\":{\"allowed\":false}}" : "{}"))).start("127.0.0.1", 0);
      try {
        overHttp("http://127.0.0.1:" + constant.port() + "/constant", bodies, seconds, clients,
            "baseline: the same Javalin stack reading the body and answering a constant, " + clients + " client threads");
      } finally {
        constant.stop();
      }
    }
  }

  /** 100 review bodies: every tenth names a denied token, the rest unknown ones. */
  static byte[][] bodies() throws Exception {
    ObjectNode review;
    try (InputStream in = WebhookBench.class.getResourceAsStream("/fixtures/k8s/subjectaccessreview-v1-bound-token.json")) {
      review = (ObjectNode) Json.mapper().readTree(in);
    }
    byte[][] bodies = new byte[100][];
    for (int i = 0; i < bodies.length; i++) {
      ObjectNode r = review.deepCopy();
      String jti = i % 10 == 0 ? "jti-" + (i * 97 % DENIED) : "unknown-" + i;
      ((ObjectNode) r.path("spec").path("extra")).putArray(AuthorizationWebhook.CREDENTIAL_ID).add("JTI=" + jti);
      bodies[i] = Json.mapper().writeValueAsBytes(r);
    }
    return bodies;
  }

  static void inProcess(byte[][] bodies, int seconds) throws Exception {
    Denylist denylist = new Denylist();
    for (int i = 0; i < DENIED; i++) {
      DenylistEntry e = new DenylistEntry("jti-" + i, "prod", "a" + i, "req-bench", Instant.now(), null);
      denylist.apply(new ConsumerRecord<>("denylist", 0, i, "k8s:prod:token/jti-" + i, Json.mapper().writeValueAsBytes(e)));
    }
    AuthorizationWebhook webhook = new AuthorizationWebhook(denylist, Clock.systemUTC());
    run("warm-up", Duration.ofSeconds(3), () -> review(webhook, bodies), false);
    long[] lat = run("in process", Duration.ofSeconds(seconds), () -> review(webhook, bodies), true);
    report("decision in process (parse + lookup + serialize), 1 thread", lat, seconds);
  }

  private static int next;

  static void review(AuthorizationWebhook webhook, byte[][] bodies) throws Exception {
    JsonNode sar = Json.mapper().readTree(bodies[next++ % bodies.length]);
    Json.mapper().writeValueAsBytes(webhook.review("prod", sar).response());
  }

  interface Op {
    void run() throws Exception;
  }

  static long[] run(String name, Duration d, Op op, boolean record) throws Exception {
    long end = System.nanoTime() + d.toNanos();
    long[] lat = new long[1 << 16];
    int n = 0;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      op.run();
      long t = System.nanoTime() - t0;
      if (record) {
        if (n == lat.length) {
          lat = java.util.Arrays.copyOf(lat, lat.length * 2);
        }
        lat[n++] = t;
      }
    }
    return java.util.Arrays.copyOf(lat, n);
  }

  static void fillDenylist(BenchSupport bench) throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(bench.kafkaProps(), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int i = 0; i < DENIED; i++) {
        DenylistEntry e = new DenylistEntry("jti-" + i, "prod", "a" + i, "req-bench", Instant.now(), null);
        producer.send(new ProducerRecord<>(bench.topics.denylist(), "k8s:prod:token/jti-" + i,
            Json.mapper().writeValueAsBytes(e)));
      }
      producer.flush();
    }
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    byte[] last = bodies()[90];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!post(client, bench, last).contains("\"denied\":true")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the denylist view did not read the entries in 60 s");
      }
      Thread.sleep(100);
    }
  }

  static String post(HttpClient client, BenchSupport bench, byte[] body) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(bench.url("/v1/k8s/authorize/prod")))
        .header("Authorization", "Bearer " + BenchSupport.AUTHZ_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /**
   * One request on a kept-alive connection with HttpURLConnection, which costs the client less CPU than
   * java.net.http (client and server share the machine's cores).
   */
  static void postKeepAlive(URL url, byte[] body) throws Exception {
    HttpURLConnection c = (HttpURLConnection) url.openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Authorization", "Bearer " + BenchSupport.AUTHZ_TOKEN);
    c.setRequestProperty("Content-Type", "application/json");
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    if (c.getResponseCode() != 200) {
      throw new IllegalStateException("HTTP " + c.getResponseCode());
    }
    try (InputStream in = c.getInputStream()) {
      in.readAllBytes();   // read to the end so that the connection goes back to the keep-alive pool
    }
  }

  static void overHttp(String target, byte[][] bodies, int seconds, int clients, String what) throws Exception {
    for (String phase : List.of("warm-up", "measure")) {
      Duration d = phase.equals("warm-up") ? Duration.ofSeconds(3) : Duration.ofSeconds(seconds);
      List<Thread> threads = new ArrayList<>();
      long[][] results = new long[clients][];
      for (int c = 0; c < clients; c++) {
        int id = c;
        URL url = URI.create(target).toURL();
        Thread t = new Thread(() -> {
          int[] i = {id * 7};
          try {
            results[id] = run(phase, d, () -> postKeepAlive(url, bodies[i[0]++ % bodies.length]), true);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (phase.equals("measure")) {
        long[] all = java.util.Arrays.stream(results).flatMapToLong(java.util.Arrays::stream).toArray();
        report(what, all, seconds);
      }
    }
  }

  static void report(String what, long[] latNanos, int seconds) {
    System.out.printf("%s: %d reviews in %d s = %.0f reviews/s; latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, "
            + "max %.1f us%n", what, latNanos.length, seconds, latNanos.length / (double) seconds,
        BenchSupport.percentile(latNanos, 50) / 1e3, BenchSupport.percentile(latNanos, 99) / 1e3,
        BenchSupport.percentile(latNanos, 99.9) / 1e3, BenchSupport.percentile(latNanos, 100) / 1e3);
  }
}
