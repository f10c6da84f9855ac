package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.first;
import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.AwsCloudTrailEvent.Identity;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one CloudTrail record into {@code dev.killswitch.aws.cloudtrail.v1}. Pure: no I/O, no clock.
 *
 * <p>The actor is the credential that made the call when the record names it: {@code aws:<account>:session/<ASIA...>}
 * for temporary credentials, {@code aws:<account>:access-key/<AKIA...>} for a long-lived key; else the role
 * (of an assumed-role caller), the IAM user, or, for a web-identity caller (AssumeRoleWithWebIdentity), the
 * federated subject {@code oidc:<issuer host>/<sub>}. AWS service callers have no actor.
 *
 * <p>STS AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML and EKS AssumeRoleForPodIdentity name the
 * session they minted (the response's {@code credentials.accessKeyId}, in the role's account), the role (as a
 * reference, and its ARN and unique id {@code AROA...}), the session name, the source identity, the session tags and
 * when the session expires: what the revoker needs to deny that one session ({@code aws:userid} is
 * {@code <role id>:<session name>}). IAM changes name their target (a key, a role or a
 * user). A call that failed ({@code errorCode} set) minted and changed nothing: it names neither a minted
 * session, an assumed role nor an IAM target; what it aimed at stays in {@code raw}.
 */
public final class CloudTrailNormalizer {

  static final Set<String> ASSUME_ROLE = Set.of("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML",
      "AssumeRoleForPodIdentity");
  private static final String IAM = "iam.amazonaws.com";
  /** Read-only IAM calls change nothing and so name no target. */
  private static final Set<String> READ_PREFIXES = Set.of("Get", "List", "Generate", "Simulate");
  /** EKS Pod Identity's response {@code subject} maps to the session tags EKS sets on the role session. */
  static final String TAG_NAMESPACE = "kubernetes-namespace";
  static final String TAG_SERVICE_ACCOUNT = "kubernetes-service-account";
  private static final Pattern ROLE_ID = Pattern.compile("AROA[A-Z0-9]+");
  /** How CloudTrail writes an STS response's {@code credentials.expiration}. */
  private static final DateTimeFormatter EXPIRATION = new DateTimeFormatterBuilder().parseCaseInsensitive()
      .appendPattern("MMM d, uuuu, h:mm:ss a").toFormatter(Locale.US);

  private final Redactor redactor;

  public CloudTrailNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  /**
   * Normalizes one record; {@code fallbackAccount}/{@code fallbackRegion} (the EventBridge envelope's
   * {@code account}/{@code region}, or null) fill a record that lacks {@code recipientAccountId}/{@code awsRegion}.
   */
  public Normalized normalize(JsonNode record, String fallbackAccount, String fallbackRegion) {
    if (record == null || !record.isObject()) {
      throw IngestException.invalidEvent("a CloudTrail record must be a JSON object");
    }
    if ("AwsCloudTrailInsight".equals(text(record, "eventType"))) {
      return new Normalized.Ignore("insight-event");
    }
    String eventId = Fields.required(record, "eventID", "the CloudTrail record");
    String where = "CloudTrail record " + eventId;
    String eventName = Fields.required(record, "eventName", where);
    String eventSource = Fields.required(record, "eventSource", where);
    JsonNode user = record.get("userIdentity");
    Identity identity = identity(user, where);
    String account = first(text(record, "recipientAccountId"), fallbackAccount, identity.accountId());
    if (account == null) {
      throw IngestException.invalidEvent(where + " has no recipientAccountId");
    }
    String region = first(text(record, "awsRegion"), fallbackRegion);
    if (region == null) {
      throw IngestException.invalidEvent(where + " has no awsRegion");
    }
    Instant time = Fields.instant(record, "eventTime");
    String errorCode = text(record, "errorCode");
    boolean succeeded = errorCode == null;
    JsonNode request = record.path("requestParameters");
    JsonNode response = record.path("responseElements");

    IdentityRef actor = actor(user, identity, account, response, where);
    String mintedSession = null;
    String assumedRole = null;
    String sessionName = null;
    String roleArn = null;
    String roleId = null;
    Instant sessionExpiresAt = null;
    String sourceIdentity = first(text(request, "sourceIdentity"), text(response, "sourceIdentity"),
        identity.sourceIdentity());
    Map<String, String> sessionTags = new LinkedHashMap<>();
    if (ASSUME_ROLE.contains(eventName)) {
      String roleArnText = first(text(request, "roleArn"), text(response.path("assumedRoleUser"), "arn"));
      Arn role = Arn.parse(roleArnText);
      sessionName = first(text(request, "roleSessionName"), role == null ? null : role.sessionName());
      sessionTags = sessionTags(request, response);
      if (succeeded && role != null && role.roleName() != null) {
        assumedRole = ref(() -> IdentityRef.awsRole(role.account(), role.roleName()), where, "assumed role").toString();
        String keyId = text(response.path("credentials"), "accessKeyId");
        if (keyId != null) {
          mintedSession = ref(() -> IdentityRef.awsSession(role.account(), keyId), where, "minted session").toString();
        }
        roleArn = "role".equals(role.resourceType()) ? roleArnText : null;
        roleId = roleId(text(response.path("assumedRoleUser"), "assumedRoleId"));
        sessionExpiresAt = expiration(text(response.path("credentials"), "expiration"));
      }
    }
    String iamTarget = succeeded && IAM.equals(eventSource) ? iamTarget(eventName, request, response, user, account,
        where) : null;

    AwsCloudTrailEvent data = new AwsCloudTrailEvent(eventId, eventName, eventSource, region, account,
        actor == null ? null : actor.toString(), identity, mintedSession, assumedRole, sessionName, sourceIdentity,
        sessionTags, roleArn, roleId, sessionExpiresAt, iamTarget, text(record, "sourceIPAddress"),
        text(record, "userAgent"), errorCode, text(record, "errorMessage"), bool(record.get("readOnly")),
        redactor.redact(record));
    // Service callers (pods.eks.amazonaws.com minting a Pod Identity session) have no actor: the record is keyed
    // by what it minted, so it lands beside the later calls made with that session.
    String key = first(actor == null ? null : actor.toString(), mintedSession, assumedRole, iamTarget);
    Envelope<AwsCloudTrailEvent> envelope = new Envelope<>(eventId, source(account, region, where),
        EventType.AWS_CLOUDTRAIL, key, time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), key,
        data);
    return new Normalized.Publish(envelope, List.of());
  }

  /** The role's unique id from {@code assumedRoleUser.assumedRoleId} ({@code AROA...:<session name>}), or null. */
  static String roleId(String assumedRoleId) {
    if (assumedRoleId == null) {
      return null;
    }
    int colon = assumedRoleId.indexOf(':');
    String id = colon < 0 ? assumedRoleId : assumedRoleId.substring(0, colon);
    return ROLE_ID.matcher(id).matches() ? id : null;
  }

  /**
   * {@code credentials.expiration}: CloudTrail writes it as {@code Apr 16, 2024, 3:20:04 PM} (UTC), the STS API as
   * ISO-8601; null when it is neither (an unknown expiry only makes the revoker assume the longest lifetime).
   */
  static Instant expiration(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      // the CloudTrail form, below
    }
    try {
      return LocalDateTime.parse(text.replace('\u202f', ' '), EXPIRATION).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {@code userIdentity} as the schema's Identity; its {@code type} is required. */
  static Identity identity(JsonNode user, String where) {
    if (user == null || !user.isObject()) {
      throw IngestException.invalidEvent(where + " has no userIdentity");
    }
    String type = Fields.required(user, "type", where + ": userIdentity");
    JsonNode context = user.path("sessionContext");
    JsonNode issuer = context.path("sessionIssuer");
    JsonNode webId = context.path("webIdFederationData");
    String provider = text(webId, "federatedProvider");
    Map<String, String> attributes = null;
    if (webId.isObject() && !webId.isEmpty()) {
      attributes = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = webId.path("attributes").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          attributes.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    if (provider == null && "WebIdentityUser".equals(type)) {
      // The call that federates (AssumeRoleWithWebIdentity) names its provider in userIdentity itself.
      provider = text(user, "identityProvider");
    }
    return new Identity(type, text(user, "arn"), text(user, "principalId"), text(user, "accountId"),
        text(user, "accessKeyId"), text(issuer, "arn"), text(issuer, "type"), text(issuer, "userName"),
        first(text(context, "sourceIdentity"), text(user, "sourceIdentity")), provider, attributes);
  }

  private static IdentityRef actor(JsonNode user, Identity identity, String account, JsonNode response,
                                   String where) {
    String owner = first(identity.accountId(), account);
    String keyId = identity.accessKeyId();
    if (keyId != null && keyId.startsWith("ASIA")) {
      return ref(() -> IdentityRef.awsSession(owner, keyId), where, "session");
    }
    if (keyId != null && keyId.startsWith("AKIA")) {
      return ref(() -> IdentityRef.awsAccessKey(owner, keyId), where, "access key");
    }
    return switch (identity.type()) {
      case "AssumedRole" -> {
        Arn role = first(Arn.parse(identity.sessionIssuerArn()), Arn.parse(identity.arn()));
        yield role == null || role.roleName() == null ? null
            : ref(() -> IdentityRef.awsRole(role.account(), role.roleName()), where, "role");
      }
      case "IAMUser" -> {
        String name = first(text(user, "userName"), Arn.parse(identity.arn()) == null ? null
            : Arn.parse(identity.arn()).userName());
        yield name == null ? null : ref(() -> IdentityRef.awsUser(owner, name), where, "user");
      }
      case "WebIdentityUser" -> webIdentitySubject(first(text(user, "userName"),
          text(response, "subjectFromWebIdentityToken")), first(identity.webIdFederationProvider(),
          text(response, "provider")), where);
      default -> null;
    };
  }

  /**
   * {@code oidc:<issuer host>/<sub>} of a web-identity caller: the provider is an IAM OIDC provider ARN
   * ({@code arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com}) or a bare host. The
   * grammar keeps the issuer's host only: an EKS issuer's {@code /id/<cluster id>} path stays in
   * {@code identity.webIdFederationProvider}.
   */
  private static IdentityRef webIdentitySubject(String sub, String provider, String where) {
    if (sub == null || provider == null) {
      return null;
    }
    int marker = provider.indexOf(":oidc-provider/");
    String issuer = marker < 0 ? provider : provider.substring(marker + ":oidc-provider/".length());
    issuer = issuer.replaceFirst("^https://", "");
    int slash = issuer.indexOf('/');
    String host = slash < 0 ? issuer : issuer.substring(0, slash);
    return host.isEmpty() ? null : ref(() -> IdentityRef.oidcSubject(host, sub), where, "web identity subject");
  }

  /**
   * Session tags: {@code requestParameters.tags} ([{key, value}], AssumeRole), {@code principalTags}
   * (an object, the tags a web identity or SAML assertion carried), and for EKS Pod Identity the response's
   * {@code subject} (namespace and service account), which EKS sets as the same-named session tags.
   */
  private static Map<String, String> sessionTags(JsonNode request, JsonNode response) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode tag : request.path("tags")) {
      String k = first(text(tag, "key"), text(tag, "Key"));
      String v = first(text(tag, "value"), text(tag, "Value"));
      if (k != null && v != null) {
        tags.put(k, v);
      }
    }
    for (JsonNode principalTags : new JsonNode[] {request.path("principalTags"), response.path("principalTags")}) {
      for (Iterator<Map.Entry<String, JsonNode>> it = principalTags.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isValueNode() && !e.getValue().isNull()) {
          tags.putIfAbsent(e.getKey(), e.getValue().asText());
        }
      }
    }
    JsonNode subject = response.path("subject");
    if (text(subject, "namespace") != null) {
      tags.putIfAbsent(TAG_NAMESPACE, text(subject, "namespace"));
    }
    if (text(subject, "serviceAccount") != null) {
      tags.putIfAbsent(TAG_SERVICE_ACCOUNT, text(subject, "serviceAccount"));
    }
    return tags;
  }

  /**
   * The key, role or user an IAM change acted on. IAM is global: the target is in the record's account.
   * CreateAccessKey names the new key (its response); without a {@code userName} parameter the key is the
   * caller's own.
   */
  private static String iamTarget(String eventName, JsonNode request, JsonNode response, JsonNode user,
                                  String account, String where) {
    for (String prefix : READ_PREFIXES) {
      if (eventName.startsWith(prefix)) {
        return null;
      }
    }
    String newKey = eventName.equals("CreateAccessKey") ? text(response.path("accessKey"), "accessKeyId") : null;
    String keyId = first(newKey, text(request, "accessKeyId"));
    if (keyId != null) {
      return ref(() -> IdentityRef.awsAccessKey(account, keyId), where, "IAM target key").toString();
    }
    String role = text(request, "roleName");
    if (role != null) {
      return ref(() -> IdentityRef.awsRole(account, role), where, "IAM target role").toString();
    }
    String userName = first(text(request, "userName"),
        eventName.equals("CreateAccessKey") && "IAMUser".equals(text(user, "type")) ? text(user, "userName") : null);
    if (userName != null) {
      return ref(() -> IdentityRef.awsUser(account, userName), where, "IAM target user").toString();
    }
    return null;
  }

  private static URI source(String account, String region, String where) {
    try {
      return new URI("aws", account, "/" + region, null, null);
    } catch (URISyntaxException e) {
      throw IngestException.invalidEvent(where + ": account " + account + " and region " + region
          + " do not make a source URI");
    }
  }

  private static Boolean bool(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    String s = node.asText();
    return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
  }

  private interface RefBuilder {
    IdentityRef build();
  }

  /** A reference from source values; values the grammar cannot hold make the record invalid, naming the field. */
  private static IdentityRef ref(RefBuilder builder, String where, String what) {
    try {
      return builder.build();
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent(where + ": the " + what + " cannot be named: " + e.getMessage());
    }
  }

  /**
   * The parts of an IAM or STS ARN that name identities: {@code arn:aws:iam::<account>:role/<path/>name},
   * {@code arn:aws:iam::<account>:user/<path/>name}, {@code arn:aws:sts::<account>:assumed-role/<role>/<session>}.
   * A role's or user's path is not part of its name.
   */
  record Arn(String account, String resourceType, String roleName, String userName, String sessionName) {

    static Arn parse(String arn) {
      if (arn == null || !arn.startsWith("arn:")) {
        return null;
      }
      String[] f = arn.split(":", 6);
      if (f.length < 6 || f[4].isEmpty()) {
        return null;
      }
      String account = f[4];
      String resource = f[5];
      int slash = resource.indexOf('/');
      String type = slash < 0 ? resource : resource.substring(0, slash);
      String rest = slash < 0 ? "" : resource.substring(slash + 1);
      String last = rest.isEmpty() ? null : rest.substring(rest.lastIndexOf('/') + 1);
      return switch (type) {
        case "role" -> new Arn(account, type, last, null, null);
        case "user" -> new Arn(account, type, null, last, null);
        case "assumed-role" -> {
          int s = rest.indexOf('/');
          yield s <= 0 ? new Arn(account, type, rest.isEmpty() ? null : rest, null, null)
              : new Arn(account, type, rest.substring(0, s), null, rest.substring(s + 1));
        }
        default -> new Arn(account, type, null, null, null);
      };
    }
  }
}
