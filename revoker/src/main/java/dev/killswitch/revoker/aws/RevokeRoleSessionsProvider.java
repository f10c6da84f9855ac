package dev.killswitch.revoker.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.GetRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * {@code aws.revoke-role-sessions}: what the IAM console's "Revoke active sessions" does, an inline policy
 * {@value #POLICY} on the role that denies everything to sessions issued before now
 * ({@code DateLessThan aws:TokenIssueTime}). Sessions issued later are not affected, so whoever can still assume the
 * role gets a working session: revoke that upstream too. A broad action (every session of the role).
 *
 * <p>The cutoff never moves back: a policy already holding a later time keeps it (a repeated call, or a newer
 * revocation, the console's included). The result's detail ends with {@code cutoff: <instant>}; the lift of a
 * temporary lock deletes the policy only while it still holds that cutoff, and leaves a later revocation's policy.
 * Target: {@code aws:<account>:role/<name>}. Permissions: {@code permissions/aws/aws.revoke-role-sessions.json}.
 */
public final class RevokeRoleSessionsProvider extends AwsAction {

  /** The console's policy name, so that the console and Killswitch see and move the same cutoff. */
  static final String POLICY = "AWSRevokeOlderSessions";
  static final String CUTOFF = "; cutoff: ";
  private static final Pattern CUTOFF_IN_DETAIL = Pattern.compile(Pattern.quote(CUTOFF) + "([0-9T:.Z-]+)");

  RevokeRoleSessionsProvider(AwsAccounts accounts, Clock clock) {
    super(accounts, clock);
  }

  @Override
  public String actionId() {
    return Actions.AWS_REVOKE_ROLE_SESSIONS;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.AWS_ROLE);
  }

  @Override
  Outcome check(IamClient iam, IdentityRef target, RevocationAction action) {
    return role(iam, target.leaf()).filter(AwsAction::isServiceLinked).map(AwsAction::serviceLinked).orElse(null);
  }

  @Override
  Outcome run(IamClient iam, IdentityRef target, RevocationAction action) {
    Optional<Role> role = role(iam, target.leaf());
    if (role.isEmpty()) {
      return new Outcome.AlreadyRevoked("role " + target.leaf() + " not found in account " + target.scope()
          + "; its sessions no longer work");
    }
    return revokeOlderSessions(iam, role.get(), "");
  }

  /** Puts (or moves forward) the cutoff on the role; also the escalation of {@code aws.deny-session}. */
  Outcome revokeOlderSessions(IamClient iam, Role role, String why) {
    if (isServiceLinked(role)) {
      return serviceLinked(role);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant existing = currentCutoff(iam, role.roleName()).orElse(null);
    Instant cutoff = existing != null && existing.isAfter(now) ? existing : now;
    iam.putRolePolicy(PutRolePolicyRequest.builder().roleName(role.roleName()).policyName(POLICY)
        .policyDocument(document(cutoff)).build());
    return new Outcome.Revoked(why + "denied every session of role " + role.roleName() + " issued before " + cutoff
        + " (inline policy " + POLICY + "; sessions issued later still work)" + CUTOFF + cutoff);
  }

  @Override
  Outcome undo(IamClient iam, IdentityRef target, RevocationAction action, RevocationResult revoked) {
    return liftCutoff(iam, target.leaf(), revoked.detail());
  }

  /** Deletes the policy if it still holds the cutoff named in {@code detail}. */
  Outcome liftCutoff(IamClient iam, String roleName, String detail) {
    Matcher m = CUTOFF_IN_DETAIL.matcher(detail == null ? "" : detail);
    if (!m.find()) {
      return new Outcome.PermanentFailure("the revoked result of role " + roleName + " names no cutoff to lift");
    }
    Instant ours = Instant.parse(m.group(1));
    Optional<Instant> current = currentCutoff(iam, roleName);
    if (current.isEmpty()) {
      return new Outcome.Revoked("no " + POLICY + " policy on role " + roleName + " any more, nothing to lift");
    }
    if (!current.get().equals(ours)) {
      return new Outcome.Revoked("left " + POLICY + " on role " + roleName + ": it now holds cutoff " + current.get()
          + ", set by a later revocation");
    }
    try {
      iam.deleteRolePolicy(DeleteRolePolicyRequest.builder().roleName(roleName).policyName(POLICY).build());
    } catch (SdkException e) {
      if (!AwsErrors.notFound(e)) {
        throw e;
      }
    }
    return new Outcome.Revoked("deleted " + POLICY + " from role " + roleName + ": sessions issued before " + ours
        + " work again until they expire");
  }

  /** The console's policy document. */
  static String document(Instant cutoff) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":[\"*\"],\"Resource\":[\"*\"],"
        + "\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"" + cutoff + "\"}}}]}";
  }

  private static Optional<Instant> currentCutoff(IamClient iam, String roleName) {
    String doc;
    try {
      doc = iam.getRolePolicy(GetRolePolicyRequest.builder().roleName(roleName).policyName(POLICY).build())
          .policyDocument();
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
    try {
      String json = doc.stripLeading().startsWith("{") ? doc : URLDecoder.decode(doc, StandardCharsets.UTF_8);
      JsonNode root = Json.mapper().readTree(json);
      for (JsonNode s : root.path("Statement")) {
        JsonNode t = s.path("Condition").path("DateLessThan").path("aws:TokenIssueTime");
        if (t.isTextual()) {
          return Optional.of(Instant.parse(t.asText()));
        }
      }
    } catch (IOException | DateTimeParseException e) {
      // an unreadable policy of that name is replaced
    }
    return Optional.of(Instant.EPOCH);
  }
}
