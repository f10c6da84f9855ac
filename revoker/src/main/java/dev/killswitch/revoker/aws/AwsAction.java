package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.ActionTarget;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.GetRoleRequest;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * What every AWS provider does alike: resolve the target reference and the IAM client of its account, skip a
 * service-linked role (AWS owns it and refuses every change), and turn SDK errors into outcomes
 * ({@link AwsErrors}). Subclasses say which references they take and what they do.
 */
abstract class AwsAction implements RevocationProvider {

  /** Path prefix of service-linked roles; IAM answers UnmodifiableEntity to any policy change on them. */
  static final String SERVICE_LINKED_PATH = "/aws-service-role/";

  final AwsAccounts accounts;
  final Clock clock;

  AwsAction(AwsAccounts accounts, Clock clock) {
    this.accounts = accounts;
    this.clock = clock;
  }

  abstract Set<IdentityRef.Kind> targetKinds();

  /** Looks at the live target before the call; null to go ahead. SDK errors may be thrown. */
  Outcome check(IamClient iam, IdentityRef target, RevocationAction action) {
    return null;
  }

  /** The action; SDK errors may be thrown. */
  abstract Outcome run(IamClient iam, IdentityRef target, RevocationAction action);

  /** Undoes {@link #run} for a temporary lock; SDK errors may be thrown. */
  abstract Outcome undo(IamClient iam, IdentityRef target, RevocationAction action, RevocationResult revoked);

  /** The least-privilege IAM policy this action needs, as the JSON file shipped in the jar. */
  public String permissions() {
    return AwsPermissions.json(actionId());
  }

  @Override
  public final Optional<Outcome> preflight(RevocationAction action) {
    return call(action, "reading the target of " + actionId() + " " + action.target(),
        (iam, target) -> check(iam, target, action));
  }

  @Override
  public final Outcome execute(RevocationAction action) {
    return call(action, actionId() + " " + action.target(), (iam, target) -> run(iam, target, action)).orElseThrow();
  }

  @Override
  public final Outcome lift(RevocationAction action, RevocationResult revoked) {
    return call(action, "lifting " + actionId() + " " + action.target(),
        (iam, target) -> undo(iam, target, action, revoked)).orElseThrow();
  }

  private interface Call {
    Outcome apply(IamClient iam, IdentityRef target);
  }

  private Optional<Outcome> call(RevocationAction action, String what, Call call) {
    ActionTarget checked = ActionTarget.of(action, actionId(), targetKinds());
    if (checked.refused()) {
      return Optional.of(checked.refusal());
    }
    IdentityRef target = checked.ref();
    Optional<IamClient> iam = accounts.iam(target.scope());
    if (iam.isEmpty()) {
      return Optional.of(new Outcome.PermanentFailure("no access is configured for AWS account " + target.scope()
          + " (aws.accounts)"));
    }
    try {
      return Optional.ofNullable(call.apply(iam.get(), target));
    } catch (SdkException e) {
      return Optional.of(AwsErrors.classify(what, e));
    }
  }

  /** The role, or empty when IAM does not know it. */
  static Optional<Role> role(IamClient iam, String name) {
    try {
      return Optional.of(iam.getRole(GetRoleRequest.builder().roleName(name).build()).role());
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static Outcome serviceLinked(Role role) {
    return new Outcome.Skipped("role " + role.roleName() + " is service-linked (path " + role.path()
        + "): AWS owns it and refuses inline policies on it, so its sessions cannot be revoked by Killswitch");
  }

  static boolean isServiceLinked(Role role) {
    return role.path() != null && role.path().startsWith(SERVICE_LINKED_PATH);
  }

  static String param(RevocationAction action, String name) {
    Map<String, String> params = action.params();
    String v = params == null ? null : params.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }
}
