package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Data of {@code dev.killswitch.k8s.audit.v1}: one Kubernetes audit event, normalized.
 *
 * @param actor identity reference of who acted: the token when the credential id is known, else the service account or user
 * @param credentialId the JTI from user.extra {@code authentication.kubernetes.io/credential-id}, without the {@code JTI=} prefix
 * @param serviceAccount the service account reference when the user is one
 * @param boundPod the pod the token is bound to (user.extra {@code authentication.kubernetes.io/pod-name})
 * @param ciRun the CI run reference carried in user.extra (by default {@code killswitch.dev/ci-run})
 * @param issuedCredentialId for a TokenRequest: the JTI of the token issued (annotation {@code authentication.kubernetes.io/issued-credential-id})
 * @param issuedFor for a TokenRequest: the service account the token was issued for
 * @param decision {@code allow} or {@code forbid} from the authorization annotation, null when absent
 * @param raw the source event with Secret data, token values and private keys redacted
 */
public record K8sAuditEvent(
    String cluster,
    String auditId,
    String stage,
    String level,
    String verb,
    String requestUri,
    User user,
    String actor,
    String credentialId,
    String serviceAccount,
    String boundPod,
    String boundNode,
    String ciRun,
    ObjectRef objectRef,
    List<String> sourceIps,
    String userAgent,
    String decision,
    String decisionReason,
    Integer responseCode,
    String issuedCredentialId,
    String issuedFor,
    BindingChange bindingChange,
    boolean secretAccess,
    Instant requestReceivedAt,
    Instant stageAt,
    JsonNode raw) {

  /** The authenticated user as the apiserver saw it. */
  public record User(String username, String uid, List<String> groups, Map<String, List<String>> extra) {}

  /** What was acted on. */
  public record ObjectRef(String apiGroup, String apiVersion, String resource, String subresource,
                          String namespace, String name) {}

  /** A RoleBinding or ClusterRoleBinding change: subjects as identity references. */
  public record BindingChange(String binding, String roleRef, List<String> subjectsAdded, List<String> subjectsRemoved) {}
}
