package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef.Kind;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything known about one chain: its edges (each the latest aggregate from the node that owns it), the status
 * of the root run and its jobs, the latest revocation result of each node, and the triggers that fired. Stored as
 * JSON in the {@code chains} store under the chain id. Immutable; every change returns a new state.
 *
 * @param completion when the run was first seen complete and when its trigger is due, or null while it runs
 * @param fired target reference -> the request id that covers it (the run itself and each credential)
 * @param occurrences occurrence key ({@code <trigger> <target> [<detail>]}) -> what fired for it
 * @param version how many snapshots were written; part of each snapshot's CloudEvent id
 * @param updatedAt wall-clock time of the last change: retention counts from here
 * @param timerAt the wall-clock time the chain is scheduled for in the {@code trigger-schedule} index, or null
 * @param snapshotDueAt when the snapshot of changes not yet written is due (snapshots are coalesced), or null
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ChainState(String chainId, String root, Map<String, EdgeState> edges, CiStatus run,
                         Map<String, CiStatus> jobs, Map<String, RevocationMark> revocations, Completion completion,
                         Map<String, String> fired, Map<String, Occurrence> occurrences, long version,
                         Instant updatedAt, Instant timerAt, Instant snapshotDueAt) {

  public static final String ACTIVE = "active";
  public static final String COMPLETED = "completed";
  public static final String REVOKED = "revoked";
  /** Node revocation state when nothing was requested. */
  public static final String NONE = "none";
  /** Node revocation state when a trigger asked for it and no result is known yet. */
  public static final String REQUESTED = "requested";

  private static final Set<String> REVOKED_OUTCOMES = Set.of("revoked", "already-revoked");

  /** When the run was seen complete (wall clock) and when its job-completed trigger is due. */
  public record Completion(Instant completedAt, Instant dueAt) {}

  public ChainState {
    Objects.requireNonNull(chainId, "chainId");
    Objects.requireNonNull(root, "root");
    edges = sorted(edges);
    jobs = sorted(jobs);
    revocations = sorted(revocations);
    fired = sorted(fired);
    occurrences = sorted(occurrences);
  }

  public static ChainState empty(String root) {
    return new ChainState(DeterministicIds.chainId(root), root, Map.of(), null, Map.of(), Map.of(), null, Map.of(),
        Map.of(), 0, null, null, null);
  }

  /** This chain with one more change applied; the same content when the change was already part of it. */
  public ChainState apply(ChainMessage m) {
    ChainState s = this;
    if (m.edge() != null) {
      Map<String, EdgeState> e = new TreeMap<>(edges);
      e.put(m.edge().key(), m.edge());
      s = s.with(e, run, jobs, revocations);
    }
    if (m.ci() != null) {
      CiFact f = m.ci();
      if (f.job() == null) {
        s = s.with(s.edges, s.run == null ? CiStatus.of(f) : s.run.merge(f), s.jobs, s.revocations);
      } else {
        Map<String, CiStatus> j = new TreeMap<>(s.jobs);
        j.merge(f.job(), CiStatus.of(f), (old, x) -> old.merge(f));
        s = s.with(s.edges, s.run, j, s.revocations);
      }
    }
    if (m.revocation() != null) {
      RevocationMark mark = m.revocation();
      RevocationMark old = s.revocations.get(mark.target());
      if (old == null || RevocationMark.LATEST.compare(mark, old) > 0) {
        Map<String, RevocationMark> r = new TreeMap<>(s.revocations);
        r.put(mark.target(), mark);
        s = s.with(s.edges, s.run, s.jobs, r);
      }
    }
    return s;
  }

  /**
   * A run is complete when its run-level status says so, or, when no run-level status is known (GitHub sends
   * workflow_job webhooks only, unless workflow_run is subscribed too), when every job seen has completed.
   * A run-level status that is not completed wins over completed jobs: later jobs may still be queued.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isComplete() {
    if (run != null) {
      return run.completed();
    }
    return !jobs.isEmpty() && jobs.values().stream().allMatch(CiStatus::completed);
  }

  /** How the run ended, for the request's reason: the run's conclusion, else the jobs' distinct conclusions. */
  public String conclusion() {
    if (run != null && run.conclusion() != null) {
      return run.conclusion();
    }
    TreeSet<String> c = new TreeSet<>();
    jobs.values().forEach(j -> c.add(j.conclusion() == null ? "unknown" : j.conclusion()));
    return c.isEmpty() ? "unknown" : String.join(", ", c);
  }

  /**
   * Every node: the root, both ends of every edge and the jobs; with kind, times, revocation state and the
   * attributes the chain's edges say about it (an AWS session's, from its {@code credential-of} edge).
   */
  public List<ChainSnapshot.Node> nodes() {
    Map<String, Instant[]> seen = new TreeMap<>();
    if (run != null) {
      see(seen, root, run.firstSeen(), run.lastSeen());
    }
    jobs.forEach((job, s) -> {
      see(seen, job, s.firstSeen(), s.lastSeen());
      see(seen, root, s.firstSeen(), s.lastSeen());
    });
    for (EdgeState e : edges.values()) {
      see(seen, e.from(), e.firstSeen(), e.lastSeen());
      see(seen, e.to(), e.firstSeen(), e.lastSeen());
    }
    seen.putIfAbsent(root, new Instant[] {null, null});
    Map<String, Map<String, String>> attributes = new TreeMap<>();
    for (EdgeState e : edges.values()) {
      if (!e.fromAttributes().isEmpty()) {
        attributes.merge(e.from(), e.fromAttributes(), EdgeState::mergeAttributes);
      }
    }
    List<ChainSnapshot.Node> out = new ArrayList<>(seen.size());
    seen.forEach((ref, t) -> out.add(new ChainSnapshot.Node(ref, Nodes.kindName(Nodes.kindOf(ref)), t[0], t[1],
        revocationOf(ref), attributes.get(ref))));
    return out;
  }

  /** The latest result's outcome, else {@code requested} when a trigger covered the node, else {@code none}. */
  public String revocationOf(String ref) {
    RevocationMark mark = revocations.get(ref);
    if (mark != null) {
      return mark.outcome();
    }
    return fired.containsKey(ref) ? REQUESTED : NONE;
  }

  /** The credentials of the chain (tokens, keys, sessions) and its bindings: what a revocation acts on, sorted. */
  public List<String> credentials() {
    TreeSet<String> out = new TreeSet<>();
    for (EdgeState e : edges.values()) {
      for (String ref : List.of(e.from(), e.to())) {
        Kind kind = Nodes.kindOf(ref);
        if (Nodes.isRevocable(kind)) {
          out.add(ref);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * When the run completed at the source: its run-level completion, else the latest of its jobs' completions; null
   * while it is not complete.
   */
  public Instant completedAt() {
    if (!isComplete()) {
      return null;
    }
    if (run != null) {
      return run.statusAt();
    }
    return jobs.values().stream().map(CiStatus::statusAt).max(Instant::compareTo).orElse(null);
  }

  /** {@code revoked} once every credential has been revoked, {@code completed} once the run is, else active. */
  public String status() {
    List<String> creds = credentials();
    if (!fired.isEmpty() && !creds.isEmpty() && creds.stream().allMatch(c -> revocations.containsKey(c)
        && REVOKED_OUTCOMES.contains(revocations.get(c).outcome()))) {
      return REVOKED;
    }
    return isComplete() ? COMPLETED : ACTIVE;
  }

  public ChainSnapshot toSnapshot() {
    return new ChainSnapshot(chainId, root, status(), nodes(),
        edges.values().stream().map(EdgeState::toSnapshotEdge).toList(), updatedAt);
  }

  /** True when both hold the same content, whatever their bookkeeping (version, times, timers). */
  public boolean sameContent(ChainState other) {
    return other != null && withBookkeeping(0, null).withTimer(null).withSnapshotDue(null)
        .equals(other.withBookkeeping(0, null).withTimer(null).withSnapshotDue(null));
  }

  public ChainState withCompletion(Completion c) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, c, fired, occurrences, version, updatedAt,
        timerAt, snapshotDueAt);
  }

  public ChainState withFired(Map<String, String> f) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, completion, f, occurrences, version,
        updatedAt, timerAt, snapshotDueAt);
  }

  public ChainState withOccurrences(Map<String, Occurrence> o) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, completion, fired, o, version, updatedAt,
        timerAt, snapshotDueAt);
  }

  public ChainState withBookkeeping(long v, Instant at) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, completion, fired, occurrences, v, at,
        timerAt, snapshotDueAt);
  }

  public ChainState withTimer(Instant t) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, completion, fired, occurrences, version,
        updatedAt, t, snapshotDueAt);
  }

  public ChainState withSnapshotDue(Instant due) {
    return new ChainState(chainId, root, edges, run, jobs, revocations, completion, fired, occurrences, version,
        updatedAt, timerAt, due);
  }

  private ChainState with(Map<String, EdgeState> e, CiStatus r, Map<String, CiStatus> j,
                          Map<String, RevocationMark> rev) {
    return new ChainState(chainId, root, e, r, j, rev, completion, fired, occurrences, version, updatedAt, timerAt,
        snapshotDueAt);
  }

  private static void see(Map<String, Instant[]> seen, String ref, Instant first, Instant last) {
    Instant[] t = seen.computeIfAbsent(ref, k -> new Instant[] {null, null});
    if (first != null && (t[0] == null || first.isBefore(t[0]))) {
      t[0] = first;
    }
    if (last != null && (t[1] == null || last.isAfter(t[1]))) {
      t[1] = last;
    }
  }

  private static <V> Map<String, V> sorted(Map<String, V> m) {
    return m == null ? new TreeMap<>() : m instanceof TreeMap<String, V> t ? t : new TreeMap<>(m);
  }
}
