package dev.killswitch.revoker.bench;

import dev.killswitch.revoker.ProviderRegistry;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * From {@code revocation.requested} written to the topic (acknowledged) to the last of its 100 final results read
 * from {@code killswitch.revocation.results}: a run that minted 100 access keys, revoked against a fake provider
 * that answers at once, on demand (not in CI). Properties: {@code bench.runs} (default 20, after 3 warm-up runs),
 * {@code bench.actions} (default 100), {@code bench.bootstrap}.
 */
public final class FanOutBench {

  private FanOutBench() {}

  /** A fake that revokes at once: the figure is the pipeline's own latency. */
  static final class InstantProvider implements RevocationProvider {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String actionId() {
      return "aws.deactivate-access-key";
    }

    @Override
    public Outcome execute(RevocationAction action) {
      calls.incrementAndGet();
      return new Outcome.Revoked("key set Inactive (fake)");
    }
  }

  public static void main(String[] args) throws Exception {
    run();
    System.exit(0);   // the in-process broker's threads
  }

  /** The benchmark, printing its figures; also what {@link RevokerBenchLauncher} calls. */
  public static void run() throws Exception {
    int runs = Integer.getInteger("bench.runs", 20);
    int actions = Integer.getInteger("bench.actions", 100);
    BenchSupport.printMachine();
    InstantProvider provider = new InstantProvider();
    try (BenchSupport bench = new BenchSupport(new ProviderRegistry().register(provider));
         KafkaProducer<String, byte[]> producer = producer(bench);
         KafkaConsumer<String, byte[]> results = consumer(bench)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : results.partitionsFor(bench.topics.revocationResults())) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      results.assign(partitions);
      results.seekToEnd(partitions);
      partitions.forEach(results::position);
      long[] millis = new long[runs];
      for (int i = -3; i < runs; i++) {
        long t = once(bench, producer, results, actions);
        if (i >= 0) {
          millis[i] = t;
        }
        System.out.printf("%s %2d: %d ms%n", i < 0 ? "warm-up" : "run", i < 0 ? i + 4 : i + 1, t / 1_000_000);
      }
      for (int i = 0; i < runs; i++) {
        millis[i] = millis[i] / 1_000_000;
      }
      System.out.printf("requested -> last result, %d-action fan-out, fake provider, %d runs: p50 %.0f ms, p99 %.0f ms,"
              + " min %.0f ms, max %.0f ms (provider calls: %d)%n", actions, runs, BenchSupport.percentile(millis, 50),
          BenchSupport.percentile(millis, 99), BenchSupport.percentile(millis, 0), BenchSupport.percentile(millis, 100),
          provider.calls.get());
    }
  }

  /** Nanoseconds from the request's acknowledged write to the arrival of its last final result. */
  static long once(BenchSupport bench, KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> results,
                   int actions) throws Exception {
    String run = IdentityRef.githubRun("acme/bench", UUID.randomUUID().toString()).toString();
    Instant now = Instant.now();
    List<ChainSnapshot.Edge> edges = new ArrayList<>();
    for (int k = 0; k < actions; k++) {
      String key = IdentityRef.awsAccessKey("123456789012",
          ("AKIA" + UUID.randomUUID().toString().replace("-", "").toUpperCase()).substring(0, 20)).toString();
      edges.add(new ChainSnapshot.Edge(run, key, "minted", 1.0, List.of("ev-" + k), now, now, 1));
    }
    String chainId = DeterministicIds.chainId(run);
    producer.send(CloudEventCodec.toKafka(bench.topics.chains(), new Envelope<>(chainId + "-1",
        URI.create("killswitch://bench"), EventType.CHAIN, run, now.atOffset(ZoneOffset.UTC), chainId,
        dev.killswitch.revoker.FiredSnapshots.of(run, edges, now)))).get(30, TimeUnit.SECONDS);

    String requestId = "bench-" + UUID.randomUUID();
    RevocationRequested request = new RevocationRequested(requestId, run, RevocationRequested.Cascade.DOWNSTREAM,
        "bench", "trigger:job-completed", RevocationRequested.Mode.ENFORCE, now, null, false);
    long t0 = System.nanoTime();
    producer.send(CloudEventCodec.toKafka(bench.topics.revocationRequests(), new Envelope<>("ce-" + requestId,
        URI.create("killswitch://bench"), EventType.REVOCATION_REQUESTED, run, null, run, request)))
        .get(30, TimeUnit.SECONDS);
    Set<String> done = new HashSet<>();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
    while (done.size() < actions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + done.size() + " results in 120 s");
      }
      for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(5))) {
        RevocationResult result = CloudEventCodec.fromKafka(r).dataAs(RevocationResult.class);
        if (requestId.equals(result.requestId()) && result.outcome().isFinal()) {
          if (result.outcome() != RevocationResult.Outcome.REVOKED) {
            throw new IllegalStateException("expected revoked, got " + result);
          }
          done.add(result.actionId());
        }
      }
    }
    return System.nanoTime() - t0;
  }

  static KafkaProducer<String, byte[]> producer(BenchSupport bench) {
    Map<String, Object> p = new HashMap<>(bench.kafkaProps());
    p.put("acks", "all");
    p.put("enable.idempotence", true);
    p.put("linger.ms", 0);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<String, byte[]> consumer(BenchSupport bench) {
    Map<String, Object> p = new HashMap<>(bench.kafkaProps());
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", false);
    p.put("fetch.max.wait.ms", 5);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
