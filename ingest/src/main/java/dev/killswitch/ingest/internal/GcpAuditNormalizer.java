package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.first;
import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.GcpAuditEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one Cloud Audit Logs {@code LogEntry} into {@code dev.killswitch.gcp.audit.v1}. Pure: no I/O, no clock.
 *
 * <p>Google's published samples keep only "the most relevant fields", so everything but
 * {@code protoPayload.methodName} is optional. The id is the entry's {@code insertId}; an entry without one
 * gets a deterministic id, the first 32 hex digits of the SHA-256 of the entry with its keys sorted, so the
 * same entry delivered again (a Pub/Sub redelivery, the same export read twice) gets the same id.
 *
 * <p>The actor is the credential or principal that made the call: the service-account key
 * ({@code gcp:<project>:sa-key/<email>/<key id>}) when {@code serviceAccountKeyName} names one, else the
 * service account of {@code principalEmail}, else the workload identity federation principal of
 * {@code principalSubject} (or, for STS ExchangeToken, of {@code metadata.mapped_principal}). Human users and
 * workforce principals have no reference in the grammar: their events have no actor, {@code principalEmail}
 * still names them. A service account's reference is scoped by the project in its email
 * ({@code <name>@<project>.iam.gserviceaccount.com}, {@code <project>@appspot.gserviceaccount.com}), else by
 * the entry's project.
 *
 * <p>The target is the service account or key the call minted, changed or impersonated: the new key of
 * CreateServiceAccountKey, the account of CreateServiceAccount, the account named by the request or the
 * resource (GenerateAccessToken, SignJwt, SetIamPolicy on a service account, Disable/Delete*). Reads
 * (Get/List/Query/TestIamPermissions) and failed calls (a non-zero {@code status.code}) have no target.
 */
public final class GcpAuditNormalizer {

  static final String AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog";
  /** The part of the pool resource name the grammar keeps, and the subject. */
  private static final Pattern WIF_PRINCIPAL = Pattern.compile(
      "principal://iam\\.googleapis\\.com/(projects/[^/]+/locations/[^/]+/workloadIdentityPools/[^/]+)/subject/(.+)");
  private static final Pattern KEY_NAME = Pattern.compile(
      "(?://iam\\.googleapis\\.com/)?projects/([^/]+)/serviceAccounts/([^/]+)/keys/([^/]+)");
  private static final Pattern SA_NAME = Pattern.compile(
      "(?://iam\\.googleapis\\.com/)?projects/([^/]+)/serviceAccounts/([^/]+)(?:/keys/([^/]+))?");
  private static final Pattern LOG_NAME = Pattern.compile(
      "(projects|organizations|folders|billingAccounts)/([^/]+)/logs/.*");
  private static final List<String> READ_PREFIXES = List.of("Get", "List", "Query", "TestIamPermissions", "Search",
      "Lint", "Validate");
  static final String UNKNOWN_SCOPE = "_unknown";

  private final Redactor redactor;

  public GcpAuditNormalizer(Redactor redactor) {
    this.redactor = redactor;
  }

  /** Normalizes one LogEntry; throws {@link IngestException} when it cannot. */
  public Normalized normalize(JsonNode entry) {
    if (entry == null || !entry.isObject()) {
      throw IngestException.invalidEvent("a LogEntry must be a JSON object");
    }
    JsonNode payload = entry.get("protoPayload");
    if (payload == null || !payload.isObject()) {
      if (entry.has("jsonPayload") || entry.has("textPayload")) {
        return new Normalized.Ignore("not-an-audit-log");
      }
      throw IngestException.invalidEvent("the LogEntry has no protoPayload");
    }
    String payloadType = text(payload, "@type");
    if (payloadType != null && !payloadType.equals(AUDIT_LOG_TYPE)) {
      return new Normalized.Ignore("not-an-audit-log");
    }
    String insertId = text(entry, "insertId");
    String id = insertId != null ? insertId : DeterministicIds.of("gcp.audit", canonical(entry));
    String where = "LogEntry " + id;
    String methodName = Fields.required(payload, "methodName", where + ": protoPayload");
    Instant time = first(Fields.instant(entry, "timestamp"), Fields.instant(entry, "receiveTimestamp"));
    JsonNode resource = entry.path("resource");
    String project = first(text(resource.path("labels"), "project_id"), logNameProject(text(entry, "logName")));

    JsonNode auth = payload.path("authenticationInfo");
    String principalEmail = text(auth, "principalEmail");
    String principalSubject = text(auth, "principalSubject");
    String keyName = text(auth, "serviceAccountKeyName");
    Integer statusCode = Fields.integer(payload.path("status"), "code");
    boolean succeeded = statusCode == null || statusCode == 0;

    IdentityRef actor = first(saKey(keyName, project, where), serviceAccount(principalEmail, project, where),
        wifPrincipal(principalSubject, where), wifPrincipal(text(payload.path("metadata"), "mapped_principal"), where));
    List<String> chain = delegationChain(auth.path("serviceAccountDelegationInfo"), project, where);
    IdentityRef target = succeeded && !isRead(methodName) ? target(methodName, payload, resource, project, where)
        : null;

    JsonNode metadata = payload.path("requestMetadata");
    GcpAuditEvent data = new GcpAuditEvent(insertId, project, text(payload, "serviceName"), methodName,
        text(payload, "resourceName"), principalEmail, principalSubject, actor == null ? null : actor.toString(),
        chain, keyName, target == null ? null : target.toString(), text(metadata, "callerIp"),
        text(metadata, "callerSuppliedUserAgent"), statusCode, text(payload.path("status"), "message"),
        redactor.redact(entry));
    String key = actor != null ? actor.toString() : target == null ? null : target.toString();
    Envelope<GcpAuditEvent> envelope = new Envelope<>(id, source(project, text(entry, "logName"), where),
        EventType.GCP_AUDIT, key, time == null ? null : OffsetDateTime.ofInstant(time, ZoneOffset.UTC), key, data);
    return new Normalized.Publish(envelope, List.of());
  }

  /** serviceAccountDelegationInfo, in its order (Google sorts it by the original order of the delegations). */
  private static List<String> delegationChain(JsonNode infos, String project, String where) {
    List<String> chain = new ArrayList<>();
    for (JsonNode info : infos) {
      IdentityRef ref = first(wifPrincipal(text(info, "principalSubject"), where),
          serviceAccount(text(info.path("firstPartyPrincipal"), "principalEmail"), project, where),
          serviceAccount(stripPrefix(text(info, "principalSubject"), "serviceAccount:"), project, where));
      if (ref != null) {
        chain.add(ref.toString());
      }
    }
    return chain;
  }

  private static IdentityRef target(String methodName, JsonNode payload, JsonNode resource, String project,
                                    String where) {
    JsonNode request = payload.path("request");
    JsonNode response = payload.path("response");
    String emailOfResource = "service_account".equals(text(resource, "type"))
        ? text(resource.path("labels"), "email_id") : null;
    if (methodName.endsWith("CreateServiceAccount")) {
      return serviceAccount(first(text(response, "email"), emailOfResource), project, where);
    }
    for (String name : new String[] {text(response, "name"), text(request, "name"), text(request, "resource"),
        text(payload, "resourceName")}) {
      Matcher m = name == null ? null : SA_NAME.matcher(name);
      if (m == null || !m.matches()) {
        continue;
      }
      // Resource names may carry the account's unique id instead of its email: the resource labels name it.
      String email = m.group(2).contains("@") ? m.group(2) : emailOfResource;
      if (email == null) {
        continue;
      }
      String scope = projectOf(email, project);
      return m.group(3) == null ? serviceAccount(email, project, where)
          : ref(() -> IdentityRef.gcpServiceAccountKey(scope, email, m.group(3)), where, "target key");
    }
    return serviceAccount(emailOfResource, project, where);
  }

  private static boolean isRead(String methodName) {
    String shortName = methodName.substring(methodName.lastIndexOf('.') + 1);
    for (String prefix : READ_PREFIXES) {
      if (shortName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static IdentityRef saKey(String keyName, String project, String where) {
    Matcher m = keyName == null ? null : KEY_NAME.matcher(keyName);
    if (m == null || !m.matches() || !m.group(2).contains("@")) {
      return null;
    }
    String scope = projectOf(m.group(2), first(dash(m.group(1)), project));
    return scope == null ? null
        : ref(() -> IdentityRef.gcpServiceAccountKey(scope, m.group(2), m.group(3)), where, "service account key");
  }

  /** A service account reference for an email that is one, else null. */
  private static IdentityRef serviceAccount(String email, String project, String where) {
    if (email == null || !email.endsWith(".gserviceaccount.com")) {
      return null;
    }
    String scope = projectOf(email, project);
    return scope == null ? null : ref(() -> IdentityRef.gcpServiceAccount(scope, email), where, "service account");
  }

  private static IdentityRef wifPrincipal(String principal, String where) {
    Matcher m = principal == null ? null : WIF_PRINCIPAL.matcher(principal);
    if (m == null || !m.matches()) {
      return null;
    }
    return ref(() -> IdentityRef.gcpWifPrincipal(m.group(1), m.group(2)), where, "federated principal");
  }

  /** The project a service account belongs to, from its email when it says, else {@code fallback}. */
  static String projectOf(String email, String fallback) {
    int at = email.indexOf('@');
    String domain = at < 0 ? "" : email.substring(at + 1);
    if (domain.endsWith(".iam.gserviceaccount.com")) {
      return domain.substring(0, domain.length() - ".iam.gserviceaccount.com".length());
    }
    if (domain.equals("appspot.gserviceaccount.com") && at > 0) {
      return email.substring(0, at);
    }
    return fallback;
  }

  private static String logNameProject(String logName) {
    Matcher m = logName == null ? null : LOG_NAME.matcher(logName);
    return m != null && m.matches() && m.group(1).equals("projects") ? m.group(2) : null;
  }

  /** {@code gcp://<project>}; an organization, folder or billing account log: {@code gcp://organizations/<id>}. */
  private static URI source(String project, String logName, String where) {
    try {
      if (project != null) {
        return new URI("gcp", project, null, null, null);
      }
      Matcher m = logName == null ? null : LOG_NAME.matcher(logName);
      if (m != null && m.matches()) {
        return new URI("gcp", m.group(1), "/" + m.group(2), null, null);
      }
      return new URI("gcp", UNKNOWN_SCOPE, null, null, null);
    } catch (URISyntaxException e) {
      throw IngestException.invalidEvent(where + ": project " + project + " does not make a source URI");
    }
  }

  private static String dash(String project) {
    return "-".equals(project) ? null : project;
  }

  private static String stripPrefix(String value, String prefix) {
    return value != null && value.startsWith(prefix) ? value.substring(prefix.length()) : null;
  }

  /** The entry with every object's keys sorted, as JSON: the input of the id of an entry without insertId. */
  static String canonical(JsonNode node) {
    return sorted(node).toString();
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = Json.mapper().createObjectNode();
      names.forEach(name -> out.set(name, sorted(node.get(name))));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = Json.mapper().createArrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }

  private interface RefBuilder {
    IdentityRef build();
  }

  private static IdentityRef ref(RefBuilder builder, String where, String what) {
    try {
      return builder.build();
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent(where + ": the " + what + " cannot be named: " + e.getMessage());
    }
  }
}
