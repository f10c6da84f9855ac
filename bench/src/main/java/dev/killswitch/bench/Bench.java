package dev.killswitch.bench;

import ch.qos.logback.classic.Level;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.event.RevocationResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the end-to-end bench mains share: the machine line, options, HTTP posts, percentiles. */
public final class Bench {

  private Bench() {}

  /** The machine, the JVM and the load average, printed before every bench's figures. */
  public static void printMachine() {
    System.out.printf("machine: %d cores (availableProcessors), %s, %s %s (%s), %s %s, max heap %d MiB%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("os.name"),
        System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("jvm args: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    System.out.println("load average (1/5/15 min) at start: " + loadAverage());
  }

  /** /proc/loadavg's first three fields, or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("cpu model unknown");
    } catch (IOException | RuntimeException e) {
      return "cpu model unknown";
    }
  }

  /** What every bench main does first: quiet logs, the machine line, the options (over the defaults) printed. */
  public static Map<String, String> begin(String[] args, Map<String, String> defaults) {
    Map<String, String> o = options(args, defaults);
    quietLogs();
    printMachine();
    System.out.println("options: " + new TreeMap<>(o));
    return o;
  }

  /** {@code --name value} pairs over the defaults; an unknown name is refused with the known ones. */
  public static Map<String, String> options(String[] args, Map<String, String> defaults) {
    Map<String, String> a = new HashMap<>(defaults);
    for (int i = 0; i < args.length; i += 2) {
      if (!a.containsKey(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options and defaults: "
            + new TreeMap<>(defaults));
      }
      a.put(args[i], args[i + 1]);
    }
    return a;
  }

  /** The value at the percentile (0..100) of the values, nearest-rank. */
  public static double percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** GitHub's {@code X-Hub-Signature-256} of the body. */
  public static String githubSignature(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs JSON; the status code, -1 when the request failed. */
  public static int post(HttpClient http, String url, byte[] body, String... headers) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json").headers(headers)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Kafka, Kafka Streams and Killswitch at WARN: the bench's own lines are the output. */
  public static void quietLogs() {
    for (String name : new String[] {Logger.ROOT_LOGGER_NAME, "dev.killswitch", "org.apache.kafka"}) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
        l.setLevel(Level.WARN);
      }
    }
  }

  /**
   * Reads the revocation results from the end (or the beginning) of the topic on a thread of its own and hands each
   * to {@code onResult} with the nanoTime it was read at, until {@link ResultReader#close}.
   */
  public static ResultReader readResults(String bootstrap, String topic, boolean fromBeginning,
                                         ObjLongConsumer<RevocationResult> onResult) {
    return new ResultReader(bootstrap, topic, fromBeginning, onResult);
  }

  /** See {@link #readResults}. */
  public static final class ResultReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean stopped;

    private ResultReader(String bootstrap, String topic, boolean fromBeginning,
                         ObjLongConsumer<RevocationResult> onResult) {
      consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
          new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
      var parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      if (fromBeginning) {
        consumer.seekToBeginning(parts);
      } else {
        consumer.seekToEnd(parts);
      }
      parts.forEach(consumer::position);
      thread = new Thread(() -> {
        try {
          while (!stopped) {
            for (var r : consumer.poll(Duration.ofMillis(100))) {
              long now = System.nanoTime();
              onResult.accept(CloudEventCodec.fromKafka(r)
                  .dataAs(RevocationResult.class), now);
            }
          }
        } catch (WakeupException e) {
          // closing
        } finally {
          consumer.close();
        }
      }, "bench-results");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      consumer.wakeup();
      thread.join();
    }
  }

  /**
   * A fresh temporary directory, deleted with everything in it when the JVM exits (unless
   * {@code -Dbench.keep=true}, to read the processes' logs afterwards).
   */
  public static Path tempDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    if (!Boolean.getBoolean("bench.keep")) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
    }
    return dir;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | RuntimeException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  /** Sleeps until {@code nanoTime} reaches the deadline (pacing load, not synchronizing). */
  public static void sleepUntil(long deadlineNanos) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }
}
