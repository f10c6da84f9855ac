package dev.killswitch.revoker.plan;

import dev.killswitch.schemas.IdentityRef.Kind;
import java.util.Optional;
import java.util.Set;

/**
 * The action ids of DESIGN.md "Revocation", and which one the planner chooses for each kind of node.
 *
 * <p>Principals (CI runs, users, service accounts, pods, roles) are not acted on directly: the planner
 * expands through them and revokes the credentials they lead to. The broad actions that do work on a
 * principal ({@link #K8S_ROTATE_SERVICE_ACCOUNT}, {@link #AWS_REVOKE_ROLE_SESSIONS},
 * {@link #GCP_DISABLE_SERVICE_ACCOUNT}) are planned only for the request's own target ({@link #forTarget}) and
 * may need an approval.
 */
public final class Actions {

  public static final String K8S_DENY_TOKEN = "k8s.deny-token";
  public static final String K8S_DELETE_SECRET_TOKEN = "k8s.delete-secret-token";
  public static final String K8S_DELETE_BOUND_OBJECT = "k8s.delete-bound-object";
  public static final String K8S_REMOVE_BINDING_SUBJECT = "k8s.remove-binding-subject";
  public static final String K8S_ROTATE_SERVICE_ACCOUNT = "k8s.rotate-service-account";
  public static final String AWS_DEACTIVATE_ACCESS_KEY = "aws.deactivate-access-key";
  public static final String AWS_DENY_SESSION = "aws.deny-session";
  public static final String AWS_REVOKE_ROLE_SESSIONS = "aws.revoke-role-sessions";
  public static final String GCP_DISABLE_SA_KEY = "gcp.disable-sa-key";
  public static final String GCP_DISABLE_SERVICE_ACCOUNT = "gcp.disable-service-account";
  public static final String GCP_DENY_PRINCIPAL = "gcp.deny-principal";

  /** Every action a provider may implement. */
  public static final Set<String> ALL = Set.of(
      K8S_DENY_TOKEN, K8S_DELETE_SECRET_TOKEN, K8S_DELETE_BOUND_OBJECT, K8S_REMOVE_BINDING_SUBJECT,
      K8S_ROTATE_SERVICE_ACCOUNT, AWS_DEACTIVATE_ACCESS_KEY, AWS_DENY_SESSION, AWS_REVOKE_ROLE_SESSIONS,
      GCP_DISABLE_SA_KEY, GCP_DISABLE_SERVICE_ACCOUNT, GCP_DENY_PRINCIPAL);

  /**
   * Actions that end the access of a whole principal rather than of one credential; they may need an approval
   * ({@code RevokerConfig.approvalRequired}).
   */
  public static final Set<String> BROAD = Set.of(
      AWS_REVOKE_ROLE_SESSIONS, GCP_DISABLE_SERVICE_ACCOUNT, K8S_ROTATE_SERVICE_ACCOUNT);

  /**
   * Actions a temporary lock ({@code expiresAt}) may use because their provider can undo them: deleting a Secret,
   * a pod or a service account cannot be undone (a recreated object gets new tokens), the rest can.
   */
  public static final Set<String> REVERSIBLE = Set.of(
      K8S_DENY_TOKEN, K8S_REMOVE_BINDING_SUBJECT, AWS_DEACTIVATE_ACCESS_KEY, AWS_DENY_SESSION,
      AWS_REVOKE_ROLE_SESSIONS, GCP_DISABLE_SA_KEY, GCP_DISABLE_SERVICE_ACCOUNT, GCP_DENY_PRINCIPAL);

  private Actions() {}

  /**
   * The action that revokes the request's own target when it is a principal or an object rather than a
   * credential: a service account is rotated, an AWS role's sessions revoked, a GCP service account disabled
   * (the broad actions), a pod deleted (its bound tokens die with it). Nodes reached downstream are only expanded.
   */
  public static Optional<String> forTarget(Kind kind) {
    return forKind(kind).or(() -> Optional.ofNullable(switch (kind) {
      case K8S_SERVICE_ACCOUNT -> K8S_ROTATE_SERVICE_ACCOUNT;
      case AWS_ROLE -> AWS_REVOKE_ROLE_SESSIONS;
      case GCP_SERVICE_ACCOUNT -> GCP_DISABLE_SERVICE_ACCOUNT;
      case K8S_POD -> K8S_DELETE_BOUND_OBJECT;
      default -> null;
    }));
  }

  /** The action that revokes a node of this kind, or empty for nodes the planner only expands. */
  public static Optional<String> forKind(Kind kind) {
    return Optional.ofNullable(switch (kind) {
      case K8S_TOKEN -> K8S_DENY_TOKEN;
      case K8S_SECRET_TOKEN -> K8S_DELETE_SECRET_TOKEN;
      case K8S_BINDING -> K8S_REMOVE_BINDING_SUBJECT;
      case AWS_ACCESS_KEY -> AWS_DEACTIVATE_ACCESS_KEY;
      case AWS_SESSION -> AWS_DENY_SESSION;
      case GCP_SA_KEY -> GCP_DISABLE_SA_KEY;
      case GCP_WIF_PRINCIPAL -> GCP_DENY_PRINCIPAL;
      default -> null;
    });
  }
}
