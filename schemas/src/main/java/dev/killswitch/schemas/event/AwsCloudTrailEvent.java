package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Data of {@code dev.killswitch.aws.cloudtrail.v1}: one CloudTrail management event, normalized.
 *
 * @param actor the identity reference of the caller: the session (ASIA...) or access key (AKIA...) when known
 * @param mintedSession for STS AssumeRole*: the session the call minted ({@code aws:<account>:session/<ASIA...>})
 * @param assumedRole for STS AssumeRole*: the role assumed
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
    String iamTarget,
    String sourceIp,
    String userAgent,
    String errorCode,
    String errorMessage,
    Boolean readOnly,
    JsonNode raw) {

  /** CloudTrail userIdentity. */
  public record Identity(String type, String arn, String principalId, String accountId, String accessKeyId,
                         String sessionIssuerArn, String sessionIssuerType, String sessionIssuerUserName,
                         String sourceIdentity, String webIdFederationProvider,
                         Map<String, String> webIdFederationAttributes) {}
}
