package dev.killswitch.ingest.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ingest's meters. {@code killswitch.ingest.events} (Prometheus {@code killswitch_ingest_events_total}) counts
 * events by {@code source}, {@code outcome} (accepted, rejected, deduplicated, ignored) and {@code reason}
 * (the rejection's error code, why a record was ignored, or {@code none}); {@code killswitch.ingest.event.lag}
 * is now minus the event's own time, per source; {@code killswitch.ingest.warnings} counts fields that were
 * present but unusable (an invalid CI run reference); {@code killswitch.ingest.deadletter.failures} counts
 * rejected bytes that could not be written to the dead letter topic.
 */
public final class IngestMetrics {

  public static final String EVENTS = "killswitch.ingest.events";
  public static final String LAG = "killswitch.ingest.event.lag";
  public static final String WARNINGS = "killswitch.ingest.warnings";
  public static final String DEADLETTER_FAILURES = "killswitch.ingest.deadletter.failures";

  private final MeterRegistry registry;
  /** The lag timer of each source, looked up once rather than built and registered again for every event. */
  private final Map<String, Timer> lagTimers = new ConcurrentHashMap<>();

  public IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void accepted(String source, int count) {
    events(source, "accepted", "none", count);
  }

  public void rejected(String source, String reason, int count) {
    events(source, "rejected", reason, count);
  }

  public void deduplicated(String source, String reason) {
    events(source, "deduplicated", reason, 1);
  }

  public void deduplicated(String source, String reason, int count) {
    events(source, "deduplicated", reason, count);
  }

  public void ignored(String source, String reason, int count) {
    events(source, "ignored", reason, count);
  }

  public void warning(String source, String warning) {
    Counter.builder(WARNINGS).description("Fields present but unusable, left out of the event")
        .tag("source", source).tag("warning", warning).register(registry).increment();
  }

  public void deadLetterFailed(String source) {
    Counter.builder(DEADLETTER_FAILURES).description("Rejected inputs that could not be dead-lettered")
        .tag("source", source).register(registry).increment();
  }

  /** Records how late an event reached Kafka; events stamped in the future count as no lag. */
  public void lag(String source, Instant eventTime, Instant now) {
    if (eventTime == null) {
      return;
    }
    Duration lag = Duration.between(eventTime, now);
    lagTimers.computeIfAbsent(source, s -> Timer.builder(LAG)
        .description("Now minus the event's own time, when Kafka acknowledged it")
        .tag("source", s)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofDays(1))
        .register(registry))
        .record(lag.isNegative() ? Duration.ZERO : lag);
  }

  private void events(String source, String outcome, String reason, int count) {
    if (count <= 0) {
      return;
    }
    Counter.builder(EVENTS).description("Events received by ingest, by outcome")
        .tag("source", source).tag("outcome", outcome).tag("reason", reason)
        .register(registry).increment(count);
  }
}
