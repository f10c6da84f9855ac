package dev.killswitch.revoker.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import dev.killswitch.revoker.RevokerConfig.WebhookFallback;

/**
 * The decision of Killswitch's Kubernetes authorization webhook: a SubjectAccessReview in, the same apiVersion and
 * kind with a status out. A request made with a denied token (its {@code credential-id} extra is {@code JTI=<jti>}
 * and {@code k8s:<cluster>:token/<jti>} is on the {@link Denylist}) is denied; anything else gets no opinion
 * ({@code allowed: false} without {@code denied}), so that the next authorizer (RBAC) decides.
 *
 * <p>While the denylist view is behind (not caught up at start, or Kafka unreachable for longer than the view's
 * staleness bound), a request with a credential id that the view does not list gets the configured fallback:
 * no opinion (fail open) or a denial (fail closed). Listed tokens are denied either way.
 */
public final class AuthorizationWebhook {

  /** The user.extra key under which the apiserver passes a bound token's credential id ({@code JTI=<jti>}). */
  public static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
  private static final String JTI_PREFIX = "JTI=";

  private final Denylist denylist;
  private final Clock clock;
  private final BooleanSupplier caughtUp;
  private final WebhookFallback whenBehind;

  /** A webhook whose denylist is always taken as caught up (tests of the decision itself). */
  public AuthorizationWebhook(Denylist denylist, Clock clock) {
    this(denylist, clock, () -> true, WebhookFallback.NO_OPINION);
  }

  /**
   * @param caughtUp true while the denylist view has read its topic recently enough to be trusted
   * @param whenBehind the answer to an unknown token while it has not: fail open (no opinion) or closed (deny)
   */
  public AuthorizationWebhook(Denylist denylist, Clock clock, BooleanSupplier caughtUp, WebhookFallback whenBehind) {
    this.denylist = denylist;
    this.clock = clock;
    this.caughtUp = caughtUp;
    this.whenBehind = whenBehind;
  }

  /**
   * One answer: the response body, whether it denies, and whether it was given while the denylist view was
   * behind (by the fallback, not by the list).
   */
  public record Review(ObjectNode response, boolean denied, boolean behind) {}

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
    JsonNode credentialIds = sar.path("spec").path("extra").path(CREDENTIAL_ID);
    Optional<DenylistEntry> denial = deniedCredential(cluster, credentialIds);
    if (denial.isPresent()) {
      // A listed token is denied even from a stale view: what the view knows was revoked stays revoked.
      status.put("denied", true);
      status.put("reason", "killswitch: token revoked (request " + denial.get().requestId() + ")");
      return new Review(response, true, false);
    }
    if (hasCredentialId(credentialIds) && !caughtUp.getAsBoolean()) {
      if (whenBehind == WebhookFallback.DENY) {
        status.put("denied", true);
        status.put("reason", "killswitch: denylist not caught up, failing closed");
        return new Review(response, true, true);
      }
      return new Review(response, false, true);
    }
    return new Review(response, false, false);
  }

  private static boolean hasCredentialId(JsonNode credentialIds) {
    return credentialIds.isArray() && !credentialIds.isEmpty();
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
