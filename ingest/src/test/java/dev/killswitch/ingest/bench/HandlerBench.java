package dev.killswitch.ingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.internal.JsonSpans;
import dev.killswitch.ingest.internal.K8sAuditNormalizer;
import dev.killswitch.ingest.internal.Normalized;
import dev.killswitch.ingest.internal.Redactor;
import dev.killswitch.schemas.CloudEventCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test): the CPU one thread spends per audit event on what the k8s-audit handler does between
 * reading the body and {@code producer.send}: parse the EventList ({@link JsonSpans}), normalize and redact
 * each event, encode its CloudEvent record. No HTTP, no Kafka, so the figure does not depend on what else
 * the machine runs as much as throughput does. Same events as {@link IngestBench} (batches of 100).
 * Thread CPU time per event is printed for rounds 5 to 12 (the first four warm the JIT).
 */
public final class HandlerBench {

  public static void main(String[] args) {
    IngestBench.Events events = new IngestBench.Events();
    List<byte[]> bodies = new ArrayList<>();
    for (int r = 0; r < 200; r++) {
      bodies.add(IngestBench.eventList(events, 100));
    }
    K8sAuditNormalizer normalizer = new K8sAuditNormalizer("killswitch.dev/ci-run", new Redactor());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long bytes = 0;
    for (int round = 1; round <= 12; round++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      int n = 0;
      for (int rep = 0; rep < 5; rep++) {
        for (byte[] body : bodies) {
          JsonSpans parsed = JsonSpans.parse(body);
          for (JsonNode ev : parsed.root().get("items")) {
            Normalized.Publish p = (Normalized.Publish) normalizer.normalize("bench", ev, parsed.source(ev));
            bytes += CloudEventCodec.toKafka("bench", p.event()).value().length;
            n++;
          }
        }
      }
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      if (round > 4) {
        System.out.printf(Locale.ROOT, "round %d: %.2f µs CPU per event%n", round, cpu / 1e3 / n);
      }
    }
    System.out.printf(Locale.ROOT, "record value %d bytes on average%n", bytes / (12L * 5 * 200 * 100));
  }
}
