package dev.killswitch.testkit.fakes;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Fault injection shared by the cloud fakes: scripted failures ("the next 2 calls of PutRolePolicy answer
 * Throttling"), random ones (a share of calls throttled, a share answering a server error) and added latency.
 * Random faults come from a seeded generator, so a run is repeatable. Thread-safe.
 *
 * <p>Codes are the fake's own vocabulary: AWS error codes ({@code Throttling}, {@code ServiceUnavailable},
 * {@code AccessDenied}, ...) for {@link FakeAwsIam}, gRPC status names ({@code UNAVAILABLE},
 * {@code RESOURCE_EXHAUSTED}, ...) for {@link FakeGoogleIam}.
 */
public final class Faults {

  /** What the fake should do instead of answering. */
  public enum Kind { THROTTLE, SERVER_ERROR, SCRIPTED }

  /** An injected failure: its kind and, for scripted ones, the code to answer with. */
  public record Fault(Kind kind, String code) {}

  private final Map<String, Deque<String>> scripted = new HashMap<>();
  private Random random = new Random(42);
  private double throttleRatio;
  private double serverErrorRatio;
  private Duration latency = Duration.ZERO;

  /** The next {@code times} calls of {@code operation} ({@code *} for any) fail with {@code code}. */
  public synchronized Faults failNext(String operation, String code, int times) {
    Deque<String> queue = scripted.computeIfAbsent(operation, k -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      queue.add(code);
    }
    return this;
  }

  /** A share (0..1) of all calls is throttled. */
  public synchronized Faults throttleRatio(double ratio) {
    this.throttleRatio = ratio;
    return this;
  }

  /** A share (0..1) of all calls answers a server error (5xx, UNAVAILABLE). */
  public synchronized Faults serverErrorRatio(double ratio) {
    this.serverErrorRatio = ratio;
    return this;
  }

  /** Every call waits this long before it is answered (a client timeout shorter than this fails the call). */
  public synchronized Faults latency(Duration delay) {
    this.latency = delay == null ? Duration.ZERO : delay;
    return this;
  }

  /** Reseeds the random faults. */
  public synchronized Faults seed(long seed) {
    this.random = new Random(seed);
    return this;
  }

  /** Removes every fault and the latency. */
  public synchronized void clear() {
    scripted.clear();
    throttleRatio = 0;
    serverErrorRatio = 0;
    latency = Duration.ZERO;
  }

  synchronized Duration latency() {
    return latency;
  }

  /** The fault for this call of {@code operation}, if any (scripted ones first, consumed as they are used). */
  synchronized Optional<Fault> next(String operation) {
    for (String key : new String[] {operation, "*"}) {
      Deque<String> queue = scripted.get(key);
      if (queue != null && !queue.isEmpty()) {
        return Optional.of(new Fault(Kind.SCRIPTED, queue.poll()));
      }
    }
    double r = random.nextDouble();
    if (r < throttleRatio) {
      return Optional.of(new Fault(Kind.THROTTLE, null));
    }
    if (r < throttleRatio + serverErrorRatio) {
      return Optional.of(new Fault(Kind.SERVER_ERROR, null));
    }
    return Optional.empty();
  }

  static void sleep(Duration d) {
    if (!d.isZero()) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
