package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the triggers decide in one step for one chain: the chain's new trigger state, and the requests and alerts to
 * emit. Every occurrence has a key; a key that fired before never fires again, and the ids of what it emits are
 * derived from the trigger, the root, the target and the occurrence, so a replay computes the same ids.
 */
public final class Firing {

  private ChainState state;
  private final Instant now;
  private final TriggerSettings settings;
  private final List<RevocationRequested> requests = new ArrayList<>();
  private final List<Alert> alerts = new ArrayList<>();
  private final List<String> fired = new ArrayList<>();
  private ChainEdges edges;

  public Firing(ChainState state, Instant now, TriggerSettings settings) {
    this(state, now, settings, null);
  }

  Firing(ChainState state, Instant now, TriggerSettings settings, ChainEdges edges) {
    this.state = state;
    this.now = now;
    this.settings = settings;
    this.edges = edges;
  }

  public ChainState state() {
    return state;
  }

  public Instant now() {
    return now;
  }

  public TriggerSettings settings() {
    return settings;
  }

  /** The current state's edges, indexed (once: firing changes what fired, never the edges). */
  ChainEdges edges() {
    if (edges == null || !edges.of(state)) {
      edges = new ChainEdges(state);
    }
    return edges;
  }

  public List<RevocationRequested> requests() {
    return List.copyOf(requests);
  }

  public List<Alert> alerts() {
    return List.copyOf(alerts);
  }

  /** The triggers that fired in this step, one entry per occurrence, in order. */
  public List<String> fired() {
    return List.copyOf(fired);
  }

  void replace(ChainState next, List<RevocationRequested> more) {
    state = next;
    requests.addAll(more);
    more.forEach(r -> fired.add(JobCompletedTrigger.NAME));
  }

  public boolean hasFired(String key) {
    return state.occurrences().containsKey(key);
  }

  /**
   * Fires one occurrence: an optional request (cascade downstream) and an optional alert about {@code target}.
   *
   * @param idParts what makes the occurrence unique beside trigger, root and target (may be empty)
   */
  void fire(String trigger, String key, String target, String reason, boolean request, boolean override,
            String severity, String summary, List<String> evidence, Map<String, String> details, String... idParts) {
    String requestId = null;
    if (request) {
      requestId = DeterministicIds.of(concat("trigger", trigger, state.root(), target, idParts));
      requests.add(new RevocationRequested(requestId, target, Cascade.DOWNSTREAM, reason, "trigger:" + trigger,
          settings.mode(), now, null, override));
      Map<String, String> covered = new TreeMap<>(state.fired());
      covered.putIfAbsent(target, requestId);
      for (String c : downstreamCredentials(target)) {
        covered.putIfAbsent(c, requestId);
      }
      state = state.withFired(covered);
    }
    String alertId = null;
    if (severity != null) {
      alertId = DeterministicIds.of(concat("alert", trigger, state.root(), target, idParts));
      Map<String, String> d = new TreeMap<>(details);
      d.put("chainId", state.chainId());
      d.put("root", state.root());
      if (requestId != null) {
        d.put("requestId", requestId);
      }
      alerts.add(new Alert(alertId, trigger, target, severity, summary, evidence, d, now));
    }
    Map<String, Occurrence> o = new TreeMap<>(state.occurrences());
    o.put(key, new Occurrence(trigger, target, requestId, alertId, now));
    state = state.withOccurrences(o);
    fired.add(trigger);
  }

  /**
   * The chain's revocable nodes reachable from {@code target} along every edge but {@code used}, as the revoker's
   * downstream cascade follows them: the request covers them.
   */
  private List<String> downstreamCredentials(String target) {
    java.util.Set<String> seen = new java.util.TreeSet<>(List.of(target));
    java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(target));
    while (!todo.isEmpty()) {
      String node = todo.poll();
      for (EdgeState e : edges().outbound(node)) {
        if (!e.kind().equals(EdgeKind.USED) && seen.add(e.to())) {
          todo.add(e.to());
        }
      }
    }
    java.util.Set<String> revocable = new java.util.HashSet<>(edges().credentials());
    List<String> out = new ArrayList<>();
    for (String ref : seen) {
      if (revocable.contains(ref)) {
        out.add(ref);
      }
    }
    return out;
  }

  private static String[] concat(String a, String b, String c, String d, String... rest) {
    String[] out = new String[4 + rest.length];
    out[0] = a;
    out[1] = b;
    out[2] = c;
    out[3] = d;
    System.arraycopy(rest, 0, out, 4, rest.length);
    return out;
  }
}
