package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * Data of {@code dev.killswitch.aws.cloudtrail.v1}: one CloudTrail management event, normalized.
 *
 * @param actor the identity reference of the caller: the session (ASIA...) or access key (AKIA...) when known
 * @param mintedSession for STS AssumeRole*: the session the call minted ({@code aws:<account>:session/<ASIA...>})
 * @param assumedRole for STS AssumeRole*: the role assumed
 * @param sessionName for STS AssumeRole*: the session's name ({@code requestParameters.roleSessionName}, else the
 *     last part of the assumed-role ARN {@code arn:aws:sts::<account>:assumed-role/<role>/<session name>})
 * @param roleArn for STS AssumeRole*: the assumed role's ARN, with its path ({@code requestParameters.roleArn})
 * @param roleId for STS AssumeRole*: the role's unique id ({@code AROA...}, the part of
 *     {@code assumedRoleUser.assumedRoleId} before the colon); {@code <roleId>:<session name>} is the session's
 *     {@code aws:userid}
 * @param sessionExpiresAt for STS AssumeRole*: when the minted credentials expire ({@code credentials.expiration})
 * @param iamTarget for IAM changes: the user, role or key changed
 * @param raw the source record with SecretAccessKey and SessionToken values removed
 */
public record AwsCloudTrailEvent(
    String eventId,
    String eventName,
    String eventSource,
    String awsRegion,
    String account,
    String actor,
    Identity identity,
    String mintedSession,
    String assumedRole,
    String sessionName,
    String sourceIdentity,
    Map<String, String> sessionTags,
    String roleArn,
    String roleId,
    Instant sessionExpiresAt,
    String iamTarget,
    String sourceIp,
    String userAgent,
    String errorCode,
    String errorMessage,
    Boolean readOnly,
    JsonNode raw) {

  /** An event that names no assumed role's details (anything but a successful STS AssumeRole*). */
  public AwsCloudTrailEvent(String eventId, String eventName, String eventSource, String awsRegion, String account,
                            String actor, Identity identity, String mintedSession, String assumedRole,
                            String sessionName, String sourceIdentity, Map<String, String> sessionTags,
                            String iamTarget, String sourceIp, String userAgent, String errorCode,
                            String errorMessage, Boolean readOnly, JsonNode raw) {
    this(eventId, eventName, eventSource, awsRegion, account, actor, identity, mintedSession, assumedRole,
        sessionName, sourceIdentity, sessionTags, null, null, null, iamTarget, sourceIp, userAgent, errorCode,
        errorMessage, readOnly, raw);
  }

  /** CloudTrail userIdentity. */
  public record Identity(String type, String arn, String principalId, String accountId, String accessKeyId,
                         String sessionIssuerArn, String sessionIssuerType, String sessionIssuerUserName,
                         String sourceIdentity, String webIdFederationProvider,
                         Map<String, String> webIdFederationAttributes) {}
}
