package dev.killswitch.revoker.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import java.time.Clock;
import java.util.Optional;

/**
 * The decision of Killswitch's Kubernetes authorization webhook: a SubjectAccessReview in, the same apiVersion and
 * kind with a status out. A request made with a denied token (its {@code credential-id} extra is {@code JTI=<jti>}
 * and {@code k8s:<cluster>:token/<jti>} is on the {@link Denylist}) is denied; anything else gets no opinion
 * ({@code allowed: false} without {@code denied}), so that the next authorizer (RBAC) decides.
 */
public final class AuthorizationWebhook {

  /** The user.extra key under which the apiserver passes a bound token's credential id ({@code JTI=<jti>}). */
  public static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
  private static final String JTI_PREFIX = "JTI=";

  private final Denylist denylist;
  private final Clock clock;

  public AuthorizationWebhook(Denylist denylist, Clock clock) {
    this.denylist = denylist;
    this.clock = clock;
  }

  /** One answer: the response body and whether it denies. */
  public record Review(ObjectNode response, boolean denied) {}

  /**
   * Reviews one SubjectAccessReview sent for the named cluster.
   *
   * @throws IllegalArgumentException when the body is not a SubjectAccessReview
   */
  public Review review(String cluster, JsonNode sar) {
    if (sar == null || !sar.isObject() || !"SubjectAccessReview".equals(sar.path("kind").asText())
        || !sar.path("apiVersion").asText().startsWith("authorization.k8s.io/")) {
      throw new IllegalArgumentException("expected an authorization.k8s.io SubjectAccessReview");
    }
    ObjectNode response = Json.mapper().createObjectNode();
    response.put("apiVersion", sar.path("apiVersion").asText());
    response.put("kind", "SubjectAccessReview");
    ObjectNode status = response.putObject("status");
    status.put("allowed", false);
    Optional<DenylistEntry> denial = deniedCredential(cluster, sar.path("spec").path("extra").path(CREDENTIAL_ID));
    if (denial.isPresent()) {
      status.put("denied", true);
      status.put("reason", "killswitch: token revoked (request " + denial.get().requestId() + ")");
    }
    return new Review(response, denial.isPresent());
  }

  private Optional<DenylistEntry> deniedCredential(String cluster, JsonNode credentialIds) {
    if (!credentialIds.isArray()) {
      return Optional.empty();
    }
    for (JsonNode value : credentialIds) {
      String text = value.asText("");
      if (!text.startsWith(JTI_PREFIX)) {
        continue;
      }
      String ref;
      try {
        ref = IdentityRef.k8sToken(cluster, text.substring(JTI_PREFIX.length())).toString();
      } catch (InvalidIdentityRefException e) {
        continue;
      }
      Optional<DenylistEntry> entry = denylist.find(ref).filter(en -> en.activeAt(clock.instant()));
      if (entry.isPresent()) {
        return entry;
      }
    }
    return Optional.empty();
  }
}
