package dev.killswitch.correlator.internal.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The correlator's own counters (Kafka Streams' client metrics are bound separately). Each counter is registered
 * when first counted, as before, then held: counting is on every record's path, and a registry lookup builds and
 * hashes the meter's id.
 */
public final class CorrelatorMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> untagged = new ConcurrentHashMap<>();
  private final Map<String, Counter> events = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, Counter> triggers = new ConcurrentHashMap<>();
  private final Map<String, Counter> alerts = new ConcurrentHashMap<>();
  private final Map<String, Counter> expired = new ConcurrentHashMap<>();

  public CorrelatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void event(String type) {
    tagged(events, "killswitch.correlator.events", "type", type).increment();
  }

  public void duplicate() {
    untagged("killswitch.correlator.duplicates").increment();
  }

  public void deadLetter(String reason) {
    tagged(deadLetters, "killswitch.correlator.deadletter", "reason", reason).increment();
  }

  public void snapshot() {
    untagged("killswitch.correlator.snapshots").increment();
  }

  public void trigger(String trigger) {
    tagged(triggers, "killswitch.correlator.triggers", "trigger", trigger).increment();
  }

  public void alert(String kind) {
    tagged(alerts, "killswitch.correlator.alerts", "kind", kind).increment();
  }

  /** A node message fed back into the graph (multi-hop membership, resolved joins). */
  public void loop() {
    untagged("killswitch.correlator.loop").increment();
  }

  public void expired(String store, long n) {
    tagged(expired, "killswitch.correlator.expired", "store", store).increment(n);
  }

  private Counter untagged(String name) {
    return untagged.computeIfAbsent(name, registry::counter);
  }

  private Counter tagged(Map<String, Counter> held, String name, String tag, String value) {
    return held.computeIfAbsent(value, v -> registry.counter(name, tag, v));
  }
}
