package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.ResidualExposure;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.GetRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * {@code aws.deny-session}: denies one STS session of a role and nothing else, with an entry in the role's inline
 * policy {@value SessionDenyPolicy#NAME} (see {@link SessionDenyPolicy} for its layout): {@code aws:userid} =
 * {@code <RoleId>:<session name>} (the RoleId from {@code iam:GetRole}), or {@code aws:SourceIdentity} when only the
 * source identity is known. Entries are dropped once their sessions have expired.
 *
 * <p>The target is {@code aws:<account>:session/<ASIA...>}; an access key id is not a condition key IAM offers, so
 * the action needs from its parameters: the role ({@code params.principal}, the role reference the chain says the
 * session is a credential of, or {@code params.role}, a role name or ARN), the session name
 * ({@code params.sessionName}) or the source identity ({@code params.sourceIdentity}), and when known the role's id
 * when the session was minted ({@code params.roleId}; otherwise the role's current id from {@code iam:GetRole}) and
 * when the session expires ({@code params.sessionExpiresAt}; otherwise the configured default lifetime, 12 h, from
 * now). The planner takes them from the session's node in the chain, which the correlator fills from the session's
 * STS AssumeRole* record (see {@link Planner#PARAM_SESSION_NAME}).
 *
 * <p>When the session cannot be denied alone (no session name or source identity, or the role's inline policies
 * are full), the action fails and its detail reports the {@link ResidualExposure}, or, with
 * {@link AwsConfig#escalateUnboundSessions()}, it escalates to {@code aws.revoke-role-sessions} on the role.
 *
 * <p>IAM has no version check on inline policies: writes to one role are serialized in this process, and the
 * policy is read back after each write, so that a concurrent writer elsewhere that replaced it is noticed and the
 * attempt retried. The revoked detail ends with {@code ; role: <name>}: a lift gets the recorded result, not the
 * action's parameters. Permissions: {@code permissions/aws/aws.deny-session.json}.
 */
public final class DenySessionProvider extends AwsAction {

  public static final String PARAM_ROLE = Planner.PARAM_ROLE;
  public static final String PARAM_ROLE_ID = Planner.PARAM_ROLE_ID;
  public static final String PARAM_SESSION_NAME = Planner.PARAM_SESSION_NAME;
  public static final String PARAM_SOURCE_IDENTITY = Planner.PARAM_SOURCE_IDENTITY;
  public static final String PARAM_SESSION_EXPIRES_AT = Planner.PARAM_SESSION_EXPIRES_AT;
  static final String ESCALATED = "escalated to aws.revoke-role-sessions";
  /** Ends every revoked detail: the lift gets the recorded result, not the action's parameters. */
  static final String ROLE_MARK = "; role: ";
  private static final Pattern ROLE_IN_DETAIL =
      Pattern.compile(Pattern.quote(ROLE_MARK) + "([\\w+=,.@-]+)");

  private final RevokeRoleSessionsProvider roleSessions;
  private final ConcurrentHashMap<String, Object> roleLocks = new ConcurrentHashMap<>();

  DenySessionProvider(AwsAccounts accounts, Clock clock, RevokeRoleSessionsProvider roleSessions) {
    super(accounts, clock);
    this.roleSessions = roleSessions;
  }

  @Override
  public String actionId() {
    return Actions.AWS_DENY_SESSION;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.AWS_SESSION);
  }

  @Override
  Outcome check(IamClient iam, IdentityRef target, RevocationAction action) {
    String roleName = roleName(action, target);
    return roleName == null ? null
        : role(iam, roleName).filter(AwsAction::isServiceLinked).map(AwsAction::serviceLinked).orElse(null);
  }

  @Override
  Outcome run(IamClient iam, IdentityRef target, RevocationAction action) {
    Instant now = clock.instant();
    Instant expiresBy = sessionExpiresBy(action, now);
    if (!expiresBy.isAfter(now)) {
      return new Outcome.AlreadyRevoked("session " + target.leaf() + " expired at " + expiresBy);
    }
    ResidualExposure exposure = new ResidualExposure(target.toString(), expiresBy,
        "an STS session cannot be recalled, only denied, and no deny covers it");
    String roleName = roleName(action, target);
    if (roleName == null) {
      return new Outcome.PermanentFailure("no role known for session " + target.leaf() + " (params.principal or "
          + "params.role); " + exposure.describe(now));
    }
    Optional<Role> found = role(iam, roleName);
    if (found.isEmpty()) {
      return new Outcome.AlreadyRevoked("role " + roleName + " not found in account " + target.scope()
          + "; its sessions no longer work");
    }
    Role role = found.get();
    if (isServiceLinked(role)) {
      return serviceLinked(role);
    }
    String sessionName = param(action, PARAM_SESSION_NAME);
    String sourceIdentity = param(action, PARAM_SOURCE_IDENTITY);
    if (sessionName == null && sourceIdentity == null) {
      return unbound(iam, role, "neither the session name nor the source identity of " + target.leaf()
          + " is known", exposure, now);
    }
    String key = sessionName != null ? SessionDenyPolicy.USER_ID : SessionDenyPolicy.SOURCE_IDENTITY;
    // The session's aws:userid holds the id its role had when it was minted (its AssumeRole* record's): that is what
    // to deny, even if the role was deleted and recreated under the same name since (a new id).
    String sessionRoleId = param(action, PARAM_ROLE_ID);
    String roleId = sessionRoleId != null ? sessionRoleId : role.roleId();
    String value = sessionName != null ? roleId + ":" + sessionName : sourceIdentity;
    String recreated = sessionName != null && !roleId.equals(role.roleId())
        ? " (the session's role id; role " + roleName + " now has id " + role.roleId() + ")" : "";
    synchronized (roleLocks.computeIfAbsent(target.scope() + "/" + roleName, k -> new Object())) {
      SessionDenyPolicy policy = read(iam, roleName);
      int dropped = policy.dropExpired(now);
      Instant until = policy.add(key, value, expiresBy, action.expiresAt() == null ? null : action.actionId());
      String json = policy.json();
      if (SessionDenyPolicy.size(json) > SessionDenyPolicy.LIMIT) {
        return unbound(iam, role, "the deny policy of role " + roleName + " is full", exposure, now);
      }
      try {
        iam.putRolePolicy(PutRolePolicyRequest.builder().roleName(roleName).policyName(SessionDenyPolicy.NAME)
            .policyDocument(json).build());
      } catch (SdkException e) {
        if (AwsErrors.limitExceeded(e)) {
          return unbound(iam, role, "IAM refused a larger deny policy on role " + roleName
              + " (its inline policies are at the size limit)", exposure, now);
        }
        throw e;
      }
      if (!read(iam, roleName).denies(key, value, now)) {
        return new Outcome.RetriableFailure("another writer replaced " + SessionDenyPolicy.NAME + " on role "
            + roleName + " meanwhile; the entry for " + value + " is not in it");
      }
      return new Outcome.Revoked("denied session " + target.leaf() + " of role " + roleName + " (" + key + " = "
          + value + recreated + ") in inline policy " + SessionDenyPolicy.NAME + " until " + until + "; "
          + policy.entries() + " session(s) denied on the role"
          + (dropped > 0 ? ", " + dropped + " expired entry(ies) dropped" : "")
          + ROLE_MARK + roleName);
    }
  }

  @Override
  Outcome undo(IamClient iam, IdentityRef target, RevocationAction action, RevocationResult revoked) {
    String roleName = roleName(action, target);
    Matcher recorded = ROLE_IN_DETAIL.matcher(revoked.detail() == null ? "" : revoked.detail());
    if (roleName == null && recorded.find()) {
      roleName = recorded.group(1);
    }
    if (roleName == null) {
      return new Outcome.PermanentFailure("no role known for session " + target.leaf());
    }
    if (revoked.detail() != null && revoked.detail().startsWith(ESCALATED)) {
      return roleSessions.liftCutoff(iam, roleName, revoked.detail());
    }
    synchronized (roleLocks.computeIfAbsent(target.scope() + "/" + roleName, k -> new Object())) {
      SessionDenyPolicy policy = read(iam, roleName);
      if (!policy.removeLock(action.actionId())) {
        return new Outcome.Revoked("no entry of this lock left in " + SessionDenyPolicy.NAME + " on role " + roleName
            + ", nothing to lift");
      }
      policy.dropExpired(clock.instant());
      if (policy.isEmpty()) {
        try {
          iam.deleteRolePolicy(DeleteRolePolicyRequest.builder().roleName(roleName)
              .policyName(SessionDenyPolicy.NAME).build());
        } catch (SdkException e) {
          if (!AwsErrors.notFound(e)) {
            throw e;
          }
        }
        return new Outcome.Revoked("removed the deny of session " + target.leaf() + "; deleted the emptied "
            + SessionDenyPolicy.NAME + " from role " + roleName);
      }
      iam.putRolePolicy(PutRolePolicyRequest.builder().roleName(roleName).policyName(SessionDenyPolicy.NAME)
          .policyDocument(policy.json()).build());
      return new Outcome.Revoked("removed the deny of session " + target.leaf() + " from " + SessionDenyPolicy.NAME
          + " on role " + roleName);
    }
  }

  /** The session cannot be denied alone: escalate when configured, else fail with the residual exposure. */
  private Outcome unbound(IamClient iam, Role role, String why, ResidualExposure exposure, Instant now) {
    if (accounts.config().escalateUnboundSessions()) {
      Outcome escalated = roleSessions.revokeOlderSessions(iam, role, ESCALATED + " (" + why + "): ");
      return escalated instanceof Outcome.Revoked r ? new Outcome.Revoked(r.detail() + ROLE_MARK + role.roleName())
          : escalated;
    }
    return new Outcome.PermanentFailure(why + "; not escalated (aws.escalateUnboundSessions is off); "
        + exposure.describe(now));
  }

  private static SessionDenyPolicy read(IamClient iam, String roleName) {
    try {
      return SessionDenyPolicy.parse(iam.getRolePolicy(GetRolePolicyRequest.builder().roleName(roleName)
          .policyName(SessionDenyPolicy.NAME).build()).policyDocument());
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return SessionDenyPolicy.empty();
      }
      throw e;
    }
  }

  /** The role name: from {@code params.principal} (a role reference of the same account) or {@code params.role}. */
  static String roleName(RevocationAction action, IdentityRef target) {
    String principal = param(action, Planner.PARAM_PRINCIPAL);
    if (principal != null) {
      try {
        IdentityRef ref = IdentityRef.parse(principal);
        if (ref.kind() == IdentityRef.Kind.AWS_ROLE && ref.scope().equals(target.scope())) {
          return ref.leaf();
        }
      } catch (InvalidIdentityRefException e) {
        // fall back to params.role
      }
    }
    String role = param(action, PARAM_ROLE);
    return role == null ? null : role.substring(role.lastIndexOf('/') + 1);
  }

  private Instant sessionExpiresBy(RevocationAction action, Instant now) {
    String at = param(action, PARAM_SESSION_EXPIRES_AT);
    if (at != null) {
      try {
        return Instant.parse(at);
      } catch (DateTimeParseException e) {
        // a malformed expiry is no reason to leave the session alone: assume the longest
      }
    }
    return now.plus(accounts.config().defaultSessionLifetime());
  }
}
