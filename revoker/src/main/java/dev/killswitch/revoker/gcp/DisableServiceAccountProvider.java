package dev.killswitch.revoker.gcp;

import com.google.iam.admin.v1.DisableServiceAccountRequest;
import com.google.iam.admin.v1.EnableServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code gcp.disable-service-account}: {@code DisableServiceAccount}. Google then rejects the account's existing
 * access tokens and refuses new ones, so nothing minted before stays usable; {@link #lift} enables it again (its
 * unexpired tokens are accepted again). A broad action: every workload using the account stops. An account already
 * disabled, or gone ({@code NOT_FOUND}), is already revoked. Google-managed service agents
 * ({@code service-<project number>@...gserviceaccount.com}, {@code <n>@cloudservices.gserviceaccount.com}) are
 * skipped: Google owns them, and disabling one breaks a Google service in the project. Target: {@code gcp:<project>:sa/<email>}.
 * Permissions: {@code permissions/gcp/gcp.disable-service-account.yaml}.
 */
public final class DisableServiceAccountProvider extends GcpAction {

  /** Service agents: {@code service-<project number>@...} and the Google APIs service agent. */
  private static final Pattern SERVICE_AGENT = Pattern.compile(
      "service-\\d+@[a-z0-9.-]+\\.gserviceaccount\\.com|\\d+@cloudservices\\.gserviceaccount\\.com");

  DisableServiceAccountProvider(GcpClients clients, Clock clock) {
    super(clients, clock);
  }

  @Override
  public String actionId() {
    return Actions.GCP_DISABLE_SERVICE_ACCOUNT;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.GCP_SERVICE_ACCOUNT);
  }

  @Override
  Outcome check(IdentityRef target, RevocationAction action) {
    return serviceAgent(target.leaf());
  }

  @Override
  Outcome run(IdentityRef target, RevocationAction action) {
    Outcome agent = serviceAgent(target.leaf());
    return agent != null ? agent : disable(target.scope(), target.leaf(), "");
  }

  /** Disables the account; also the escalation of {@code gcp.disable-sa-key}. */
  Outcome disable(String project, String email, String why) {
    String name = name(project, email);
    Optional<ServiceAccount> account = get(name);
    if (account.isEmpty()) {
      return new Outcome.AlreadyRevoked(why + "service account " + email + " not found in project " + project);
    }
    if (account.get().getDisabled()) {
      return new Outcome.AlreadyRevoked(why + "service account " + email + " is already disabled");
    }
    try {
      clients.iam().disableServiceAccount(DisableServiceAccountRequest.newBuilder().setName(name).build());
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return new Outcome.AlreadyRevoked(why + "service account " + email + " was deleted meanwhile");
      }
      throw e;
    }
    return new Outcome.Revoked(why + "disabled service account " + email + " in project " + project
        + ": its existing access tokens are rejected and no new ones are issued");
  }

  @Override
  Outcome undo(IdentityRef target, RevocationAction action, RevocationResult revoked) {
    return enable(target.scope(), target.leaf());
  }

  Outcome enable(String project, String email) {
    try {
      clients.iam().enableServiceAccount(EnableServiceAccountRequest.newBuilder().setName(name(project, email))
          .build());
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return new Outcome.PermanentFailure("service account " + email + " no longer exists; it cannot be enabled");
      }
      throw e;
    }
    return new Outcome.Revoked("enabled service account " + email + " again");
  }

  private Optional<ServiceAccount> get(String name) {
    try {
      return Optional.of(clients.iam().getServiceAccount(
          com.google.iam.admin.v1.GetServiceAccountRequest.newBuilder().setName(name).build()));
    } catch (RuntimeException e) {
      if (GcpErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static Outcome serviceAgent(String email) {
    return SERVICE_AGENT.matcher(email).matches()
        ? new Outcome.Skipped("service account " + email + " is a Google-managed service agent: Google owns it, "
            + "Killswitch does not disable it")
        : null;
  }

  static String name(String project, String email) {
    return "projects/" + project + "/serviceAccounts/" + email;
  }
}
