package dev.killswitch.revoker.gcp;

import com.google.iam.v2.CreatePolicyRequest;
import com.google.iam.v2.DeletePolicyRequest;
import com.google.iam.v2.DenyRule;
import com.google.iam.v2.GetPolicyRequest;
import com.google.iam.v2.Policy;
import com.google.iam.v2.PolicyRule;
import com.google.iam.v2.UpdatePolicyRequest;
import dev.killswitch.revoker.ResidualExposure;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gcp.deny-principal}: an IAM v2 deny rule naming a workload identity federation principal,
 * {@code principal://iam.googleapis.com/<pool resource name>/subject/<subject>}, that denies it
 * {@link GcpConfig#deniedPermissions()} on each configured attachment point (by default the project of its pool).
 *
 * <p>Killswitch keeps one deny policy per attachment point ({@link GcpConfig#denyPolicyId()}), created on first use,
 * with one rule per action, described {@code killswitch <action id> <principal>}: a repeated call finds its rule
 * and answers revoked again, and the lift of a temporary lock removes exactly its own rule (the policy when it was
 * the last). Updates carry the policy's etag; a concurrent change answers ABORTED and the attempt is retried.
 * Google allows 500 deny rules per attachment point. Deny rules are evaluated on every request, so the federated
 * token stops working for those permissions at once; but access tokens the principal already minted for service
 * accounts it impersonated are those accounts' tokens, not the principal's, and stay valid up to
 * {@link GcpConfig#accessTokenLifetime()}: the result reports that {@link ResidualExposure}. Target:
 * {@code gcp:wif/<pool resource name>/<subject>}. Permissions: {@code permissions/gcp/gcp.deny-principal.yaml}.
 */
public final class DenyPrincipalProvider extends GcpAction {

  static final String RULE_PREFIX = "killswitch ";

  DenyPrincipalProvider(GcpClients clients, Clock clock) {
    super(clients, clock);
  }

  @Override
  public String actionId() {
    return Actions.GCP_DENY_PRINCIPAL;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.GCP_WIF_PRINCIPAL);
  }

  @Override
  Outcome run(IdentityRef target, RevocationAction action) throws Exception {
    String principal = principal(target);
    String description = RULE_PREFIX + action.actionId() + " " + principal;
    List<String> done = new ArrayList<>();
    for (String point : attachmentPoints(target)) {
      String name = policyName(point);
      Optional<Policy> current = get(name);
      PolicyRule rule = PolicyRule.newBuilder().setDescription(description.length() > 256
              ? description.substring(0, 256) : description)
          .setDenyRule(DenyRule.newBuilder().addDeniedPrincipals(principal)
              .addAllDeniedPermissions(clients.config().deniedPermissions())).build();
      if (current.isEmpty()) {
        await(clients.policies().createPolicyAsync(CreatePolicyRequest.newBuilder().setParent(parent(point))
            .setPolicyId(clients.config().denyPolicyId())
            .setPolicy(Policy.newBuilder().setDisplayName("Killswitch: denied principals").addRules(rule)).build()));
        done.add(point + " (new deny policy " + clients.config().denyPolicyId() + ")");
      } else if (current.get().getRulesList().stream().anyMatch(r -> ours(r, action))) {
        done.add(point + " (already there)");
      } else {
        await(clients.policies().updatePolicyAsync(UpdatePolicyRequest.newBuilder()
            .setPolicy(current.get().toBuilder().addRules(rule)).build()));
        done.add(point);
      }
    }
    Instant now = clock.instant();
    ResidualExposure tokens = new ResidualExposure(target.toString(), now.plus(clients.config().accessTokenLifetime()),
        "access tokens of service accounts the principal impersonated, minted before the deny, stay valid until "
            + "they expire (they are the accounts' tokens; disable those accounts to reject them)");
    return new Outcome.Revoked("denied " + principal + " " + clients.config().deniedPermissions().size()
        + " permission(s) on " + String.join(", ", done) + "; " + tokens.describe(now));
  }

  @Override
  Outcome undo(IdentityRef target, RevocationAction action, RevocationResult revoked) throws Exception {
    List<String> done = new ArrayList<>();
    for (String point : attachmentPoints(target)) {
      Optional<Policy> current = get(policyName(point));
      if (current.isEmpty() || current.get().getRulesList().stream().noneMatch(r -> ours(r, action))) {
        continue;
      }
      List<PolicyRule> rest = current.get().getRulesList().stream().filter(r -> !ours(r, action)).toList();
      if (rest.isEmpty()) {
        await(clients.policies().deletePolicyAsync(DeletePolicyRequest.newBuilder().setName(current.get().getName())
            .setEtag(current.get().getEtag()).build()));
        done.add(point + " (deleted the emptied deny policy)");
      } else {
        await(clients.policies().updatePolicyAsync(UpdatePolicyRequest.newBuilder()
            .setPolicy(current.get().toBuilder().clearRules().addAllRules(rest)).build()));
        done.add(point);
      }
    }
    return new Outcome.Revoked(done.isEmpty() ? "no deny rule of this lock left, nothing to lift"
        : "removed the deny rule of " + principal(target) + " from " + String.join(", ", done));
  }

  /** {@code principal://iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/subject/<s>}. */
  static String principal(IdentityRef target) {
    return "principal://iam.googleapis.com/" + target.scope() + "/subject/" + target.leaf();
  }

  /** Full resource names ({@code cloudresourcemanager.googleapis.com/projects/...}) of the attachment points. */
  List<String> attachmentPoints(IdentityRef target) {
    List<String> configured = clients.config().denyAttachmentPoints();
    List<String> points = configured.isEmpty() ? List.of("projects/" + project(target)) : configured;
    return points.stream().map(p -> "cloudresourcemanager.googleapis.com/" + p).toList();
  }

  private String policyName(String point) {
    return parent(point) + "/" + clients.config().denyPolicyId();
  }

  /** {@code policies/<URL-encoded attachment point>/denypolicies}. */
  private static String parent(String point) {
    return "policies/" + URLEncoder.encode(point, StandardCharsets.UTF_8) + "/denypolicies";
  }

  private static boolean ours(PolicyRule rule, RevocationAction action) {
    return rule.getDescription().startsWith(RULE_PREFIX + action.actionId() + " ");
  }

  private Optional<Policy> get(String name) {
    try {
      return Optional.of(clients.policies().getPolicy(GetPolicyRequest.newBuilder().setName(name).build()));
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
