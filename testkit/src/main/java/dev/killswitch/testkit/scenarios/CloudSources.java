package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.GcpAuditEvent;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CloudTrail records and Cloud Audit Logs entries shaped like the published samples (aws-samples EKS Pod Identity
 * records, the EventBridge envelope of the Step Functions guide, Google's workload identity federation audit
 * examples; see /work/shared/fixtures/PROVENANCE.md) and the CloudTrail record / userIdentity and AuditLog reference
 * documentation, and what ingest's normalizers make of them. Secret halves of credentials are placeholders.
 */
final class CloudSources {

  /** Where a session token goes in an STS response; a placeholder, not one (ingest redacts the field anyway). */
  static final String SESSION_TOKEN_PLACEHOLDER = "IQoJb3JpZ2luX2VjEXAMPLEsessionTokenPlaceholderForKillswitchScenarios==";

  /** How CloudTrail writes an STS response's {@code credentials.expiration} (UTC). */
  private static final DateTimeFormatter EXPIRATION = DateTimeFormatter.ofPattern("MMM d, uuuu, h:mm:ss a", Locale.US)
      .withZone(ZoneOffset.UTC);

  /** What ingest reads from a successful AssumeRole* record about the session's role and lifetime. */
  record Assumed(String roleArn, String roleId, Instant expiresAt) {}

  private CloudSources() {}

  /** {@code credentials.expiration} as CloudTrail writes it, e.g. {@code Jun 1, 2025, 11:00:45 AM}. */
  static String expiration(Instant at) {
    return EXPIRATION.format(at);
  }

  /** userIdentity of a call made with temporary credentials of an assumed role. */
  static ObjectNode assumedRoleIdentity(String account, String role, String session, String accessKeyId,
                                        String webIdProvider, Instant sessionCreated) {
    ObjectNode id = Json.mapper().createObjectNode();
    id.put("type", "AssumedRole").put("principalId", "AROAEXAMPLEROLEID" + Math.abs(role.hashCode() % 1000) + ":"
        + session).put("arn", "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session)
        .put("accountId", account).put("accessKeyId", accessKeyId);
    ObjectNode ctx = id.putObject("sessionContext");
    ctx.putObject("sessionIssuer").put("type", "Role").put("principalId", "AROAEXAMPLEROLEID")
        .put("arn", "arn:aws:iam::" + account + ":role/" + role).put("accountId", account).put("userName", role);
    if (webIdProvider != null) {
      ctx.putObject("webIdFederationData").put("federatedProvider", webIdProvider).putObject("attributes");
    }
    ctx.putObject("attributes").put("creationDate", sessionCreated.toString()).put("mfaAuthenticated", "false");
    return id;
  }

  /** The schema's view of {@link #assumedRoleIdentity}. */
  static AwsCloudTrailEvent.Identity assumedRole(String account, String role, String session, String accessKeyId,
                                                 String webIdProvider) {
    return new AwsCloudTrailEvent.Identity("AssumedRole", "arn:aws:sts::" + account + ":assumed-role/" + role + "/"
        + session, "AROAEXAMPLEROLEID" + Math.abs(role.hashCode() % 1000) + ":" + session, account, accessKeyId,
        "arn:aws:iam::" + account + ":role/" + role, "Role", role, null, webIdProvider,
        webIdProvider == null ? null : Map.of());
  }

  /** A CloudTrail record (eventVersion 1.09). */
  static ObjectNode record(String eventId, Instant time, String eventSource, String eventName, String region,
                           String account, String sourceIp, String userAgent, ObjectNode userIdentity,
                           ObjectNode request, ObjectNode response, List<String[]> resources, boolean readOnly,
                           boolean management) {
    ObjectNode r = Json.mapper().createObjectNode();
    r.put("eventVersion", "1.09").set("userIdentity", userIdentity);
    r.put("eventTime", time.toString()).put("eventSource", eventSource).put("eventName", eventName)
        .put("awsRegion", region).put("sourceIPAddress", sourceIp).put("userAgent", userAgent);
    r.set("requestParameters", request);
    if (response == null) {
      r.putNull("responseElements");
    } else {
      r.set("responseElements", response);
    }
    r.put("requestID", "req-" + eventId.substring(0, 8)).put("eventID", eventId).put("readOnly", readOnly);
    if (!resources.isEmpty()) {
      ArrayNode res = r.putArray("resources");
      for (String[] x : resources) {
        ObjectNode o = res.addObject();
        if (x.length > 2) {
          o.put("accountId", x[2]);
        }
        o.put("type", x[0]).put("ARN", x[1]);
      }
    }
    r.put("eventType", "AwsApiCall").put("managementEvent", management).put("recipientAccountId", account)
        .put("eventCategory", management ? "Management" : "Data");
    return r;
  }

  /**
   * The record posted as a CloudTrail log file ({@code {"Records":[...]}}) and its {@code aws.cloudtrail} event;
   * the key is the actor, else what the call minted (as ingest keys it).
   */
  static SourceRecord trail(String file, ObjectNode record, String actor, AwsCloudTrailEvent.Identity identity,
                            String mintedSession, String assumedRole, String sessionName, String sourceIdentity,
                            Map<String, String> sessionTags, String iamTarget) {
    return trail(file, record, actor, identity, mintedSession, assumedRole, sessionName, sourceIdentity, sessionTags,
        null, iamTarget);
  }

  /** {@link #trail} of an AssumeRole* record that minted a session, with its role's ARN and id and its expiry. */
  static SourceRecord trail(String file, ObjectNode record, String actor, AwsCloudTrailEvent.Identity identity,
                            String mintedSession, String assumedRole, String sessionName, String sourceIdentity,
                            Map<String, String> sessionTags, Assumed assumed, String iamTarget) {
    ObjectNode raw = record.deepCopy();
    ObjectNode creds = raw.path("responseElements").isObject()
        ? (ObjectNode) raw.path("responseElements").path("credentials") : null;
    if (creds != null && creds.has("sessionToken")) {
      creds.put("sessionToken", "[REDACTED]");
    }
    String account = record.path("recipientAccountId").asText();
    String region = record.path("awsRegion").asText();
    AwsCloudTrailEvent data = new AwsCloudTrailEvent(record.path("eventID").asText(),
        record.path("eventName").asText(), record.path("eventSource").asText(), region, account, actor, identity,
        mintedSession, assumedRole, sessionName, sourceIdentity, sessionTags,
        assumed == null ? null : assumed.roleArn(), assumed == null ? null : assumed.roleId(),
        assumed == null ? null : assumed.expiresAt(), iamTarget,
        record.path("sourceIPAddress").asText(), record.path("userAgent").asText(), null, null,
        record.path("readOnly").asBoolean(), raw);
    String key = actor != null ? actor : mintedSession != null ? mintedSession : assumedRole;
    Instant time = Instant.parse(record.path("eventTime").asText());
    Envelope<AwsCloudTrailEvent> event = new Envelope<>(record.path("eventID").asText(),
        URI.create("aws://" + account + "/" + region), EventType.AWS_CLOUDTRAIL, key, CiSources.utc(time), key, data);
    ObjectNode body = Json.mapper().createObjectNode();
    body.putArray("Records").add(record);
    return new SourceRecord(file, "/v1/ingest/aws/cloudtrail", Map.of(), body, List.of(event));
  }

  /** A Cloud Audit Logs LogEntry and its {@code gcp.audit} event. */
  static SourceRecord gcp(String file, String insertId, Instant time, String project, String log,
                          ObjectNode protoPayload, ObjectNode resource, String actor, List<String> delegationChain,
                          String target) {
    ObjectNode entry = Json.mapper().createObjectNode();
    entry.put("insertId", insertId).put("logName", "projects/" + project + "/logs/cloudaudit.googleapis.com%2F" + log);
    protoPayload.put("@type", "type.googleapis.com/google.cloud.audit.AuditLog");
    entry.set("protoPayload", protoPayload);
    entry.set("resource", resource);
    entry.put("timestamp", time.toString()).put("severity", "INFO")
        .put("receiveTimestamp", time.plusMillis(412).toString());
    var auth = protoPayload.path("authenticationInfo");
    var meta = protoPayload.path("requestMetadata");
    GcpAuditEvent data = new GcpAuditEvent(insertId, project, protoPayload.path("serviceName").asText(null),
        protoPayload.path("methodName").asText(), protoPayload.path("resourceName").asText(null),
        auth.path("principalEmail").asText(null), auth.path("principalSubject").asText(null), actor,
        delegationChain, null, target, meta.path("callerIp").asText(null),
        meta.path("callerSuppliedUserAgent").asText(null), null, null, entry);
    String key = actor != null ? actor : target;
    Envelope<GcpAuditEvent> event = new Envelope<>(insertId, URI.create("gcp://" + project), EventType.GCP_AUDIT, key,
        CiSources.utc(time), key, data);
    return new SourceRecord(file, "/v1/ingest/gcp/audit", Map.of(), entry, List.of(event));
  }
}
