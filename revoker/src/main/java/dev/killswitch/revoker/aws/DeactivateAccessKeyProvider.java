package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.GetAccessKeyLastUsedRequest;
import software.amazon.awssdk.services.iam.model.ListAccessKeysRequest;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.UpdateAccessKeyRequest;

/**
 * {@code aws.deactivate-access-key}: {@code iam:UpdateAccessKey Status=Inactive} on a long-lived user key; the lift
 * of a temporary lock sets it {@code Active} again. The key's user comes from {@code params.principal} (the user
 * reference the chain says the key belongs to) or from {@code iam:GetAccessKeyLastUsed}, which names it.
 * A key already inactive, or gone ({@code NoSuchEntity}), is already revoked. Sessions the key holder obtained with
 * it before ({@code sts:GetSessionToken}, {@code sts:AssumeRole}) are not recalled by this: the chain shows them as
 * sessions of their own, revoked by {@code aws.deny-session}. Target: {@code aws:<account>:access-key/<AKIA...>}.
 * Permissions: {@code permissions/aws/aws.deactivate-access-key.json}.
 */
public final class DeactivateAccessKeyProvider extends AwsAction {

  DeactivateAccessKeyProvider(AwsAccounts accounts, Clock clock) {
    super(accounts, clock);
  }

  @Override
  public String actionId() {
    return Actions.AWS_DEACTIVATE_ACCESS_KEY;
  }

  @Override
  Set<IdentityRef.Kind> targetKinds() {
    return Set.of(IdentityRef.Kind.AWS_ACCESS_KEY);
  }

  @Override
  Outcome run(IamClient iam, IdentityRef target, RevocationAction action) {
    String keyId = target.leaf();
    Optional<String> user = user(iam, target, action);
    if (user.isEmpty()) {
      return new Outcome.AlreadyRevoked("access key " + keyId + " not found in account " + target.scope());
    }
    Optional<AccessKeyMetadata> key = key(iam, user.get(), keyId);
    if (key.isEmpty()) {
      return new Outcome.AlreadyRevoked("access key " + keyId + " of user " + user.get() + " not found");
    }
    if (key.get().status() == StatusType.INACTIVE) {
      return new Outcome.AlreadyRevoked("access key " + keyId + " of user " + user.get() + " is already inactive");
    }
    try {
      iam.updateAccessKey(UpdateAccessKeyRequest.builder().userName(user.get()).accessKeyId(keyId)
          .status(StatusType.INACTIVE).build());
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return new Outcome.AlreadyRevoked("access key " + keyId + " of user " + user.get() + " was deleted meanwhile");
      }
      throw e;
    }
    return new Outcome.Revoked("deactivated access key " + keyId + " of user " + user.get() + " in account "
        + target.scope());
  }

  @Override
  Outcome undo(IamClient iam, IdentityRef target, RevocationAction action, RevocationResult revoked) {
    String keyId = target.leaf();
    Optional<String> user = user(iam, target, action);
    if (user.isEmpty() || key(iam, user.get(), keyId).isEmpty()) {
      return new Outcome.PermanentFailure("access key " + keyId + " no longer exists; it cannot be activated again");
    }
    iam.updateAccessKey(UpdateAccessKeyRequest.builder().userName(user.get()).accessKeyId(keyId)
        .status(StatusType.ACTIVE).build());
    return new Outcome.Revoked("activated access key " + keyId + " of user " + user.get() + " again");
  }

  /** The key's user, or empty when IAM does not know the key. */
  private static Optional<String> user(IamClient iam, IdentityRef target, RevocationAction action) {
    String principal = param(action, Planner.PARAM_PRINCIPAL);
    if (principal != null) {
      try {
        IdentityRef ref = IdentityRef.parse(principal);
        if (ref.kind() == IdentityRef.Kind.AWS_USER && ref.scope().equals(target.scope())) {
          return Optional.of(ref.leaf());
        }
      } catch (InvalidIdentityRefException e) {
        // ask IAM instead
      }
    }
    try {
      return Optional.ofNullable(iam.getAccessKeyLastUsed(GetAccessKeyLastUsedRequest.builder()
          .accessKeyId(target.leaf()).build()).userName());
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Optional<AccessKeyMetadata> key(IamClient iam, String user, String keyId) {
    try {
      return iam.listAccessKeys(ListAccessKeysRequest.builder().userName(user).build()).accessKeyMetadata().stream()
          .filter(k -> keyId.equals(k.accessKeyId())).findFirst();
    } catch (SdkException e) {
      if (AwsErrors.notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
