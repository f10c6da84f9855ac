package dev.killswitch.correlator.internal.streams;

import dev.killswitch.correlator.internal.graph.Candidate;
import dev.killswitch.correlator.internal.graph.CandidateFact;
import dev.killswitch.correlator.internal.graph.EdgeFact;
import dev.killswitch.correlator.internal.graph.JoinSettings;
import dev.killswitch.correlator.internal.graph.Joins;
import dev.killswitch.correlator.internal.graph.NodeChain;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.schemas.IdentityRef.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;

/**
 * The joins that resolve at a join-key node ({@link Joins}): keeps the observations there and sends what they
 * resolve to back through the loop, whichever of the two sides arrives last. Only what newly matches is sent
 * (a candidate's span that grows sends the observations it now covers), so nothing resolves twice but by a
 * duplicate, which the receiving aggregates absorb.
 */
final class JoinResolver {

  private final NodeState state;
  private final JoinSettings settings;
  private final Consumer<NodeMessage> loop;
  /** Activity-index buckets: a window wide (at least a minute), so a match reads one bucket. */
  private final long bucketMs;

  JoinResolver(NodeState state, JoinSettings settings, Consumer<NodeMessage> loop) {
    this.state = state;
    this.settings = settings;
    this.loop = loop;
    this.bucketMs = Math.max(60_000, settings.window().toMillis());
  }

  /** An observation the node is the join key of. */
  void attribute(String node, Kind kind, EdgeFact fact, Instant now) {
    Optional<Joins.Mode> mode = Joins.modeOf(kind);
    if (mode.isEmpty()) {
      return;
    }
    switch (mode.get()) {
      case TOKENS_OF_SERVICE_ACCOUNT -> {
        state.keepFact(node, fact, now);
        for (String token : state.activeAround(node, fact.at(), bucketMs)) {
          Instant[] span = state.tokenActivity(node, token);
          if (span != null && Joins.covers(span[0], span[1], fact.at(), settings)) {
            send(Joins.derivedFromToken(token, fact, settings));
          }
        }
      }
      case RUNS_OF_SUBJECT -> {
        state.keepFact(node, fact, now);
        for (String run : state.activeAround(node, fact.at(), bucketMs)) {
          Candidate c = state.candidate(node, run);
          if (c != null && Joins.covers(c.firstSeen(), c.lastSeen(), fact.at(), settings)) {
            send(Joins.attributedToRun(c.ref(), node, fact, settings));
          }
        }
      }
      case RUN_OF_JOB -> {
        state.keepFact(node, fact, now);
        for (NodeChain m : state.memberships(node)) {
          send(Joins.attributedToRunOfJob(m.root(), fact));
        }
      }
      case CONFIRMED_SECRET_TOKEN -> {
        if (state.hasOutbound(node)) {
          send(NodeMessage.bothEnds(fact));
        } else {
          state.keepFact(node, fact, now);
        }
      }
      default -> { }
    }
  }

  /** A token of the service account was seen again: its span went from {@code before} to {@code after}. */
  void tokenActive(String serviceAccount, String token, Instant[] before, Instant[] after, Instant now) {
    if (after == null || (before != null && before[0].equals(after[0]) && before[1].equals(after[1]))) {
      return;
    }
    state.indexActivity(serviceAccount, token, before, after, settings.clockSkew(), settings.window(), bucketMs, now);
    for (KeyValue<String, EdgeFact> kv : newlyCovered(serviceAccount, before, after)) {
      send(Joins.derivedFromToken(token, kv.value, settings));
    }
  }

  /** A run of the subject was seen active. */
  void candidate(String subject, CandidateFact fact, Instant now) {
    Candidate[] change = state.candidate(subject, Candidate.of(fact), now);
    Candidate before = change[0];
    Candidate after = change[1];
    if (after.equals(before)) {
      return;
    }
    Instant[] was = before == null ? null : new Instant[] {before.firstSeen(), before.lastSeen()};
    Instant[] is = new Instant[] {after.firstSeen(), after.lastSeen()};
    state.indexActivity(subject, after.ref(), was, is, settings.clockSkew(), settings.window(), bucketMs, now);
    for (KeyValue<String, EdgeFact> kv : newlyCovered(subject, was, is)) {
      send(Joins.attributedToRun(after.ref(), subject, kv.value, settings));
    }
  }

  /** The job became part of a run's chain: what waited for the job's run goes to it. */
  void jobJoined(String job, String run) {
    for (KeyValue<String, EdgeFact> kv : state.facts(job)) {
      send(Joins.attributedToRunOfJob(run, kv.value));
    }
  }

  /** The Secret was used as a token: the reads kept for it become {@code minted} edges. */
  void secretConfirmed(String secretToken) {
    for (KeyValue<String, EdgeFact> kv : state.facts(secretToken)) {
      send(NodeMessage.bothEnds(kv.value));
      state.dropFact(kv.key);
    }
  }

  /**
   * The kept observations a span now covers that it did not before: the span only grows, so these are the
   * observations between its old and new ends (range scans over the time-ordered rows).
   */
  private List<KeyValue<String, EdgeFact>> newlyCovered(String node, Instant[] before, Instant[] after) {
    Instant from = after[0].minus(settings.clockSkew());
    Instant to = after[1].plus(settings.window());
    if (before == null) {
      return state.facts(node, from, to);
    }
    Instant oldFrom = before[0].minus(settings.clockSkew());
    Instant oldTo = before[1].plus(settings.window());
    List<KeyValue<String, EdgeFact>> out = new java.util.ArrayList<>(state.facts(node, from, oldFrom.minusMillis(1)));
    out.addAll(state.facts(node, oldTo.plusMillis(1), to));
    return out;
  }

  private void send(List<NodeMessage> messages) {
    messages.forEach(loop);
  }
}
