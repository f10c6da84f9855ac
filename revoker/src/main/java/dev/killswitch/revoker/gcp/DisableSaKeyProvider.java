package dev.killswitch.revoker.gcp;

import com.google.iam.admin.v1.DisableServiceAccountKeyRequest;
import com.google.iam.admin.v1.EnableServiceAccountKeyRequest;
import com.google.iam.admin.v1.GetServiceAccountKeyRequest;
import com.google.iam.admin.v1.ListServiceAccountKeysRequest;
import com.google.iam.admin.v1.ServiceAccountKey;
import dev.killswitch.revoker.ResidualExposure;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gcp.disable-sa-key}: {@code DisableServiceAccountKey}; the key can no longer sign for tokens, and
 * {@link #lift} enables it again. An access token minted with the key before stays valid until it expires (up to
 * {@link GcpConfig#accessTokenLifetime()}): the result reports that {@link ResidualExposure}, or, with
 * {@link GcpConfig#escalateKeyTokens()}, also disables the key's service account, which rejects those tokens (and
 * every other of the account). A key already disabled, or gone ({@code NOT_FOUND}), is already revoked; a
 * Google-managed key ({@code SYSTEM_MANAGED}) is skipped. Target: {@code gcp:<project>:sa-key/<email>/<key id>}.
 * Permissions: {@code permissions/gcp/gcp.disable-sa-key.yaml}.
 */
public final class DisableSaKeyProvider extends GcpAction {

  static final String ESCALATED = "; escalated to gcp.disable-service-account: ";

  private final DisableServiceAccountProvider accounts;

  DisableSaKeyProvider(GcpClients clients, Clock clock, DisableServiceAccountProvider accounts) {
    super(clients, clock);
    this.accounts = accounts;
  }

  @Override
  public String actionId() {
    return Actions.GCP_DISABLE_SA_KEY;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.GCP_SA_KEY);
  }

  @Override
  Outcome check(IdentityRef target, RevocationAction action) {
    return key(target).filter(k -> k.getKeyType() == ListServiceAccountKeysRequest.KeyType.SYSTEM_MANAGED)
        .map(k -> (Outcome) new Outcome.Skipped("key " + keyId(target) + " of " + email(target) + " is managed by "
            + "Google (SYSTEM_MANAGED), not a key anyone holds")).orElse(null);
  }

  @Override
  Outcome run(IdentityRef target, RevocationAction action) {
    String project = target.scope();
    Optional<ServiceAccountKey> key = key(target);
    if (key.isEmpty()) {
      return new Outcome.AlreadyRevoked("key " + keyId(target) + " of " + email(target) + " not found");
    }
    boolean wasDisabled = key.get().getDisabled();
    if (!wasDisabled) {
      try {
        clients.iam().disableServiceAccountKey(DisableServiceAccountKeyRequest.newBuilder().setName(name(target))
            .build());
      } catch (RuntimeException e) {
        if (GcpErrors.notFound(e)) {
          return new Outcome.AlreadyRevoked("key " + keyId(target) + " of " + email(target) + " was deleted meanwhile");
        }
        throw e;
      }
    }
    String done = (wasDisabled ? "key " + keyId(target) + " of service account " + email(target) + " was already "
        + "disabled" : "disabled key " + keyId(target) + " of service account " + email(target)) + " in project "
        + project;
    if (clients.config().escalateKeyTokens()) {
      // also on a repeated attempt that finds the key disabled: the account may not be yet
      Outcome account = accounts.disable(project, email(target), "");
      if (account instanceof Outcome.Revoked) {
        return new Outcome.Revoked(done + ESCALATED + account.detail());
      }
      if (account instanceof Outcome.AlreadyRevoked) {
        return wasDisabled ? new Outcome.AlreadyRevoked(done + ESCALATED + account.detail())
            : new Outcome.Revoked(done + ESCALATED + account.detail());
      }
      return account;   // the account could not be disabled: retried or failed as such; the key stays disabled
    }
    if (wasDisabled) {
      return new Outcome.AlreadyRevoked(done);
    }
    Instant now = clock.instant();
    ResidualExposure tokens = new ResidualExposure(target.toString(), now.plus(clients.config().accessTokenLifetime()),
        "access tokens minted with the key before it was disabled stay valid until they expire (Google cannot recall "
            + "them; disabling the service account would)");
    return new Outcome.Revoked(done + "; " + tokens.describe(now));
  }

  @Override
  Outcome undo(IdentityRef target, RevocationAction action, RevocationResult revoked) {
    try {
      clients.iam().enableServiceAccountKey(EnableServiceAccountKeyRequest.newBuilder().setName(name(target)).build());
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return new Outcome.PermanentFailure("key " + keyId(target) + " no longer exists; it cannot be enabled");
      }
      throw e;
    }
    String detail = "enabled key " + keyId(target) + " of " + email(target) + " again";
    if (revoked.detail() != null && revoked.detail().contains(ESCALATED + "disabled service account")) {
      Outcome account = accounts.enable(target.scope(), email(target));
      if (!(account instanceof Outcome.Revoked)) {
        return account;
      }
      detail += "; " + account.detail();
    }
    return new Outcome.Revoked(detail);
  }

  private Optional<ServiceAccountKey> key(IdentityRef target) {
    try {
      return Optional.of(clients.iam().getServiceAccountKey(GetServiceAccountKeyRequest.newBuilder()
          .setName(name(target)).build()));
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static String name(IdentityRef target) {
    return DisableServiceAccountProvider.name(target.scope(), email(target)) + "/keys/" + keyId(target);
  }

  private static String email(IdentityRef target) {
    return target.part("email");
  }

  private static String keyId(IdentityRef target) {
    return target.part("keyId");
  }
}
