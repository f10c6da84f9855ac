package dev.killswitch.testkit.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state behind {@link FakeAwsIam}: accounts, their users, access keys and roles, and the operations on them,
 * answering the inner XML of each {@code <Action>Result} or throwing {@link ApiError} with the documented code.
 * Synchronized per account.
 */
public final class AwsIamState {

  static final int INLINE_POLICY_LIMIT = 10_240;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final Set<String> CONDITION_OPERATORS = Set.of("StringEquals", "StringNotEquals",
      "StringEqualsIgnoreCase", "StringLike", "StringNotLike", "DateEquals", "DateLessThan", "DateGreaterThan",
      "DateLessThanEquals", "DateGreaterThanEquals", "Bool", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike",
      "NumericEquals", "NumericLessThan", "NumericGreaterThan", "Null");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An AWS error answer. */
  static final class ApiError extends RuntimeException {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** A role of the fake. */
  public static final class Role {
    private final String account;
    private final String name;
    private final String path;
    private final String roleId;
    private final int maxSessionDuration;
    private final Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    final Map<String, String> policies = new LinkedHashMap<>();
    volatile String externalId;

    Role(String account, String name, String path, int maxSessionDuration, String roleId) {
      this.account = account;
      this.name = name;
      this.path = path;
      this.roleId = roleId == null ? "AROA" + id(17) : roleId;
      this.maxSessionDuration = maxSessionDuration;
    }

    public String name() {
      return name;
    }

    public String path() {
      return path;
    }

    /** The unique id that {@code aws:userid} of a session starts with ({@code <RoleId>:<session name>}). */
    public String roleId() {
      return roleId;
    }

    public String arn() {
      return "arn:aws:iam::" + account + ":role" + path + name;
    }
  }

  private record Key(String user, String id, String secret, Instant created, String[] status) {}

  private record Session(String account, String roleName, String sessionName, String sourceIdentity) {}

  /** One account. */
  final class Account {
    private final String id;
    final Map<String, Role> roles = new LinkedHashMap<>();
    private final Map<String, Key> keys = new LinkedHashMap<>();
    private final Map<String, String> users = new LinkedHashMap<>();

    Account(String id) {
      this.id = id;
    }

    synchronized Role addRole(String name, String path, int maxSessionDuration, String roleId) {
      String p = path == null || path.isEmpty() ? "/" : path;
      Role role = new Role(id, name, p, maxSessionDuration, roleId);
      roles.put(name, role);
      return role;
    }

    synchronized Optional<Role> role(String name) {
      return Optional.ofNullable(roles.get(name));
    }

    synchronized String addUserWithKey(String user) {
      users.putIfAbsent(user, "AIDA" + id(17));
      String keyId = "AKIA" + id(16);
      Key key = new Key(user, keyId, id(40), Instant.now().truncatedTo(ChronoUnit.SECONDS), new String[] {"Active"});
      keys.put(keyId, key);
      accountByKey.put(keyId, id);
      return keyId;
    }

    synchronized Optional<String> keyStatus(String keyId) {
      return Optional.ofNullable(keys.get(keyId)).map(k -> k.status()[0]);
    }

    synchronized String getRole(Map<String, String> p) {
      Role r = requireRole(p);
      return "<Role><Path>" + xml(r.path) + "</Path><AssumeRolePolicyDocument>"
          + encode("{\"Version\":\"2012-10-17\",\"Statement\":[]}") + "</AssumeRolePolicyDocument>"
          + "<MaxSessionDuration>" + r.maxSessionDuration + "</MaxSessionDuration><RoleId>" + r.roleId
          + "</RoleId><RoleName>" + xml(r.name) + "</RoleName><Arn>" + xml(r.arn()) + "</Arn><CreateDate>"
          + r.created + "</CreateDate></Role>";
    }

    synchronized String getRolePolicy(Map<String, String> p) {
      Role r = requireRole(p);
      String name = required(p, "PolicyName");
      String doc = r.policies.get(name);
      if (doc == null) {
        throw new ApiError(404, "NoSuchEntity", "The role policy with name " + name + " cannot be found.");
      }
      return "<RoleName>" + xml(r.name) + "</RoleName><PolicyName>" + xml(name) + "</PolicyName><PolicyDocument>"
          + encode(doc) + "</PolicyDocument>";
    }

    synchronized String putRolePolicy(Map<String, String> p) {
      Role r = requireRole(p);
      String name = required(p, "PolicyName");
      String doc = required(p, "PolicyDocument");
      unmodifiable(r);
      validatePolicy(doc);
      int total = size(doc);
      for (Map.Entry<String, String> e : r.policies.entrySet()) {
        if (!e.getKey().equals(name)) {
          total += size(e.getValue());
        }
      }
      if (total > INLINE_POLICY_LIMIT) {
        throw new ApiError(409, "LimitExceeded", "Maximum policy size of " + INLINE_POLICY_LIMIT
            + " bytes exceeded for role " + r.name);
      }
      r.policies.put(name, doc);
      return null;
    }

    synchronized String deleteRolePolicy(Map<String, String> p) {
      Role r = requireRole(p);
      String name = required(p, "PolicyName");
      unmodifiable(r);
      if (r.policies.remove(name) == null) {
        throw new ApiError(404, "NoSuchEntity", "The role policy with name " + name + " cannot be found.");
      }
      return null;
    }

    synchronized String listRolePolicies(Map<String, String> p) {
      Role r = requireRole(p);
      StringBuilder names = new StringBuilder();
      r.policies.keySet().forEach(n -> names.append("<member>").append(xml(n)).append("</member>"));
      return "<PolicyNames>" + names + "</PolicyNames><IsTruncated>false</IsTruncated>";
    }

    synchronized String updateAccessKey(Map<String, String> p) {
      String keyId = required(p, "AccessKeyId");
      String status = required(p, "Status");
      if (!status.equals("Active") && !status.equals("Inactive")) {
        throw new ApiError(400, "ValidationError", "1 validation error detected: Value '" + status
            + "' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
      }
      Key key = keys.get(keyId);
      String user = p.get("UserName");
      if (key == null || (user != null && !user.equals(key.user()))) {
        throw new ApiError(404, "NoSuchEntity", "The Access Key with id " + keyId + " cannot be found");
      }
      key.status()[0] = status;
      return null;
    }

    synchronized String listAccessKeys(Map<String, String> p) {
      String user = required(p, "UserName");
      if (!users.containsKey(user)) {
        throw new ApiError(404, "NoSuchEntity", "The user with name " + user + " cannot be found.");
      }
      StringBuilder out = new StringBuilder("<UserName>" + xml(user) + "</UserName><AccessKeyMetadata>");
      for (Key k : keys.values()) {
        if (k.user().equals(user)) {
          out.append("<member><UserName>").append(xml(user)).append("</UserName><AccessKeyId>").append(k.id())
              .append("</AccessKeyId><Status>").append(k.status()[0]).append("</Status><CreateDate>")
              .append(k.created()).append("</CreateDate></member>");
        }
      }
      return out.append("</AccessKeyMetadata><IsTruncated>false</IsTruncated>").toString();
    }

    synchronized String getAccessKeyLastUsed(Map<String, String> p) {
      String keyId = required(p, "AccessKeyId");
      Key key = keys.get(keyId);
      if (key == null) {
        throw new ApiError(404, "NoSuchEntity", "The Access Key with id " + keyId + " cannot be found");
      }
      return "<UserName>" + xml(key.user()) + "</UserName><AccessKeyLastUsed><Region>N/A</Region>"
          + "<ServiceName>N/A</ServiceName></AccessKeyLastUsed>";
    }

    private Role requireRole(Map<String, String> p) {
      String name = required(p, "RoleName");
      Role r = roles.get(name);
      if (r == null) {
        throw new ApiError(404, "NoSuchEntity", "The role with name " + name + " cannot be found.");
      }
      return r;
    }
  }

  private final String home;
  private final FakeAwsIam.Credentials homeCredentials;
  private final Map<String, Account> accounts = new ConcurrentHashMap<>();
  private final Map<String, String> accountByKey = new ConcurrentHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  AwsIamState(String homeAccount) {
    this.home = homeAccount;
    this.homeCredentials = new FakeAwsIam.Credentials("AKIA" + id(16), id(40));
    accountByKey.put(homeCredentials.accessKeyId(), homeAccount);
  }

  FakeAwsIam.Credentials homeCredentials() {
    return homeCredentials;
  }

  String homeAccount() {
    return home;
  }

  Account account(String id) {
    return accounts.computeIfAbsent(id, Account::new);
  }

  /** The account a request signed with this key acts in, or null for an unknown key. */
  String accountOf(String accessKeyId) {
    return accountByKey.get(accessKeyId);
  }

  String assumeRole(String callerAccount, Map<String, String> p) {
    String arn = required(p, "RoleArn");
    String sessionName = required(p, "RoleSessionName");
    String[] parts = arn.split(":", 6);
    if (parts.length != 6 || !parts[5].startsWith("role/")) {
      throw new ApiError(400, "ValidationError", "RoleArn " + arn + " is not a role ARN");
    }
    String account = parts[4];
    String roleName = parts[5].substring(parts[5].lastIndexOf('/') + 1);
    Role role = account(account).role(roleName).orElseThrow(() -> new ApiError(403, "AccessDenied",
        "User: arn:aws:iam::" + callerAccount + ":user/caller is not authorized to perform: sts:AssumeRole on "
            + "resource: " + arn));
    if (role.externalId != null && !role.externalId.equals(p.get("ExternalId"))) {
      throw new ApiError(403, "AccessDenied", "User: arn:aws:iam::" + callerAccount + ":user/caller is not "
          + "authorized to perform: sts:AssumeRole on resource: " + arn);
    }
    int seconds = p.containsKey("DurationSeconds") ? Integer.parseInt(p.get("DurationSeconds")) : 3600;
    String keyId = "ASIA" + id(16);
    accountByKey.put(keyId, account);
    sessions.put(keyId, new Session(account, roleName, sessionName, p.get("SourceIdentity")));
    Instant expiration = Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    return (p.containsKey("SourceIdentity") ? "<SourceIdentity>" + xml(p.get("SourceIdentity"))
        + "</SourceIdentity>" : "")
        + "<AssumedRoleUser><AssumedRoleId>" + role.roleId + ":" + xml(sessionName) + "</AssumedRoleId><Arn>"
        + "arn:aws:sts::" + account + ":assumed-role/" + xml(roleName) + "/" + xml(sessionName) + "</Arn>"
        + "</AssumedRoleUser><Credentials><AccessKeyId>" + keyId + "</AccessKeyId><SecretAccessKey>" + id(40)
        + "</SecretAccessKey><SessionToken>" + id(64) + "</SessionToken><Expiration>" + expiration
        + "</Expiration></Credentials><PackedPolicySize>0</PackedPolicySize>";
  }

  String callerIdentity(String account) {
    return "<Arn>arn:aws:iam::" + account + ":user/caller</Arn><UserId>AIDA" + id(17) + "</UserId><Account>"
        + account + "</Account>";
  }

  // ---- helpers ----

  static void unmodifiable(Role r) {
    if (r.path.startsWith("/aws-service-role/")) {
      throw new ApiError(400, "UnmodifiableEntity", "Cannot perform the operation on the protected role '"
          + r.name + "' - this role is only modifiable by AWS");
    }
  }

  /** The grammar IAM checks on an identity policy, the part Killswitch could get wrong. */
  static void validatePolicy(String doc) {
    JsonNode root;
    try {
      root = JSON.readTree(doc);
    } catch (Exception e) {
      throw new ApiError(400, "MalformedPolicyDocument", "Syntax errors in policy.");
    }
    if (root == null || !root.isObject() || !Set.of("2012-10-17", "2008-10-17").contains(root.path("Version").asText())) {
      throw new ApiError(400, "MalformedPolicyDocument", "The policy must have Version 2012-10-17.");
    }
    JsonNode statements = root.path("Statement");
    if (!statements.isArray() && !statements.isObject()) {
      throw new ApiError(400, "MalformedPolicyDocument", "Policy document must contain Statement.");
    }
    for (JsonNode s : statements.isArray() ? statements : JSON.createArrayNode().add(statements)) {
      String effect = s.path("Effect").asText();
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw new ApiError(400, "MalformedPolicyDocument", "Invalid effect: " + effect);
      }
      if (s.has("Sid") && !s.path("Sid").asText().matches("[A-Za-z0-9]*")) {
        throw new ApiError(400, "MalformedPolicyDocument", "Statement IDs (SID) must be alpha-numeric. Check that "
            + "your input satisfies the regular expression [0-9A-Za-z]*");
      }
      if (!s.has("Action") && !s.has("NotAction")) {
        throw new ApiError(400, "MalformedPolicyDocument", "Policy statement must contain actions.");
      }
      if (!s.has("Resource") && !s.has("NotResource")) {
        throw new ApiError(400, "MalformedPolicyDocument", "Policy statement must contain resources.");
      }
      for (Iterator<String> ops = s.path("Condition").fieldNames(); ops.hasNext(); ) {
        String op = ops.next();
        String base = op.replaceFirst("^ForAllValues:|^ForAnyValue:", "").replaceFirst("IfExists$", "");
        if (!CONDITION_OPERATORS.contains(base)) {
          throw new ApiError(400, "MalformedPolicyDocument", "Invalid Condition type : " + op);
        }
      }
    }
  }

  /** IAM does not count white space against the policy size limits. */
  static int size(String doc) {
    return (int) doc.chars().filter(c -> !Character.isWhitespace(c)).count();
  }

  static int statusOf(String code) {
    return switch (code) {
      case "NoSuchEntity" -> 404;
      case "AccessDenied", "InvalidClientTokenId" -> 403;
      case "LimitExceeded", "EntityAlreadyExists", "ConcurrentModification" -> 409;
      case "ServiceFailure" -> 500;
      case "ServiceUnavailable" -> 503;
      default -> 400;
    };
  }

  static String required(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null || v.isEmpty()) {
      throw new ApiError(400, "ValidationError", "1 validation error detected: Value null at '"
          + Character.toLowerCase(name.charAt(0)) + name.substring(1) + "' failed to satisfy constraint: Member "
          + "must not be null");
    }
    return v;
  }

  /** RFC 3986 percent-encoding, as IAM returns policy documents. */
  static String encode(String doc) {
    return URLEncoder.encode(doc, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
        .replace("%7E", "~");
  }

  static String xml(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static String id(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
