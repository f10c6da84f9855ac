package dev.killswitch.schemas;

import dev.killswitch.schemas.event.Alert;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import dev.killswitch.schemas.event.GcpAuditEvent;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URI;
import java.util.Optional;

/** Every CloudEvent type Killswitch writes, with the record its data binds to and its JSON Schema. */
public enum EventType {
  K8S_AUDIT("k8s.audit", K8sAuditEvent.class),
  CI_RUN("ci.run", CiRunEvent.class),
  CI_JOB("ci.job", CiJobEvent.class),
  AWS_CLOUDTRAIL("aws.cloudtrail", AwsCloudTrailEvent.class),
  GCP_AUDIT("gcp.audit", GcpAuditEvent.class),
  REVOCATION_REQUESTED("revocation.requested", RevocationRequested.class),
  REVOCATION_ACTION("revocation.action", RevocationAction.class),
  REVOCATION_RESULT("revocation.result", RevocationResult.class),
  CHAIN("chain", ChainSnapshot.class),
  ALERT("alert", Alert.class);

  /** Where the schemas are published; the same path under {@code schemas/} on the classpath holds each file. */
  public static final String SCHEMA_BASE = "https://killswitch.dev/schemas/";

  private final String shortName;
  private final Class<?> dataClass;
  /** Built once: every event written asks for it. */
  private final URI dataschema;

  EventType(String shortName, Class<?> dataClass) {
    this.shortName = shortName;
    this.dataClass = dataClass;
    this.dataschema = URI.create(SCHEMA_BASE + shortName + ".v1.json");
  }

  /** e.g. {@code k8s.audit}. */
  public String shortName() {
    return shortName;
  }

  /** The CloudEvents {@code type}: {@code dev.killswitch.<name>.v1}. */
  public String type() {
    return "dev.killswitch." + shortName + ".v1";
  }

  public Class<?> dataClass() {
    return dataClass;
  }

  /** Classpath resource of the JSON Schema, e.g. {@code schemas/k8s.audit.v1.json}. */
  public String schemaResource() {
    return "schemas/" + shortName + ".v1.json";
  }

  /** The CloudEvents {@code dataschema}. */
  public URI dataschema() {
    return dataschema;
  }

  public static Optional<EventType> fromType(String ceType) {
    for (EventType t : values()) {
      if (t.type().equals(ceType)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
