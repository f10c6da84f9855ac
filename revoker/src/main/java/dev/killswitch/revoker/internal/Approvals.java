package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.revoker.plan.Plan;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Releases the broad actions of a request that wait for approval ({@code pending} "awaiting approval" in the
 * ledger): re-plans the request (the planner is deterministic, and a broad action is planned for the request's
 * own target, so the same action comes out), records who approved and when as the actions' {@code pending} entry
 * and as parameters of the actions, which the executor copies into the final result's detail, then publishes the
 * actions. The ledger entries are acknowledged before the actions are sent, as in the planner.
 */
final class Approvals {

  /** What an approval did. */
  sealed interface Result {
    record NotFound() implements Result {}

    record NothingToApprove(String status) implements Result {}

    record Approved(List<String> actionIds, String approvedBy, Instant approvedAt) implements Result {}
  }

  private static final String APPROVED_BY = "approved by ";

  private final Ledger ledger;
  private final TopicView ledgerView;
  private final ChainView chains;
  private final Guardrails guardrails;
  private final Publisher publisher;
  private final Clock clock;
  private final Duration catchUp;

  Approvals(Ledger ledger, TopicView ledgerView, ChainView chains, Guardrails guardrails, Publisher publisher,
            Clock clock, Duration catchUp) {
    this.ledger = ledger;
    this.ledgerView = ledgerView;
    this.chains = chains;
    this.guardrails = guardrails;
    this.publisher = publisher;
    this.clock = clock;
    this.catchUp = catchUp;
  }

  /** Awaiting approval, or approved and not run yet. */
  static boolean approvable(Ledger.ActionView a) {
    return a.outcome() == RevocationResult.Outcome.PENDING && a.attempts() == 0 && a.detail() != null
        && (Events.AWAITING_APPROVAL.equals(a.detail()) || a.detail().startsWith(APPROVED_BY));
  }

  /** Approves every action of the request that awaits approval. */
  Result approve(String requestId, String approver) {
    ledgerView.awaitEnd(catchUp);
    var view = ledger.view(requestId);
    if (view.isEmpty() || view.get().request() == null) {
      return new Result.NotFound();
    }
    // Approved but never run counts too: an approval that died between its ledger entries and the actions (the
    // approver saw an error) must be repeatable. Publishing such an action again is harmless: the executor dedupes.
    Set<String> awaiting = view.get().actions().stream()
        .filter(Approvals::approvable)
        .map(Ledger.ActionView::actionId)
        .collect(Collectors.toSet());
    if (awaiting.isEmpty()) {
      return new Result.NothingToApprove(view.get().status());
    }
    RevocationRequested request = view.get().request();
    Instant now = clock.instant();
    Plan plan = Planner.plan(request, chains.graphFor(request.target()), guardrails, now);
    List<RevocationAction> approved = new ArrayList<>();
    for (RevocationAction a : plan.actions()) {
      if (awaiting.contains(a.actionId())) {
        TreeMap<String, String> params = new TreeMap<>(a.params());
        params.put(Events.PARAM_APPROVED_BY, approver);
        params.put(Events.PARAM_APPROVED_AT, now.toString());
        approved.add(new RevocationAction(a.actionId(), a.requestId(), a.action(), a.target(), params, a.mode(),
            a.reason(), a.requestedBy(), now, a.expiresAt()));
      }
    }
    List<Future<RecordMetadata>> entries = new ArrayList<>();
    for (RevocationAction a : approved) {
      RevocationResult entry = Events.outcome(a, RevocationResult.Outcome.PENDING,
          APPROVED_BY + approver + " at " + now, 0, now);
      entries.add(publisher.send(publisher.topics().revocationResults(), Events.result(entry)));
    }
    publisher.awaitAll(entries);
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (RevocationAction a : approved) {
      sends.add(publisher.send(publisher.topics().revocationActions(), Events.action(a)));
    }
    publisher.awaitAll(sends);
    return new Result.Approved(approved.stream().map(RevocationAction::actionId).sorted().toList(), approver, now);
  }
}
