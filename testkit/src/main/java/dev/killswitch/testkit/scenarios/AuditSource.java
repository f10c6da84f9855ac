package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Kubernetes audit event (audit.k8s.io/v1, stage ResponseComplete), posted as the apiserver's webhook backend
 * posts it (an EventList of one), and the {@code k8s.audit} event ingest's K8sAuditNormalizer makes of it: the actor
 * is the token when user.extra carries its credential id, the service account, else the user; the CI run is read
 * from user.extra {@code killswitch.dev/ci-run}. Field meanings: kubernetes.io audit.k8s.io/v1 Event reference,
 * the authentication.kubernetes.io/* user.extra keys and audit annotations of the ServiceAccount token docs.
 */
final class AuditSource {

  private final String cluster;
  private final String auditId;
  private final Instant at;
  private String level = "Metadata";
  private String verb;
  private String requestUri;
  private String username;
  private List<String> groups = List.of("system:authenticated");
  private final Map<String, List<String>> extra = new LinkedHashMap<>();
  private List<String> sourceIps = List.of();
  private String userAgent = "kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e";
  private String apiGroup;
  private String resource;
  private String subresource;
  private String namespace;
  private String name;
  private int code = 200;
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private JsonNode requestObject;
  private JsonNode responseObject;

  AuditSource(String cluster, String auditId, Instant at) {
    this.cluster = cluster;
    this.auditId = auditId;
    this.at = at;
    annotations.put("authorization.k8s.io/decision", "allow");
    annotations.put("authorization.k8s.io/reason", "");
  }

  AuditSource request(String verb, String requestUri) {
    this.verb = verb;
    this.requestUri = requestUri;
    return this;
  }

  AuditSource user(String username, List<String> groups) {
    this.username = username;
    this.groups = groups;
    return this;
  }

  AuditSource extra(String key, String value) {
    extra.put(key, List.of(value));
    return this;
  }

  AuditSource from(String ip, String agent) {
    this.sourceIps = List.of(ip);
    this.userAgent = agent;
    return this;
  }

  AuditSource object(String apiGroup, String resource, String subresource, String namespace, String name) {
    this.apiGroup = apiGroup;
    this.resource = resource;
    this.subresource = subresource;
    this.namespace = namespace;
    this.name = name;
    return this;
  }

  AuditSource response(int code) {
    this.code = code;
    return this;
  }

  AuditSource annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  AuditSource objects(String level, JsonNode request, JsonNode response) {
    this.level = level;
    this.requestObject = request;
    this.responseObject = response;
    return this;
  }

  /** The request as the apiserver webhook posts it, and the normalized event. */
  SourceRecord build(String file) {
    ObjectNode ev = Json.mapper().createObjectNode();
    ev.put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", level).put("auditID", auditId)
        .put("stage", "ResponseComplete").put("requestURI", requestUri).put("verb", verb);
    ObjectNode user = ev.putObject("user");
    user.put("username", username);
    ArrayNode g = user.putArray("groups");
    groups.forEach(g::add);
    if (!extra.isEmpty()) {
      ObjectNode x = user.putObject("extra");
      extra.forEach((k, v) -> {
        ArrayNode a = x.putArray(k);
        v.forEach(a::add);
      });
    }
    ArrayNode ips = ev.putArray("sourceIPs");
    sourceIps.forEach(ips::add);
    ev.put("userAgent", userAgent);
    if (resource != null) {
      ObjectNode o = ev.putObject("objectRef");
      o.put("resource", resource);
      if (namespace != null) {
        o.put("namespace", namespace);
      }
      if (name != null) {
        o.put("name", name);
      }
      if (apiGroup != null) {
        o.put("apiGroup", apiGroup);
      }
      o.put("apiVersion", "v1");
      if (subresource != null) {
        o.put("subresource", subresource);
      }
    }
    ev.putObject("responseStatus").put("code", code).putObject("metadata");
    if (requestObject != null) {
      ev.set("requestObject", requestObject);
    }
    if (responseObject != null) {
      ev.set("responseObject", responseObject);
    }
    ev.put("requestReceivedTimestamp", at.minusMillis(7).toString()).put("stageTimestamp", at.toString());
    ObjectNode a = ev.putObject("annotations");
    annotations.forEach(a::put);
    ObjectNode list = Json.mapper().createObjectNode();
    list.put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1").putObject("metadata");
    list.putArray("items").add(ev);

    K8sAuditEvent data = normalized(ev);
    Envelope<K8sAuditEvent> event = new Envelope<>(auditId + ":ResponseComplete", URI.create("k8s://" + cluster),
        EventType.K8S_AUDIT, data.actor(), CiSources.utc(at), data.actor(), data);
    return new SourceRecord(file, "/v1/ingest/k8s-audit/" + cluster, Map.of(), list, List.of(event));
  }

  /** As ingest's K8sAuditNormalizer reads the event. */
  private K8sAuditEvent normalized(ObjectNode raw) {
    String jti = prefixed(extra.get("authentication.kubernetes.io/credential-id"));
    IdentityRef sa = null;
    if (username.startsWith("system:serviceaccount:")) {
      String[] p = username.substring("system:serviceaccount:".length()).split(":");
      sa = IdentityRef.k8sServiceAccount(cluster, p[0], p[1]);
    }
    IdentityRef actor = jti != null ? IdentityRef.k8sToken(cluster, jti)
        : sa != null ? sa : IdentityRef.k8sUser(cluster, username);
    List<String> pod = extra.get("authentication.kubernetes.io/pod-name");
    String boundPod = pod == null || sa == null ? null : IdentityRef.k8sPod(cluster, sa.part("namespace"),
        pod.get(0)).toString();
    List<String> run = extra.get("killswitch.dev/ci-run");
    String ciRun = run == null ? null : IdentityRef.parse(run.get(0)).toString();
    K8sAuditEvent.ObjectRef ref = resource == null ? null
        : new K8sAuditEvent.ObjectRef(apiGroup, "v1", resource, subresource, namespace, name);
    boolean tokenRequest = "create".equals(verb) && "serviceaccounts".equals(resource)
        && "token".equals(subresource);
    String issued = annotations.get("authentication.kubernetes.io/issued-credential-id");
    String issuedJti = issued != null && issued.startsWith("JTI=") ? issued.substring(4) : null;
    String issuedFor = tokenRequest ? IdentityRef.k8sServiceAccount(cluster, namespace, name).toString() : null;
    String decision = annotations.get("authorization.k8s.io/decision");
    return new K8sAuditEvent(cluster, auditId, "ResponseComplete", level, verb, requestUri,
        new K8sAuditEvent.User(username, null, groups, new LinkedHashMap<>(extra)), actor.toString(), jti,
        sa == null ? null : sa.toString(), boundPod, null, ciRun, ref, sourceIps, userAgent, decision,
        annotations.get("authorization.k8s.io/reason"), code, issuedJti, issuedFor, bindingChange(),
        "secrets".equals(resource) && apiGroup == null, at.minusMillis(7), at, raw);
  }

  /** A RoleBinding create/update/patch: the binding and the subjects it has after the change. */
  private K8sAuditEvent.BindingChange bindingChange() {
    if (code >= 400 || !("rolebindings".equals(resource) || "clusterrolebindings".equals(resource))
        || !List.of("create", "update", "patch").contains(verb)) {
      return null;
    }
    JsonNode object = responseObject != null ? responseObject : requestObject;
    if (object == null) {
      return null;
    }
    boolean clusterScoped = "clusterrolebindings".equals(resource);
    String ns = clusterScoped ? null : namespace;
    List<String> subjects = new ArrayList<>();
    for (JsonNode s : object.path("subjects")) {
      String kind = s.path("kind").asText();
      if (kind.equals("User")) {
        subjects.add(IdentityRef.k8sUser(cluster, s.path("name").asText()).toString());
      } else if (kind.equals("ServiceAccount")) {
        subjects.add(IdentityRef.k8sServiceAccount(cluster, s.path("namespace").asText(ns),
            s.path("name").asText()).toString());
      }
    }
    String roleRef = object.path("roleRef").path("kind").asText("Role") + "/" + object.path("roleRef").path("name")
        .asText();
    String binding = IdentityRef.k8sBinding(cluster, ns, name != null ? name : object.path("metadata")
        .path("name").asText()).toString();
    return new K8sAuditEvent.BindingChange(binding, roleRef, subjects, List.of());
  }

  private static String prefixed(List<String> values) {
    if (values == null) {
      return null;
    }
    for (String v : values) {
      if (v.startsWith("JTI=") && v.length() > 4) {
        return v.substring(4);
      }
    }
    return null;
  }
}
