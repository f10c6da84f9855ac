package dev.killswitch.revoker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LedgerTest {

  static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  final Ledger ledger = new Ledger("t.revocation.requests");

  static RevocationResult result(String actionId, String target, Outcome outcome, int attempts) {
    return new RevocationResult(actionId, "req-1", "k8s.deny-token", target, outcome, outcome.wire(), attempts, T);
  }

  static RevocationRequested request(String target) {
    return new RevocationRequested("req-1", target, Cascade.DOWNSTREAM, "r", "user:x", Mode.ENFORCE, T, null, false);
  }

  @Test
  void aPendingEntryNeverReplacesAFinalOutcomeAndIsWrittenAgainToWinCompaction() {
    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.PENDING, 0));
    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.REVOKED, 1));
    assertThat(ledger.needsReassert("a1")).isFalse();

    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.PENDING, 0));

    assertThat(ledger.finalResult("a1")).get().extracting(RevocationResult::outcome).isEqualTo(Outcome.REVOKED);
    assertThat(ledger.needsReassert("a1")).isTrue();
    ledger.applyResult(ledger.finalResult("a1").orElseThrow());
    assertThat(ledger.needsReassert("a1")).isFalse();
  }

  @Test
  void statusFollowsTheActionsFromPlannedToDoneOrFailed() {
    ledger.applyRequest(request("ci:github:acme/app/runs/1"));
    assertThat(ledger.view("req-1")).get().extracting(Ledger.RequestView::status).isEqualTo("requested");

    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.PENDING, 0));
    ledger.applyResult(result("a2", "k8s:prod:token/b", Outcome.PENDING, 0));
    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("planned");

    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.DRY_RUN, 0));
    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("in-progress");

    ledger.applyResult(result("a2", "k8s:prod:token/b", Outcome.SKIPPED, 0));
    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("done");

    ledger.applyResult(result("a2", "k8s:prod:token/b", Outcome.FAILED, 1));
    Ledger.RequestView view = ledger.view("req-1").orElseThrow();
    assertThat(view.status()).isEqualTo("failed");
    assertThat(view.actions()).extracting(Ledger.ActionView::target).containsExactly("k8s:prod:token/a", "k8s:prod:token/b");
  }

  @Test
  void aRetriableFailureKeepsTheRequestInProgress() {
    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.PENDING, 1));

    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("in-progress");
  }

  @Test
  void aRequestWithAnInvalidTargetIsRejectedAndAnUnknownOneIsAbsent() {
    ledger.applyRequest(request("prod/token/abc"));

    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("rejected");
    assertThat(ledger.view("nope")).isEmpty();
  }

  @Test
  void theFirstCopyOfARequestIdIsTheRequest() {
    ledger.applyRequest(request("k8s:prod:token/a"));
    ledger.applyRequest(request("k8s:prod:token/b"));

    assertThat(ledger.view("req-1").orElseThrow().request().target()).isEqualTo("k8s:prod:token/a");
  }

  @Test
  void aBroadActionAwaitingApprovalMakesTheRequestPendingApproval() {
    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.REVOKED, 1));
    ledger.applyResult(new RevocationResult("a2", "req-1", "k8s.rotate-service-account", "k8s:prod:sa/ci/deployer",
        Outcome.PENDING, Events.AWAITING_APPROVAL, 0, T));

    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("pending-approval");
  }

  @Test
  void anExpiredLockListsItsRevokedActionsForLiftingUntilTheyAreLifted() {
    ledger.applyRequest(new RevocationRequested("req-1", "k8s:prod:token/a", Cascade.NONE, "r", "user:x",
        Mode.ENFORCE, T, T.plusSeconds(600), false));
    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.REVOKED, 1));
    ledger.applyResult(result("a2", "k8s:prod:token/b", Outcome.SKIPPED, 0));

    assertThat(ledger.dueLifts(T.plusSeconds(599))).isEmpty();
    assertThat(ledger.dueLifts(T.plusSeconds(600))).singleElement()
        .satisfies(l -> assertThat(l.revoked().actionId()).isEqualTo("a1"));

    ledger.applyResult(result("a1", "k8s:prod:token/a", Outcome.LIFTED, 1));
    assertThat(ledger.dueLifts(T.plusSeconds(601))).isEmpty();
    assertThat(ledger.view("req-1").orElseThrow().status()).isEqualTo("done");
  }
}
