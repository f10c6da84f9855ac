package dev.killswitch.revoker;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationAction;
import java.util.Set;

/**
 * The target of an action as a provider needs it: a reference of a kind the provider works on, or the permanent
 * failure to record instead (the same check every provider makes before it calls its platform).
 *
 * @param ref the parsed target; null when refused
 * @param refusal why the provider cannot act on the target; null when it can
 */
public record ActionTarget(IdentityRef ref, Outcome.PermanentFailure refusal) {

  public static ActionTarget of(RevocationAction action, String actionId, Set<IdentityRef.Kind> kinds) {
    IdentityRef target;
    try {
      target = IdentityRef.parse(action.target());
    } catch (InvalidIdentityRefException e) {
      return new ActionTarget(null, new Outcome.PermanentFailure(e.getMessage()));
    }
    if (!kinds.contains(target.kind())) {
      return new ActionTarget(null, new Outcome.PermanentFailure(actionId + " does not work on "
          + target.kind().wireName() + " " + action.target()));
    }
    return new ActionTarget(target, null);
  }

  public boolean refused() {
    return refusal != null;
  }
}
