package dev.killswitch.revoker.plan;

import dev.killswitch.schemas.event.RevocationAction;
import java.util.List;

/**
 * What the planner decided for one request: the actions to execute, and the ones it will not execute with the
 * reason (a guardrail, or nothing to revoke). Both are recorded in the ledger.
 */
public record Plan(String requestId, List<RevocationAction> actions, List<Skip> skipped) {

  /** An action the planner did not plan, and why; recorded with outcome {@code skipped}. */
  public record Skip(String actionId, String action, String target, String reason) {}

  public Plan {
    actions = List.copyOf(actions);
    skipped = List.copyOf(skipped);
  }
}
