package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Data of {@code dev.killswitch.gcp.audit.v1}: one Cloud Audit Logs entry, normalized.
 *
 * @param actor identity reference of the caller (service account, or a workload identity federation principal)
 * @param delegationChain serviceAccountDelegationInfo, first delegator first, as identity references
 * @param target the identity the call minted, changed or impersonated, when there is one
 */
public record GcpAuditEvent(
    String insertId,
    String project,
    String serviceName,
    String methodName,
    String resourceName,
    String principalEmail,
    String principalSubject,
    String actor,
    List<String> delegationChain,
    String serviceAccountKeyName,
    String target,
    String callerIp,
    String userAgent,
    Integer statusCode,
    String statusMessage,
    JsonNode raw) {}
