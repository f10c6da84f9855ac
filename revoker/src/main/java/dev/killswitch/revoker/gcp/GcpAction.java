package dev.killswitch.revoker.gcp;

import dev.killswitch.revoker.ActionTarget;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * What every Google Cloud provider does alike: resolve the target reference and its project, refuse a project that
 * is not configured, and turn errors into outcomes ({@link GcpErrors}). Subclasses say which references they take
 * and what they do.
 */
abstract class GcpAction implements RevocationProvider {

  final GcpClients clients;
  final Clock clock;

  GcpAction(GcpClients clients, Clock clock) {
    this.clients = clients;
    this.clock = clock;
  }

  abstract Set<IdentityRef.Kind> targetKinds();

  /** Looks at the live target before the call; null to go ahead. API errors may be thrown. */
  Outcome check(IdentityRef target, RevocationAction action) {
    return null;
  }

  abstract Outcome run(IdentityRef target, RevocationAction action) throws Exception;

  abstract Outcome undo(IdentityRef target, RevocationAction action, RevocationResult revoked) throws Exception;

  /** The custom role this action needs, as the YAML file shipped in the jar. */
  public String permissions() {
    return GcpPermissions.yaml(actionId());
  }

  @Override
  public final Optional<Outcome> preflight(RevocationAction action) {
    return call(action, "reading the target of " + actionId() + " " + action.target(), t -> check(t, action));
  }

  @Override
  public final Outcome execute(RevocationAction action) {
    return call(action, actionId() + " " + action.target(), t -> run(t, action)).orElseThrow();
  }

  @Override
  public final Outcome lift(RevocationAction action, RevocationResult revoked) {
    return call(action, "lifting " + actionId() + " " + action.target(), t -> undo(t, action, revoked)).orElseThrow();
  }

  private interface Call {
    Outcome apply(IdentityRef target) throws Exception;
  }

  private Optional<Outcome> call(RevocationAction action, String what, Call call) {
    ActionTarget checked = ActionTarget.of(action, actionId(), targetKinds());
    if (checked.refused()) {
      return Optional.of(checked.refusal());
    }
    IdentityRef target = checked.ref();
    String project = project(target);
    if (project == null || !clients.config().allows(project)) {
      return Optional.of(new Outcome.PermanentFailure("project " + project + " of " + action.target()
          + " is not one Killswitch may act in (gcp.projects)"));
    }
    try {
      return Optional.ofNullable(call.apply(target));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(new Outcome.RetriableFailure(what + " interrupted"));
    } catch (Exception e) {
      return Optional.of(GcpErrors.classify(what, e));
    }
  }

  /** The project of a service account or key (its id), or of a workload identity pool (its number). */
  static String project(IdentityRef target) {
    if (target.kind() == IdentityRef.Kind.GCP_WIF_PRINCIPAL) {
      String[] pool = target.scope().split("/");
      return pool.length >= 2 && pool[0].equals("projects") ? pool[1] : null;
    }
    return target.scope();
  }

  /** The result of a long-running operation (IAM v2 answers them; they are usually done at once). */
  static <T> T await(Future<T> operation) throws InterruptedException, ExecutionException {
    return operation.get();
  }
}
