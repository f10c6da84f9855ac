package dev.killswitch.correlator.internal.streams;

import io.micrometer.core.instrument.MeterRegistry;

/** The correlator's own counters (Kafka Streams' client metrics are bound separately). */
public final class CorrelatorMetrics {

  private final MeterRegistry registry;

  public CorrelatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void event(String type) {
    registry.counter("killswitch.correlator.events", "type", type).increment();
  }

  public void duplicate() {
    registry.counter("killswitch.correlator.duplicates").increment();
  }

  public void deadLetter(String reason) {
    registry.counter("killswitch.correlator.deadletter", "reason", reason).increment();
  }

  public void snapshot() {
    registry.counter("killswitch.correlator.snapshots").increment();
  }

  public void trigger(String trigger) {
    registry.counter("killswitch.correlator.triggers", "trigger", trigger).increment();
  }

  public void alert(String kind) {
    registry.counter("killswitch.correlator.alerts", "kind", kind).increment();
  }

  /** A node message fed back into the graph (multi-hop membership, resolved joins). */
  public void loop() {
    registry.counter("killswitch.correlator.loop").increment();
  }

  public void expired(String store, long n) {
    registry.counter("killswitch.correlator.expired", "store", store).increment(n);
  }
}
