package dev.killswitch.schemas;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@link K8sAuditEvent}, written field by field with a Jackson generator instead of the bean
 * serializer (which looked the serializer of each field up, called each accessor by reflection and formatted the
 * times through a {@code DateTimeFormatter}). The bytes are those {@code Json.mapper().writeValueAsBytes(event)}
 * gives, byte for byte: the fields in declaration order, nulls left out (map entries with a null value too; a
 * null inside a list is written as {@code null}), {@code secretAccess} always, times as {@code ISO_INSTANT},
 * {@code raw} through the mapper's own tree serialization (so a verbatim source object stays its own bytes).
 * Tested against the bean serializer over random records, the fixtures and the normalizer fuzz bodies.
 */
final class K8sAuditJson {

  private static final SerializableString CLUSTER = name("cluster");
  private static final SerializableString AUDIT_ID = name("auditId");
  private static final SerializableString STAGE = name("stage");
  private static final SerializableString LEVEL = name("level");
  private static final SerializableString VERB = name("verb");
  private static final SerializableString REQUEST_URI = name("requestUri");
  private static final SerializableString USER = name("user");
  private static final SerializableString USERNAME = name("username");
  private static final SerializableString UID = name("uid");
  private static final SerializableString GROUPS = name("groups");
  private static final SerializableString EXTRA = name("extra");
  private static final SerializableString ACTOR = name("actor");
  private static final SerializableString CREDENTIAL_ID = name("credentialId");
  private static final SerializableString SERVICE_ACCOUNT = name("serviceAccount");
  private static final SerializableString BOUND_POD = name("boundPod");
  private static final SerializableString BOUND_NODE = name("boundNode");
  private static final SerializableString CI_RUN = name("ciRun");
  private static final SerializableString OBJECT_REF = name("objectRef");
  private static final SerializableString API_GROUP = name("apiGroup");
  private static final SerializableString API_VERSION = name("apiVersion");
  private static final SerializableString RESOURCE = name("resource");
  private static final SerializableString SUBRESOURCE = name("subresource");
  private static final SerializableString NAMESPACE = name("namespace");
  private static final SerializableString NAME = name("name");
  private static final SerializableString SOURCE_IPS = name("sourceIps");
  private static final SerializableString USER_AGENT = name("userAgent");
  private static final SerializableString DECISION = name("decision");
  private static final SerializableString DECISION_REASON = name("decisionReason");
  private static final SerializableString RESPONSE_CODE = name("responseCode");
  private static final SerializableString ISSUED_CREDENTIAL_ID = name("issuedCredentialId");
  private static final SerializableString ISSUED_FOR = name("issuedFor");
  private static final SerializableString BINDING_CHANGE = name("bindingChange");
  private static final SerializableString BINDING = name("binding");
  private static final SerializableString ROLE_REF = name("roleRef");
  private static final SerializableString SUBJECTS_ADDED = name("subjectsAdded");
  private static final SerializableString SUBJECTS_REMOVED = name("subjectsRemoved");
  private static final SerializableString SECRET_ACCESS = name("secretAccess");
  private static final SerializableString REQUEST_RECEIVED_AT = name("requestReceivedAt");
  private static final SerializableString STAGE_AT = name("stageAt");
  private static final SerializableString RAW = name("raw");

  private K8sAuditJson() {}

  static byte[] write(K8sAuditEvent e) throws IOException {
    ObjectMapper mapper = Json.mapper();
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(mapper.getFactory()._getBufferRecycler())) {
      try (JsonGenerator g = mapper.createGenerator(bytes, JsonEncoding.UTF8)) {
        g.writeStartObject();
        string(g, CLUSTER, e.cluster());
        string(g, AUDIT_ID, e.auditId());
        string(g, STAGE, e.stage());
        string(g, LEVEL, e.level());
        string(g, VERB, e.verb());
        string(g, REQUEST_URI, e.requestUri());
        if (e.user() != null) {
          K8sAuditEvent.User u = e.user();
          g.writeFieldName(USER);
          g.writeStartObject();
          string(g, USERNAME, u.username());
          string(g, UID, u.uid());
          strings(g, GROUPS, u.groups());
          if (u.extra() != null) {
            g.writeFieldName(EXTRA);
            g.writeStartObject();
            for (Map.Entry<String, List<String>> x : u.extra().entrySet()) {
              strings(g, x.getKey(), x.getValue());
            }
            g.writeEndObject();
          }
          g.writeEndObject();
        }
        string(g, ACTOR, e.actor());
        string(g, CREDENTIAL_ID, e.credentialId());
        string(g, SERVICE_ACCOUNT, e.serviceAccount());
        string(g, BOUND_POD, e.boundPod());
        string(g, BOUND_NODE, e.boundNode());
        string(g, CI_RUN, e.ciRun());
        if (e.objectRef() != null) {
          K8sAuditEvent.ObjectRef o = e.objectRef();
          g.writeFieldName(OBJECT_REF);
          g.writeStartObject();
          string(g, API_GROUP, o.apiGroup());
          string(g, API_VERSION, o.apiVersion());
          string(g, RESOURCE, o.resource());
          string(g, SUBRESOURCE, o.subresource());
          string(g, NAMESPACE, o.namespace());
          string(g, NAME, o.name());
          g.writeEndObject();
        }
        strings(g, SOURCE_IPS, e.sourceIps());
        string(g, USER_AGENT, e.userAgent());
        string(g, DECISION, e.decision());
        string(g, DECISION_REASON, e.decisionReason());
        if (e.responseCode() != null) {
          g.writeFieldName(RESPONSE_CODE);
          g.writeNumber(e.responseCode().intValue());
        }
        string(g, ISSUED_CREDENTIAL_ID, e.issuedCredentialId());
        string(g, ISSUED_FOR, e.issuedFor());
        if (e.bindingChange() != null) {
          K8sAuditEvent.BindingChange b = e.bindingChange();
          g.writeFieldName(BINDING_CHANGE);
          g.writeStartObject();
          string(g, BINDING, b.binding());
          string(g, ROLE_REF, b.roleRef());
          strings(g, SUBJECTS_ADDED, b.subjectsAdded());
          strings(g, SUBJECTS_REMOVED, b.subjectsRemoved());
          g.writeEndObject();
        }
        g.writeFieldName(SECRET_ACCESS);
        g.writeBoolean(e.secretAccess());
        instant(g, REQUEST_RECEIVED_AT, e.requestReceivedAt());
        instant(g, STAGE_AT, e.stageAt());
        JsonNode raw = e.raw();
        if (raw != null) {
          g.writeFieldName(RAW);
          // the mapper's serialization of the node itself, as the bean serializer called it
          raw.serialize(g, mapper.getSerializerProviderInstance());
        }
        g.writeEndObject();
      }
      byte[] out = bytes.toByteArray();
      bytes.release();
      return out;
    }
  }

  private static SerializableString name(String name) {
    return new SerializedString(name);
  }

  private static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
    if (value != null) {
      g.writeFieldName(name);
      g.writeString(value);
    }
  }

  private static void instant(JsonGenerator g, SerializableString name, Instant value) throws IOException {
    if (value != null) {
      g.writeFieldName(name);
      g.writeString(IsoTimes.instant(value));
    }
  }

  private static void strings(JsonGenerator g, SerializableString name, List<String> values) throws IOException {
    if (values != null) {
      g.writeFieldName(name);
      strings(g, values);
    }
  }

  /** A map entry: left out when null, as the mapper's NON_NULL inclusion does for map values too. */
  private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
    if (values != null) {
      g.writeFieldName(name);
      strings(g, values);
    }
  }

  private static void strings(JsonGenerator g, List<String> values) throws IOException {
    g.writeStartArray();
    for (String v : values) {
      if (v == null) {
        g.writeNull();
      } else {
        g.writeString(v);
      }
    }
    g.writeEndArray();
  }
}
