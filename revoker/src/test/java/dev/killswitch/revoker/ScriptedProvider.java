package dev.killswitch.revoker;

import dev.killswitch.schemas.event.RevocationAction;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider fake whose outcome per target the test scripts (default: revoked), which counts its calls, and which
 * can hold a call until the test releases it.
 */
public final class ScriptedProvider implements RevocationProvider {

  private final String action;
  private final Map<String, Deque<Outcome>> scripts = new ConcurrentHashMap<>();
  private final Map<String, Outcome> always = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> lifts = new ConcurrentHashMap<>();
  private final java.util.Set<String> protectedTargets = ConcurrentHashMap.newKeySet();

  public ScriptedProvider(String action) {
    this.action = action;
  }

  /** The next calls on the target return these outcomes in turn, then revoked. */
  public ScriptedProvider script(String target, Outcome... outcomes) {
    scripts.put(target, new ArrayDeque<>(List.of(outcomes)));
    return this;
  }

  /** Every call on the target returns this outcome. */
  public ScriptedProvider always(String target, Outcome outcome) {
    always.put(target, outcome);
    return this;
  }

  /** Calls on the target wait until the latch is released. */
  public ScriptedProvider hold(String target, CountDownLatch latch) {
    holds.put(target, latch);
    return this;
  }

  public int calls(String target) {
    return calls.getOrDefault(target, new AtomicInteger()).get();
  }

  public int lifts(String target) {
    return lifts.getOrDefault(target, new AtomicInteger()).get();
  }

  @Override
  public String actionId() {
    return action;
  }

  @Override
  public Outcome execute(RevocationAction a) {
    calls.computeIfAbsent(a.target(), k -> new AtomicInteger()).incrementAndGet();
    CountDownLatch hold = holds.get(a.target());
    if (hold != null) {
      try {
        if (!hold.await(60, TimeUnit.SECONDS)) {
          return new Outcome.RetriableFailure("held too long");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome.RetriableFailure("interrupted");
      }
    }
    Outcome fixed = always.get(a.target());
    if (fixed != null) {
      return fixed;
    }
    Deque<Outcome> script = scripts.get(a.target());
    Outcome next = script == null ? null : script.poll();
    return next != null ? next : new Outcome.Revoked("done by the fake");
  }

  /** The target's live object carries the protected label: the preflight skips it unless overridden. */
  public ScriptedProvider protect(String target) {
    protectedTargets.add(target);
    return this;
  }

  @Override
  public java.util.Optional<Outcome> preflight(RevocationAction a) {
    boolean override = a.params() != null && "true".equals(a.params().get("override"));
    if (protectedTargets.contains(a.target()) && !override) {
      return java.util.Optional.of(new Outcome.Skipped("protected: labelled killswitch.dev/protected=true"));
    }
    return java.util.Optional.empty();
  }

  @Override
  public Outcome lift(RevocationAction a, dev.killswitch.schemas.event.RevocationResult revoked) {
    lifts.computeIfAbsent(a.target(), k -> new AtomicInteger()).incrementAndGet();
    return new Outcome.Revoked("re-enabled by the fake");
  }
}
