package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code job-completed} trigger (DESIGN.md "Triggers"), decided apart from doing: a pure function from a chain
 * and the time to the chain's new trigger state and the requests to emit.
 *
 * <p>When the run completes, after the grace period, one request targets the run with cascade downstream (the
 * revoker plans it from the chain snapshot written just before); every credential in the chain at that moment is
 * covered by it. A credential that joins the chain later, while the run is still complete (a TokenRequest that
 * arrives after the completion), gets a request of its own. Request ids are derived from the run and target, and
 * what fired is kept in the chain, so nothing fires twice, whatever the order, duplicates or restarts.
 */
public final class JobCompletedTrigger {

  public static final String NAME = "job-completed";
  public static final String REQUESTED_BY = "trigger:" + NAME;

  /** The chain after the decision and the requests to emit, in order. */
  public record Decision(ChainState state, List<RevocationRequested> requests) {}

  private JobCompletedTrigger() {}

  public static Decision evaluate(ChainState chain, Instant now, Duration grace, Mode mode) {
    return evaluate(chain, null, now, grace, mode);
  }

  /** As above, with the chain's {@linkplain ChainState#credentials credentials} when known (null: computed). */
  static Decision evaluate(ChainState chain, List<String> credentials, Instant now, Duration grace, Mode mode) {
    if (!chain.isComplete()) {
      return new Decision(chain.withCompletion(null), List.of());
    }
    ChainState.Completion completion = chain.completion() != null
        ? chain.completion() : new ChainState.Completion(now, now.plus(grace));
    ChainState state = chain.withCompletion(completion);
    if (now.isBefore(completion.dueAt())) {
      return new Decision(state, List.of());
    }
    String root = chain.root();
    String conclusion = chain.conclusion();
    List<String> creds = credentials != null ? credentials : chain.credentials();
    Map<String, String> fired = new TreeMap<>(chain.fired());
    List<RevocationRequested> requests = new ArrayList<>();
    if (!fired.containsKey(root)) {
      String requestId = DeterministicIds.of("trigger", NAME, root);
      fired.put(root, requestId);
      creds.forEach(c -> fired.putIfAbsent(c, requestId));
      requests.add(request(requestId, root, "CI run completed (" + conclusion + ")", mode, now));
    } else {
      for (String credential : creds) {
        if (!fired.containsKey(credential)) {
          String requestId = DeterministicIds.of("trigger", NAME, root, credential);
          fired.put(credential, requestId);
          requests.add(request(requestId, credential,
              "credential minted for CI run " + root + " after it completed (" + conclusion + ")", mode, now));
        }
      }
    }
    return new Decision(state.withFired(fired), requests);
  }

  private static RevocationRequested request(String requestId, String target, String reason, Mode mode,
                                             Instant now) {
    return new RevocationRequested(requestId, target, Cascade.DOWNSTREAM, reason, REQUESTED_BY, mode, now, null,
        false);
  }
}
