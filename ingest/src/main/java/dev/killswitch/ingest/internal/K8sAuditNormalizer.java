package dev.killswitch.ingest.internal;

import static dev.killswitch.ingest.internal.Fields.first;
import static dev.killswitch.ingest.internal.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.K8sAuditEvent.BindingChange;
import dev.killswitch.schemas.event.K8sAuditEvent.ObjectRef;
import dev.killswitch.schemas.event.K8sAuditEvent.User;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one Kubernetes audit event (audit.k8s.io/v1 or v1beta1) into {@code dev.killswitch.k8s.audit.v1}.
 * Pure: no I/O, no clock.
 *
 * <p>Stage policy: {@code RequestReceived} is dropped, because it carries neither the authorization
 * decision nor the response and the same auditID arrives again at {@code ResponseComplete} (or
 * {@code ResponseStarted} for long-running requests, or {@code Panic}); those three are published, each
 * under its own id {@code <auditID>:<stage>}, so a redelivered batch dedupes downstream.
 */
public final class K8sAuditNormalizer {

  public static final String STAGE_DROPPED = "RequestReceived";
  static final Set<String> PUBLISHED_STAGES = Set.of("ResponseStarted", "ResponseComplete", "Panic");
  private static final Set<String> LEVELS = Set.of("None", "Metadata", "Request", "RequestResponse");
  /** The values the authorizer writes; anything else stays in raw only. */
  private static final Set<String> DECISIONS = Set.of("allow", "forbid");
  public static final Set<String> API_VERSIONS = Set.of("audit.k8s.io/v1", "audit.k8s.io/v1beta1");

  static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
  static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  static final String ISSUED_CREDENTIAL_ID = "authentication.kubernetes.io/issued-credential-id";
  static final String DECISION = "authorization.k8s.io/decision";
  static final String DECISION_REASON = "authorization.k8s.io/reason";
  private static final String SA_PREFIX = "system:serviceaccount:";
  private static final Set<String> BINDING_RESOURCES = Set.of("rolebindings", "clusterrolebindings");
  private static final Set<String> BINDING_VERBS = Set.of("create", "update", "patch", "delete");

  /** Warning: user.extra held a value under the CI-run key that is not a CI identity reference. */
  public static final String INVALID_CI_RUN = "invalid-ci-run";
  /** Warning: a RoleBinding subject could not be named as an identity reference and was left out. */
  public static final String INVALID_SUBJECT = "invalid-binding-subject";

  private static final int MAX_CACHED_SOURCES = 1_000;

  private final String ciRunExtraKey;
  private final Redactor redactor;
  private final Map<String, URI> sources = new java.util.concurrent.ConcurrentHashMap<>();

  public K8sAuditNormalizer(String ciRunExtraKey, Redactor redactor) {
    this.ciRunExtraKey = ciRunExtraKey;
    this.redactor = redactor;
  }

  /** Normalizes one audit event seen by {@code cluster}; throws {@link IngestException} when it is not one. */
  public Normalized normalize(String cluster, JsonNode ev) {
    return normalize(cluster, ev, null);
  }

  /**
   * The same, given the bytes the event was parsed from (null when unknown): when the redactor removes
   * nothing from the event, {@code raw} is written as those bytes rather than serialized again.
   */
  public Normalized normalize(String cluster, JsonNode ev, JsonSpans.Span source) {
    if (ev == null || !ev.isObject()) {
      throw IngestException.invalidEvent("an audit event must be a JSON object");
    }
    String apiVersion = text(ev, "apiVersion");
    if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
      throw IngestException.of(Reason.UNSUPPORTED_VERSION,
          "apiVersion " + apiVersion + " is not one of " + API_VERSIONS);
    }
    String kind = text(ev, "kind");
    if (kind != null && !kind.equals("Event")) {
      throw IngestException.invalidEvent("kind " + kind + " is not an audit Event");
    }
    String auditId = Fields.required(ev, "auditID", "the audit event");
    String stage = Fields.required(ev, "stage", "audit event " + auditId);
    if (stage.equals(STAGE_DROPPED)) {
      return new Normalized.Ignore("stage-request-received");
    }
    if (!PUBLISHED_STAGES.contains(stage)) {
      throw IngestException.invalidEvent("audit event " + auditId + " has an unknown stage " + stage);
    }
    Instant stageAt = first(Fields.instant(ev, "stageTimestamp"), Fields.instant(ev, "timestamp"));
    if (stageAt == null) {
      throw IngestException.invalidEvent("audit event " + auditId + " has no stageTimestamp");
    }
    String level = Fields.required(ev, "level", "audit event " + auditId);
    if (!LEVELS.contains(level)) {
      throw IngestException.invalidEvent("audit event " + auditId + " has an unknown level " + level);
    }
    String verb = Fields.required(ev, "verb", "audit event " + auditId);
    String requestUri = Fields.required(ev, "requestURI", "audit event " + auditId);
    List<String> warnings = new ArrayList<>();
    User user = user(ev.get("user"), auditId);
    String credentialId = prefixed(user.extra().get(CREDENTIAL_ID), "JTI=");
    IdentityRef serviceAccount = serviceAccount(cluster, user.username());
    IdentityRef actor = actor(cluster, user.username(), credentialId, serviceAccount);
    String podName = firstValue(user.extra().get(POD_NAME));
    String boundPod = podName == null || serviceAccount == null
        ? null : IdentityRef.k8sPod(cluster, serviceAccount.part("namespace"), podName).toString();
    String ciRun = ciRun(user.extra().get(ciRunExtraKey), warnings);

    ObjectRef objectRef = objectRef(ev.get("objectRef"));
    JsonNode annotations = ev.path("annotations");
    Integer responseCode = Fields.integer(ev.path("responseStatus"), "code");
    boolean succeeded = responseCode == null || responseCode < 400;
    String issuedCredentialId = prefixed(listOf(text(annotations, ISSUED_CREDENTIAL_ID)), "JTI=");
    String issuedFor = isTokenRequest(verb, objectRef) && objectRef.namespace() != null && objectRef.name() != null
        ? IdentityRef.k8sServiceAccount(cluster, objectRef.namespace(), objectRef.name()).toString() : null;
    BindingChange bindingChange = succeeded ? bindingChange(cluster, verb, objectRef, ev, warnings) : null;
    boolean secretAccess = objectRef != null && "secrets".equals(objectRef.resource()) && objectRef.apiGroup() == null;

    String decision = text(annotations, DECISION);
    K8sAuditEvent data = new K8sAuditEvent(cluster, auditId, stage, level, verb, requestUri,
        user, actor.toString(), credentialId, serviceAccount == null ? null : serviceAccount.toString(), boundPod,
        firstValue(user.extra().get(NODE_NAME)), ciRun, objectRef, Fields.texts(ev, "sourceIPs"),
        text(ev, "userAgent"), decision != null && DECISIONS.contains(decision) ? decision : null, text(annotations, DECISION_REASON),
        responseCode,
        issuedCredentialId, issuedFor, bindingChange, secretAccess, Fields.instant(ev, "requestReceivedTimestamp"),
        stageAt, raw((ObjectNode) ev, source));
    Envelope<K8sAuditEvent> envelope = new Envelope<>(auditId + ":" + stage, source(cluster),
        EventType.K8S_AUDIT, actor.toString(), OffsetDateTime.ofInstant(stageAt, ZoneOffset.UTC), actor.toString(),
        data);
    return new Normalized.Publish(envelope, warnings);
  }

  /** {@code k8s://<cluster>}, parsed once per cluster (a bounded number of them: names come from request paths). */
  private URI source(String cluster) {
    URI known = sources.get(cluster);
    if (known != null) {
      return known;
    }
    URI uri = URI.create("k8s://" + cluster);
    if (sources.size() < MAX_CACHED_SOURCES) {
      sources.put(cluster, uri);
    }
    return uri;
  }

  /** The event redacted in place; its source bytes when there was nothing to redact. */
  private JsonNode raw(ObjectNode ev, JsonSpans.Span source) {
    boolean changed = redactor.redactInPlace(ev);
    return changed || source == null ? ev : source.verbatim(ev);
  }

  static boolean isTokenRequest(String verb, ObjectRef ref) {
    return "create".equals(verb) && ref != null && "serviceaccounts".equals(ref.resource())
        && "token".equals(ref.subresource());
  }

  private static User user(JsonNode node, String auditId) {
    if (node == null || !node.isObject()) {
      throw IngestException.invalidEvent("audit event " + auditId + " has no user");
    }
    String username = Fields.required(node, "username", "the user of audit event " + auditId);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    JsonNode extraNode = node.path("extra");
    for (Iterator<Map.Entry<String, JsonNode>> it = extraNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> values = new ArrayList<>();
      if (e.getValue().isArray()) {
        e.getValue().forEach(v -> values.add(v.asText()));
      } else if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        values.add(e.getValue().asText());
      }
      extra.put(e.getKey(), values);
    }
    List<String> groups = Fields.texts(node, "groups");
    return new User(username, text(node, "uid"), groups, extra);
  }

  /** {@code system:serviceaccount:<ns>:<name>} as a service-account reference, else null. */
  static IdentityRef serviceAccount(String cluster, String username) {
    if (!username.startsWith(SA_PREFIX)) {
      return null;
    }
    String[] parts = username.substring(SA_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return null;
    }
    return IdentityRef.k8sServiceAccount(cluster, parts[0], parts[1]);
  }

  private static IdentityRef actor(String cluster, String username, String jti, IdentityRef serviceAccount) {
    try {
      if (jti != null) {
        return IdentityRef.k8sToken(cluster, jti);
      }
      return serviceAccount != null ? serviceAccount : IdentityRef.k8sUser(cluster, username);
    } catch (InvalidIdentityRefException e) {
      throw IngestException.invalidEvent("the actor cannot be named: " + e.getMessage());
    }
  }

  private String ciRun(List<String> values, List<String> warnings) {
    String value = firstValue(values);
    if (value == null) {
      return null;
    }
    try {
      IdentityRef ref = IdentityRef.parse(value);
      if (ref.kind().isCi()) {
        return ref.toString();
      }
    } catch (InvalidIdentityRefException e) {
      // counted below: the event is still worth publishing without the run
    }
    warnings.add(INVALID_CI_RUN);
    return null;
  }

  private static ObjectRef objectRef(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    return new ObjectRef(text(node, "apiGroup"), text(node, "apiVersion"), text(node, "resource"),
        text(node, "subresource"), text(node, "namespace"), text(node, "name"));
  }

  /**
   * A RoleBinding/ClusterRoleBinding change. The audit event holds the binding after the change (create,
   * update, patch: {@code subjectsAdded} is its full subject list, a state the correlator compares with
   * what it knew) or the one deleted ({@code subjectsRemoved}, empty when the audit level kept no object).
   */
  private static BindingChange bindingChange(String cluster, String verb, ObjectRef ref, JsonNode ev,
                                             List<String> warnings) {
    if (ref == null || ref.resource() == null || !BINDING_RESOURCES.contains(ref.resource()) || !BINDING_VERBS.contains(verb)
        || ref.subresource() != null) {
      return null;
    }
    JsonNode object = bindingObject(ev.get("responseObject"));
    if (object == null) {
      object = bindingObject(ev.get("requestObject"));
    }
    JsonNode metadata = object == null ? null : object.path("metadata");
    String name = first(ref.name(), text(metadata, "name"));
    if (name == null) {
      return null;
    }
    boolean clusterScoped = ref.resource().equals("clusterrolebindings");
    String namespace = clusterScoped ? null : first(ref.namespace(), text(metadata, "namespace"));
    if (!clusterScoped && namespace == null) {
      return null;
    }
    String roleRef = null;
    List<String> subjects = new ArrayList<>();
    if (object != null) {
      JsonNode role = object.path("roleRef");
      if (text(role, "name") != null) {
        roleRef = first(text(role, "kind"), "Role") + "/" + text(role, "name");
      }
      for (JsonNode subject : object.path("subjects")) {
        String s = subjectRef(cluster, namespace, subject);
        if (s != null) {
          subjects.add(s);
        } else if (!"Group".equals(text(subject, "kind"))) {
          warnings.add(INVALID_SUBJECT);
        }
      }
    }
    String binding = IdentityRef.k8sBinding(cluster, namespace, name).toString();
    return verb.equals("delete")
        ? new BindingChange(binding, roleRef, List.of(), subjects)
        : new BindingChange(binding, roleRef, subjects, List.of());
  }

  /** The object when it is a binding (a delete answers a Status, which is not). */
  private static JsonNode bindingObject(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    String kind = text(node, "kind");
    boolean binding = kind == null ? node.has("subjects") || node.has("roleRef") : kind.endsWith("RoleBinding");
    return binding ? node : null;
  }

  /**
   * A subject as an identity reference; null for groups (the grammar names no groups: the raw event keeps
   * them) and for names the grammar cannot hold.
   */
  private static String subjectRef(String cluster, String bindingNamespace, JsonNode subject) {
    String kind = text(subject, "kind");
    String name = text(subject, "name");
    if (kind == null || name == null) {
      return null;
    }
    try {
      return switch (kind) {
        case "User" -> IdentityRef.k8sUser(cluster, name).toString();
        case "ServiceAccount" -> {
          String ns = first(text(subject, "namespace"), bindingNamespace);
          yield ns == null ? null : IdentityRef.k8sServiceAccount(cluster, ns, name).toString();
        }
        default -> null;
      };
    } catch (InvalidIdentityRefException e) {
      return null;
    }
  }

  private static String firstValue(List<String> values) {
    if (values == null) {
      return null;
    }
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  private static List<String> listOf(String value) {
    return value == null ? null : List.of(value);
  }

  /** The rest of the first value that starts with {@code prefix} ({@code JTI=<uuid>} -> the uuid). */
  private static String prefixed(List<String> values, String prefix) {
    if (values == null) {
      return null;
    }
    for (String v : values) {
      if (v != null && v.startsWith(prefix) && v.length() > prefix.length()) {
        return v.substring(prefix.length());
      }
    }
    return null;
  }
}
