package dev.killswitch.revoker.gcp;

import dev.killswitch.revoker.RevokerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of the Google Cloud providers. Every problem is collected and reported together when the record is built
 * ({@link RevokerException}, reason {@code INVALID_CONFIG}).
 *
 * @param projects the projects Killswitch may act in, by id or number (the {@code <project>} of {@code gcp:}
 *     references, and the project number in a workload identity pool's name); an action elsewhere fails
 * @param denyAttachmentPoints where {@code gcp.deny-principal} attaches its deny policy: {@code projects/<id or
 *     number>}, {@code folders/<number>} or {@code organizations/<number>} (a deny applies to the resource and
 *     everything under it); empty: the project of the principal's workload identity pool
 * @param deniedPermissions what the deny rule denies, in the v2 form {@code service.googleapis.com/resource.verb};
 *     empty: {@link #DEFAULT_DENIED_PERMISSIONS}
 * @param accessTokenLifetime how long an access token Google already minted may still live (1 h; up to 12 h where
 *     the organization allows longer-lived service-account tokens): the residual exposure reported
 * @param escalateKeyTokens {@code gcp.disable-sa-key} also disables the key's service account, the only way to
 *     reject the access tokens already minted with the key (a broad action: every user of the account stops)
 * @param endpoint null: Google's IAM endpoint with Application Default Credentials; {@code host:port}: another
 *     endpoint over TLS with those credentials; {@code plaintext:host:port} or {@code inprocess:<name>}: an emulator
 *     or a fake, without credentials
 * @param denyPolicyId the id of the deny policy Killswitch keeps on each attachment point
 * @param callTimeout time limit of one API call (a slower call is a retriable failure)
 */
public record GcpConfig(Set<String> projects, List<String> denyAttachmentPoints, List<String> deniedPermissions,
                        Duration accessTokenLifetime, boolean escalateKeyTokens, String endpoint, String denyPolicyId,
                        Duration callTimeout) {

  /**
   * What a denied workload identity principal loses by default: minting tokens for, signing as, and acting as
   * service accounts (how a federated pipeline usually reaches anything), and creating keys. The principal's own
   * federated token keeps the permissions not listed; add the services it uses directly.
   */
  public static final List<String> DEFAULT_DENIED_PERMISSIONS = List.of(
      "iam.googleapis.com/serviceAccounts.getAccessToken",
      "iam.googleapis.com/serviceAccounts.getOpenIdToken",
      "iam.googleapis.com/serviceAccounts.signBlob",
      "iam.googleapis.com/serviceAccounts.signJwt",
      "iam.googleapis.com/serviceAccounts.implicitDelegation",
      "iam.googleapis.com/serviceAccounts.actAs",
      "iam.googleapis.com/serviceAccountKeys.create");
  public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofHours(1);
  public static final String DEFAULT_DENY_POLICY_ID = "killswitch-deny-principals";
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

  public GcpConfig {
    projects = projects == null ? Set.of() : Set.copyOf(new TreeSet<>(projects));
    denyAttachmentPoints = denyAttachmentPoints == null ? List.of() : List.copyOf(denyAttachmentPoints);
    deniedPermissions = deniedPermissions == null || deniedPermissions.isEmpty() ? DEFAULT_DENIED_PERMISSIONS
        : List.copyOf(deniedPermissions);
    accessTokenLifetime = accessTokenLifetime == null ? DEFAULT_ACCESS_TOKEN_LIFETIME : accessTokenLifetime;
    denyPolicyId = denyPolicyId == null || denyPolicyId.isBlank() ? DEFAULT_DENY_POLICY_ID : denyPolicyId;
    callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
    List<String> problems = new ArrayList<>();
    if (projects.isEmpty()) {
      problems.add("gcp.projects: no project configured");
    }
    for (String p : projects) {
      if (!p.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]|\\d{1,20}")) {
        problems.add("gcp.projects: '" + p + "' is neither a project id nor a project number");
      }
    }
    for (String point : denyAttachmentPoints) {
      if (!point.matches("projects/([a-z][a-z0-9-]{4,28}[a-z0-9]|\\d+)|folders/\\d+|organizations/\\d+")) {
        problems.add("gcp.denyAttachmentPoints: '" + point + "' is not projects/<id>, folders/<n> or organizations/<n>");
      }
    }
    for (String permission : deniedPermissions) {
      if (!permission.matches("[a-z0-9*-]+(\\.[a-z0-9-]+)*\\.googleapis\\.com/[A-Za-z*]+\\.[A-Za-z*]+")) {
        problems.add("gcp.deniedPermissions: '" + permission + "' is not in the v2 form service.googleapis.com/"
            + "resource.verb");
      }
    }
    if (accessTokenLifetime.compareTo(Duration.ofMinutes(5)) < 0 || accessTokenLifetime.compareTo(Duration.ofHours(12)) > 0) {
      problems.add("gcp.accessTokenLifetime must be between 5 minutes and 12 hours, got " + accessTokenLifetime);
    }
    if (!denyPolicyId.matches("[a-z][a-z0-9.-]{2,62}")) {
      problems.add("gcp.denyPolicyId: 3 to 63 lower-case letters, digits, '-' or '.', starting with a letter");
    }
    if (endpoint != null && !(endpoint.startsWith("inprocess:") || endpoint.matches("(plaintext:)?[\\w.-]+:\\d+"))) {
      problems.add("gcp.endpoint: '" + endpoint + "' is not host:port, plaintext:host:port or inprocess:<name>");
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      problems.add("gcp.callTimeout must be positive, got " + callTimeout);
    }
    if (!problems.isEmpty()) {
      throw RevokerException.invalidConfig(problems);
    }
  }

  /** The projects, with every other setting at its default. */
  public static GcpConfig of(Set<String> projects) {
    return new GcpConfig(projects, List.of(), List.of(), null, false, null, null, null);
  }

  public GcpConfig withEndpoint(String target) {
    return new GcpConfig(projects, denyAttachmentPoints, deniedPermissions, accessTokenLifetime, escalateKeyTokens,
        target, denyPolicyId, callTimeout);
  }

  public GcpConfig withDenyAttachmentPoints(List<String> points) {
    return new GcpConfig(projects, points, deniedPermissions, accessTokenLifetime, escalateKeyTokens, endpoint,
        denyPolicyId, callTimeout);
  }

  public GcpConfig withDeniedPermissions(List<String> permissions) {
    return new GcpConfig(projects, denyAttachmentPoints, permissions, accessTokenLifetime, escalateKeyTokens, endpoint,
        denyPolicyId, callTimeout);
  }

  public GcpConfig withEscalateKeyTokens(boolean on) {
    return new GcpConfig(projects, denyAttachmentPoints, deniedPermissions, accessTokenLifetime, on, endpoint,
        denyPolicyId, callTimeout);
  }

  public GcpConfig withCallTimeout(Duration timeout) {
    return new GcpConfig(projects, denyAttachmentPoints, deniedPermissions, accessTokenLifetime, escalateKeyTokens,
        endpoint, denyPolicyId, timeout);
  }

  /** True when Killswitch may act in this project (id or number). */
  public boolean allows(String project) {
    return projects.contains(project);
  }
}
