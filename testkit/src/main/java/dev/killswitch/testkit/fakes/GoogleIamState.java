package dev.killswitch.testkit.fakes;

import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.admin.v1.ServiceAccountKey;
import com.google.iam.admin.v1.ServiceAccountKeyOrigin;
import com.google.iam.v2.ListPoliciesResponse;
import com.google.iam.v2.Policy;
import com.google.iam.v2.PolicyOperationMetadata;
import com.google.iam.v2.PolicyRule;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The state behind {@link FakeGoogleIam}: service accounts, their keys, and deny policies by resource name, with the
 * answers and errors of the real services (NOT_FOUND for a missing account, key or policy; ALREADY_EXISTS for a
 * second policy of the same id; ABORTED for a stale etag; INVALID_ARGUMENT for a deny rule IAM would refuse: no
 * principal, a principal that is not a {@code principal://} or {@code principalSet://} identifier, a permission not
 * in the v2 {@code service.googleapis.com/resource.verb} form, more than 500 rules on one attachment point).
 * Synchronized.
 */
public final class GoogleIamState {

  static final int MAX_RULES_PER_ATTACHMENT_POINT = 500;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, ServiceAccount> accounts = new LinkedHashMap<>();
  private final Map<String, ServiceAccountKey> keys = new LinkedHashMap<>();
  private final Map<String, Policy> policies = new LinkedHashMap<>();
  private long etags;

  // ---- service accounts and keys ----

  synchronized ServiceAccount addServiceAccount(String project, String email) {
    ServiceAccount sa = ServiceAccount.newBuilder()
        .setName("projects/" + project + "/serviceAccounts/" + email)
        .setProjectId(project).setEmail(email)
        .setUniqueId(Long.toString(100000000000000000L + Math.abs(RANDOM.nextLong() % 899999999999999999L)))
        .setDisabled(false).build();
    accounts.put(email, sa);
    return sa;
  }

  synchronized String addKey(String project, String email) {
    if (!accounts.containsKey(email)) {
      throw new IllegalArgumentException("no service account " + email);
    }
    String keyId = HexFormat.of().formatHex(bytes(20));
    keys.put(email + "/" + keyId, ServiceAccountKey.newBuilder()
        .setName("projects/" + project + "/serviceAccounts/" + email + "/keys/" + keyId)
        .setKeyOrigin(ServiceAccountKeyOrigin.GOOGLE_PROVIDED).setDisabled(false).build());
    return keyId;
  }

  public synchronized Optional<ServiceAccount> serviceAccount(String email) {
    return Optional.ofNullable(accounts.get(email));
  }

  public synchronized Optional<ServiceAccountKey> key(String email, String keyId) {
    return Optional.ofNullable(keys.get(email + "/" + keyId));
  }

  /** Deletes a key, as if someone removed it meanwhile. */
  public synchronized void deleteKey(String email, String keyId) {
    keys.remove(email + "/" + keyId);
  }

  /** Deletes a service account and its keys. */
  public synchronized void deleteServiceAccount(String email) {
    accounts.remove(email);
    keys.keySet().removeIf(k -> k.startsWith(email + "/"));
  }

  synchronized ServiceAccount getServiceAccount(com.google.iam.admin.v1.GetServiceAccountRequest r) {
    return account(r.getName());
  }

  synchronized Empty setServiceAccountDisabled(String name, boolean disabled) {
    ServiceAccount sa = account(name);
    accounts.put(sa.getEmail(), sa.toBuilder().setDisabled(disabled).build());
    return Empty.getDefaultInstance();
  }

  synchronized ServiceAccountKey getKey(String name) {
    return keyNamed(name);
  }

  synchronized Empty setKeyDisabled(String name, boolean disabled) {
    ServiceAccountKey key = keyNamed(name);
    keys.put(keyId(name), key.toBuilder().setDisabled(disabled).build());
    return Empty.getDefaultInstance();
  }

  private ServiceAccount account(String name) {
    String[] p = name.split("/");
    ServiceAccount sa = p.length == 4 && p[0].equals("projects") && p[2].equals("serviceAccounts")
        ? accounts.get(p[3]) : null;
    if (sa == null) {
      throw notFound("Service account " + name + " does not exist.");
    }
    return sa;
  }

  private ServiceAccountKey keyNamed(String name) {
    ServiceAccountKey key = keys.get(keyId(name));
    if (key == null) {
      throw notFound("Service account key " + name + " does not exist.");
    }
    return key;
  }

  /** {@code <email>/<key id>} of {@code projects/<p>/serviceAccounts/<email>/keys/<key id>}. */
  private static String keyId(String name) {
    String[] p = name.split("/");
    if (p.length != 6 || !p[0].equals("projects") || !p[2].equals("serviceAccounts") || !p[4].equals("keys")) {
      throw Status.INVALID_ARGUMENT.withDescription("Invalid key name " + name).asRuntimeException();
    }
    return p[3] + "/" + p[5];
  }

  // ---- deny policies ----

  public synchronized Optional<Policy> policy(String name) {
    return Optional.ofNullable(policies.get(name));
  }

  synchronized Policy getPolicy(String name) {
    Policy p = policies.get(name);
    if (p == null) {
      throw notFound("Policy " + name + " not found.");
    }
    return p;
  }

  synchronized ListPoliciesResponse listPolicies(String parent) {
    ListPoliciesResponse.Builder out = ListPoliciesResponse.newBuilder();
    policies.forEach((name, p) -> {
      if (name.startsWith(parent + "/")) {
        out.addPolicies(p);
      }
    });
    return out.build();
  }

  synchronized Policy createPolicy(String parent, String id, Policy policy) {
    if (!parent.startsWith("policies/") || !parent.endsWith("/denypolicies")) {
      throw Status.INVALID_ARGUMENT.withDescription("Invalid parent " + parent).asRuntimeException();
    }
    if (!id.matches("[a-z][a-z0-9.-]{2,62}")) {
      throw Status.INVALID_ARGUMENT.withDescription("Invalid policy id " + id).asRuntimeException();
    }
    String name = parent + "/" + id;
    if (policies.containsKey(name)) {
      throw Status.ALREADY_EXISTS.withDescription("Policy " + name + " already exists.").asRuntimeException();
    }
    validate(parent, name, policy);
    Timestamp now = now();
    Policy stored = policy.toBuilder().setName(name).setUid(UUID.randomUUID().toString()).setKind("DenyPolicy")
        .setEtag(nextEtag()).setCreateTime(now).setUpdateTime(now).build();
    policies.put(name, stored);
    return stored;
  }

  synchronized Policy updatePolicy(Policy policy) {
    Policy current = getPolicy(policy.getName());
    if (!policy.getEtag().isEmpty() && !policy.getEtag().equals(current.getEtag())) {
      throw Status.ABORTED.withDescription("The etag of the policy does not match; read it again.")
          .asRuntimeException();
    }
    String parent = policy.getName().substring(0, policy.getName().lastIndexOf('/'));
    validate(parent, policy.getName(), policy);
    Policy stored = policy.toBuilder().setUid(current.getUid()).setKind(current.getKind())
        .setCreateTime(current.getCreateTime()).setUpdateTime(now()).setEtag(nextEtag()).build();
    policies.put(policy.getName(), stored);
    return stored;
  }

  synchronized Policy deletePolicy(String name, String etag) {
    Policy current = getPolicy(name);
    if (!etag.isEmpty() && !etag.equals(current.getEtag())) {
      throw Status.ABORTED.withDescription("The etag of the policy does not match; read it again.")
          .asRuntimeException();
    }
    policies.remove(name);
    return current.toBuilder().setDeleteTime(now()).build();
  }

  private void validate(String parent, String name, Policy policy) {
    int rules = policy.getRulesCount();
    for (Map.Entry<String, Policy> e : policies.entrySet()) {
      if (e.getKey().startsWith(parent + "/") && !e.getKey().equals(name)) {
        rules += e.getValue().getRulesCount();
      }
    }
    if (rules > MAX_RULES_PER_ATTACHMENT_POINT) {
      throw Status.INVALID_ARGUMENT.withDescription("An attachment point can hold at most "
          + MAX_RULES_PER_ATTACHMENT_POINT + " deny rules.").asRuntimeException();
    }
    for (PolicyRule rule : policy.getRulesList()) {
      if (!rule.hasDenyRule() || rule.getDenyRule().getDeniedPrincipalsCount() == 0) {
        throw Status.INVALID_ARGUMENT.withDescription("A deny rule needs denied principals.").asRuntimeException();
      }
      for (String principal : rule.getDenyRule().getDeniedPrincipalsList()) {
        if (!principal.startsWith("principal://") && !principal.startsWith("principalSet://")) {
          throw Status.INVALID_ARGUMENT.withDescription("Invalid principal " + principal).asRuntimeException();
        }
      }
      if (rule.getDenyRule().getDeniedPermissionsCount() == 0) {
        throw Status.INVALID_ARGUMENT.withDescription("A deny rule needs denied permissions.").asRuntimeException();
      }
      for (String permission : rule.getDenyRule().getDeniedPermissionsList()) {
        if (!permission.matches("[a-z0-9*-]+(\\.[a-z0-9-]+)*\\.googleapis\\.com/[A-Za-z*]+\\.[A-Za-z*]+")) {
          throw Status.INVALID_ARGUMENT.withDescription("Permission " + permission + " is not in the v2 format "
              + "SERVICE_FQDN/RESOURCE.ACTION").asRuntimeException();
        }
      }
    }
  }

  /** A long-running operation that is already done, with the policy as its response. */
  static Operation done(Policy policy) {
    return Operation.newBuilder().setName("operations/" + UUID.randomUUID()).setDone(true)
        .setMetadata(Any.pack(PolicyOperationMetadata.newBuilder().setCreateTime(now()).build()))
        .setResponse(Any.pack(policy)).build();
  }

  private String nextEtag() {
    return "W/\"" + (++etags) + "\"";
  }

  private static Timestamp now() {
    Instant t = Instant.now();
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asRuntimeException();
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
