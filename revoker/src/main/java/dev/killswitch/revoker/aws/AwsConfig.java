package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.RevokerException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of the AWS providers. Every problem is collected and reported together when the record is built
 * ({@link RevokerException}, reason {@code INVALID_CONFIG}).
 *
 * @param accounts how to reach each account Killswitch revokes in, by 12-digit account id (the {@code <account>}
 *     of {@code aws:<account>:...} references)
 * @param region the region of the IAM and STS clients (IAM is global; {@code us-east-1} reaches it in the
 *     {@code aws} partition, {@code cn-north-1} or {@code us-gov-west-1} in the others)
 * @param iamEndpoint endpoint override of IAM; null: the region's. Tests point it at a fake
 * @param stsEndpoint endpoint override of STS (for AssumeRole into the accounts); null: the region's
 * @param defaultSessionLifetime how long a session may still live when the action does not say
 *     ({@code params.sessionExpiresAt}): a deny entry is kept that long. 12 h, the longest a role session lasts
 * @param escalateUnboundSessions when {@code aws.deny-session} cannot deny the session alone (no session name or
 *     source identity known, or the role's deny policy is full), revoke every session of the role instead
 *     ({@code aws.revoke-role-sessions}); otherwise the action fails and reports the residual exposure
 * @param callTimeout time limit of one API call (a slower call is a retriable failure)
 */
public record AwsConfig(Map<String, AccountAccess> accounts, String region, URI iamEndpoint, URI stsEndpoint,
                        Duration defaultSessionLifetime, boolean escalateUnboundSessions, Duration callTimeout) {

  public static final String DEFAULT_REGION = "us-east-1";
  public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(12);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
  /** The RoleSessionName Killswitch uses when it assumes an account's role (shows in that account's CloudTrail). */
  public static final String SESSION_NAME = "killswitch-revoker";

  /**
   * How to reach one account.
   *
   * @param roleArn the role to assume in the account ({@code arn:aws:iam::<account>:role/...}); null: use the base
   *     credentials as they are (the account Killswitch runs in)
   * @param externalId the external id the role's trust policy requires ({@code sts:ExternalId}); null: none
   */
  public record AccountAccess(String roleArn, String externalId) {
    /** The base credentials act in the account directly. */
    public static AccountAccess direct() {
      return new AccountAccess(null, null);
    }

    public static AccountAccess assume(String roleArn, String externalId) {
      return new AccountAccess(roleArn, externalId);
    }
  }

  public AwsConfig {
    accounts = accounts == null ? Map.of() : Map.copyOf(new TreeMap<>(accounts));
    region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    defaultSessionLifetime = defaultSessionLifetime == null ? DEFAULT_SESSION_LIFETIME : defaultSessionLifetime;
    callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
    List<String> problems = new ArrayList<>();
    if (accounts.isEmpty()) {
      problems.add("aws.accounts: no account configured");
    }
    accounts.forEach((account, access) -> check(account, access, problems));
    if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d")) {
      problems.add("aws.region: '" + region + "' is not a region name such as us-east-1");
    }
    for (URI endpoint : new URI[] {iamEndpoint, stsEndpoint}) {
      if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
        problems.add("aws endpoint override '" + endpoint + "' needs a scheme and a host");
      }
    }
    if (defaultSessionLifetime.compareTo(Duration.ofMinutes(15)) < 0
        || defaultSessionLifetime.compareTo(Duration.ofHours(36)) > 0) {
      problems.add("aws.defaultSessionLifetime must be between 15 minutes and 36 hours, got " + defaultSessionLifetime);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      problems.add("aws.callTimeout must be positive, got " + callTimeout);
    }
    if (!problems.isEmpty()) {
      throw RevokerException.invalidConfig(problems);
    }
  }

  /** The accounts, in the default region, with the default lifetimes and no endpoint override or escalation. */
  public static AwsConfig of(Map<String, AccountAccess> accounts) {
    return new AwsConfig(accounts, DEFAULT_REGION, null, null, null, false, null);
  }

  /** The same settings with IAM and STS at {@code endpoint} (a fake, a VPC endpoint). */
  public AwsConfig withEndpoints(URI iam, URI sts) {
    return new AwsConfig(accounts, region, iam, sts, defaultSessionLifetime, escalateUnboundSessions, callTimeout);
  }

  public AwsConfig withEscalateUnboundSessions(boolean on) {
    return new AwsConfig(accounts, region, iamEndpoint, stsEndpoint, defaultSessionLifetime, on, callTimeout);
  }

  public AwsConfig withDefaultSessionLifetime(Duration lifetime) {
    return new AwsConfig(accounts, region, iamEndpoint, stsEndpoint, lifetime, escalateUnboundSessions, callTimeout);
  }

  public AwsConfig withCallTimeout(Duration timeout) {
    return new AwsConfig(accounts, region, iamEndpoint, stsEndpoint, defaultSessionLifetime, escalateUnboundSessions,
        timeout);
  }

  private static void check(String account, AccountAccess access, List<String> problems) {
    if (account == null || !account.matches("\\d{12}")) {
      problems.add("aws.accounts: '" + account + "' is not a 12-digit account id");
      return;
    }
    if (access == null) {
      problems.add("aws.accounts." + account + ": no access given (a role ARN, or direct)");
      return;
    }
    if (access.roleArn() != null) {
      if (!access.roleArn().matches("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+")) {
        problems.add("aws.accounts." + account + ".roleArn: '" + access.roleArn() + "' is not a role ARN");
      } else if (!access.roleArn().split(":")[4].equals(account)) {
        problems.add("aws.accounts." + account + ".roleArn: the role is in account " + access.roleArn().split(":")[4]
            + ", not " + account);
      }
    }
    if (access.externalId() != null && !access.externalId().matches("[\\w+=,.@:/-]{2,1224}")) {
      problems.add("aws.accounts." + account + ".externalId: 2 to 1224 characters of letters, digits and +=,.@:/-");
    }
    if (access.roleArn() == null && access.externalId() != null) {
      problems.add("aws.accounts." + account + ": an external id without a role to assume");
    }
  }
}
