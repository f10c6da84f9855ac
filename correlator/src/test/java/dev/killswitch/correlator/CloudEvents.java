package dev.killswitch.correlator;

import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Normalized CloudTrail events as ingest's CloudTrailNormalizer publishes them (actor = the calling credential or
 * the web-identity subject; mintedSession/assumedRole for STS AssumeRole*), for focused tests; the scenario library
 * in testkit has the complete stories.
 */
final class CloudEvents {

  static final String ACCOUNT = "111122223333";
  static final String GITHUB = "token.actions.githubusercontent.com";

  private CloudEvents() {}

  static String session(String key) {
    return IdentityRef.awsSession(ACCOUNT, key).toString();
  }

  static String role(String name) {
    return IdentityRef.awsRole(ACCOUNT, name).toString();
  }

  /** A call made with a session of {@code role}, recorded in {@code account} (another account: cross-account). */
  static Envelope<AwsCloudTrailEvent> call(String eventId, String sessionKey, String role, String eventName,
                                           String account, String ip, String errorCode, Instant at) {
    AwsCloudTrailEvent.Identity id = new AwsCloudTrailEvent.Identity("AssumedRole",
        "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + role + "/s", "AROAEXAMPLE:s", ACCOUNT, sessionKey,
        "arn:aws:iam::" + ACCOUNT + ":role/" + role, "Role", role, null, null, null);
    var raw = Json.mapper().createObjectNode();
    raw.putArray("resources").addObject().put("type", "AWS::S3::Bucket").put("ARN", "arn:aws:s3:::bucket-" + account);
    AwsCloudTrailEvent data = new AwsCloudTrailEvent(eventId, eventName, "s3.amazonaws.com", "eu-west-1", account,
        session(sessionKey), id, null, null, null, null, Map.of(), null, ip, "aws-cli/2", errorCode, null, true, raw);
    return envelope(eventId, account, session(sessionKey), data, at);
  }

  /** A session assuming another role (role chaining): mints {@code mintedKey}. */
  static Envelope<AwsCloudTrailEvent> assumeRole(String eventId, String callerKey, String callerRole,
                                                 String mintedKey, String role, String ip, Instant at) {
    AwsCloudTrailEvent.Identity id = new AwsCloudTrailEvent.Identity("AssumedRole",
        "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + callerRole + "/s", "AROAEXAMPLE:s", ACCOUNT, callerKey,
        "arn:aws:iam::" + ACCOUNT + ":role/" + callerRole, "Role", callerRole, null, null, null);
    AwsCloudTrailEvent data = new AwsCloudTrailEvent(eventId, "AssumeRole", "sts.amazonaws.com", "eu-west-1",
        ACCOUNT, session(callerKey), id, session(mintedKey), role(role), "chained", null, Map.of(), null, ip,
        "aws-cli/2", null, null, true, Json.mapper().createObjectNode());
    return envelope(eventId, ACCOUNT, session(callerKey), data, at);
  }

  /** A GitHub Actions job federating into {@code role} (AssumeRoleWithWebIdentity) with that session name. */
  static Envelope<AwsCloudTrailEvent> githubFederation(String eventId, String sub, String sessionName,
                                                       String mintedKey, String role, String ip, Instant at) {
    String provider = "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + GITHUB;
    AwsCloudTrailEvent.Identity id = new AwsCloudTrailEvent.Identity("WebIdentityUser", null,
        provider + ":sts.amazonaws.com:" + sub, null, null, null, null, null, null, provider, null);
    String actor = IdentityRef.oidcSubject(GITHUB, sub).toString();
    AwsCloudTrailEvent data = new AwsCloudTrailEvent(eventId, "AssumeRoleWithWebIdentity", "sts.amazonaws.com",
        "eu-west-1", ACCOUNT, actor, id, session(mintedKey), role(role), sessionName, null, Map.of(), null, ip,
        "aws-sdk-js/3", null, null, true, Json.mapper().createObjectNode());
    return envelope(eventId, ACCOUNT, actor, data, at);
  }

  private static Envelope<AwsCloudTrailEvent> envelope(String id, String account, String key,
                                                       AwsCloudTrailEvent data, Instant at) {
    return new Envelope<>(id, URI.create("aws://" + account + "/eu-west-1"), EventType.AWS_CLOUDTRAIL, key,
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC), key, data);
  }
}
