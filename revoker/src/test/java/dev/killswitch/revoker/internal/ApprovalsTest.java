package dev.killswitch.revoker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ApprovalsTest {

  static Ledger.ActionView action(Outcome outcome, String detail, int attempts) {
    return new Ledger.ActionView("a1", "k8s.rotate-service-account", "k8s:prod:sa/ci/deployer", outcome, detail,
        attempts, Instant.parse("2026-03-01T12:00:00Z"));
  }

  @Test
  void anActionAwaitingApprovalOrApprovedButNotRunCanBeApprovedAgainAndNothingElse() {
    assertThat(Approvals.approvable(action(Outcome.PENDING, "awaiting approval", 0))).isTrue();
    // an approval that died between its ledger entry and the action must be repeatable
    assertThat(Approvals.approvable(action(Outcome.PENDING, "approved by user:sha256:ab at 2026-03-01T12:00:00Z", 0)))
        .isTrue();
    assertThat(Approvals.approvable(action(Outcome.PENDING, "planned", 0))).isFalse();
    assertThat(Approvals.approvable(action(Outcome.PENDING, "attempt 1 of 8 failed (retriable): 503", 1))).isFalse();
    assertThat(Approvals.approvable(action(Outcome.REVOKED, "approved by x", 1))).isFalse();
  }
}
