package dev.killswitch.revoker.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator;
import dev.killswitch.testkit.fakes.IamPolicyEvaluator.Request;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The policies the AWS providers write are valid IAM policy JSON and deny exactly what they mean to: evaluated with
 * {@link IamPolicyEvaluator} against sample request contexts.
 */
class DenyPoliciesTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:10:00Z");
  static final String ROLE_ID = "AROAEXAMPLEROLEID0001";
  static final String OTHER_ROLE_ID = "AROAEXAMPLEROLEID0002";

  static Request call(String userId, String sourceIdentity, Instant issued) {
    Map<String, String> context = new java.util.HashMap<>();
    context.put("aws:userid", userId);
    if (sourceIdentity != null) {
      context.put("aws:SourceIdentity", sourceIdentity);
    }
    context.put("aws:TokenIssueTime", issued.toString());
    return new Request("s3:GetObject", "arn:aws:s3:::builds/app.tar", context);
  }

  @Test
  void theSessionDenyPolicyDeniesTheTargetedSessionAndNoOtherSessionOfTheRole() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":gha-run-1234", NOW.plus(Duration.ofHours(1)), null);
    String json = policy.json();

    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":gha-run-1234", null, NOW))).isTrue();
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":gha-run-1235", null, NOW))).isFalse();
    assertThat(IamPolicyEvaluator.denies(json, call(OTHER_ROLE_ID + ":gha-run-1234", null, NOW)))
        .as("the same session name under another role").isFalse();
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":GHA-RUN-1234", null, NOW)))
        .as("StringEquals is case-sensitive").isFalse();
  }

  @Test
  void manySessionsShareOneStatementWhoseValueArrayIsOred() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    for (int i = 0; i < 5; i++) {
      policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":run-" + i, NOW.plus(Duration.ofMinutes(30)), null);
    }
    JsonNode doc = parse(policy.json());

    assertThat(doc.path("Statement")).hasSize(1);
    assertThat(doc.path("Statement").get(0).path("Condition").path("StringEquals").path("aws:userid")).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":run-" + i, null, NOW))).isTrue();
    }
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":run-5", null, NOW))).isFalse();
  }

  @Test
  void aSourceIdentityEntryDeniesTheSessionsCarryingItOnly() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    policy.add(SessionDenyPolicy.SOURCE_IDENTITY, "ci:github:acme/app/runs/42", NOW.plus(Duration.ofHours(2)), null);

    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":any", "ci:github:acme/app/runs/42", NOW)))
        .isTrue();
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":any", "ci:github:acme/app/runs/43", NOW)))
        .isFalse();
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":any", null, NOW)))
        .as("a session without a source identity").isFalse();
  }

  @Test
  void theDocumentIsValidIamPolicyJsonWithAlphanumericSids() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":a", NOW.plus(Duration.ofHours(1)), null);
    policy.add(SessionDenyPolicy.SOURCE_IDENTITY, "run-42", NOW.plus(Duration.ofHours(3)), "0123456789abcdef");
    JsonNode doc = parse(policy.json());

    assertThat(doc.path("Version").asText()).isEqualTo("2012-10-17");
    for (JsonNode s : doc.path("Statement")) {
      assertThat(s.path("Sid").asText()).matches("[A-Za-z0-9]+");
      assertThat(s.path("Effect").asText()).isEqualTo("Deny");
      assertThat(s.path("Action").asText()).isEqualTo("*");
      assertThat(s.path("Resource").asText()).isEqualTo("*");
      assertThat(s.path("Condition").path("StringEquals").isObject()).isTrue();
    }
  }

  @Test
  void aHundredSessionsWithTheLongestNamesFitUnderTheInlinePolicyLimit() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    for (int i = 0; i < 100; i++) {
      String name = String.format("%064d", i);   // RoleSessionName is at most 64 characters
      policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":" + name, NOW.plus(Duration.ofMinutes(10 + i)), null);
    }
    String json = policy.json();

    assertThat(SessionDenyPolicy.size(json)).isLessThan(SessionDenyPolicy.LIMIT);
    assertThat(policy.entries()).isEqualTo(100);
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":" + String.format("%064d", 57), null, NOW))).isTrue();
  }

  @Test
  void entriesAreKeptUntilTheHourTheirSessionsHaveSurelyExpiredThenDropped() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    Instant until = policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":old", Instant.parse("2026-03-01T13:05:00Z"), null);
    policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":new", Instant.parse("2026-03-01T20:00:00Z"), null);

    assertThat(until).isEqualTo(Instant.parse("2026-03-01T14:00:00Z"));
    assertThat(policy.dropExpired(Instant.parse("2026-03-01T13:59:59Z"))).isZero();
    assertThat(policy.dropExpired(Instant.parse("2026-03-01T14:00:00Z"))).isEqualTo(1);
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":old", null, NOW))).isFalse();
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":new", null, NOW))).isTrue();
  }

  @Test
  void aLockHasStatementsOfItsOwnSoThatLiftingItKeepsAnotherRequestsDenyOfTheSameSession() {
    SessionDenyPolicy policy = SessionDenyPolicy.empty();
    String session = ROLE_ID + ":shared";
    policy.add(SessionDenyPolicy.USER_ID, session, NOW.plus(Duration.ofHours(1)), null);
    policy.add(SessionDenyPolicy.USER_ID, session, NOW.plus(Duration.ofHours(1)), "aaaaaaaaaaaa1111");
    policy.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":locked", NOW.plus(Duration.ofHours(1)), "aaaaaaaaaaaa1111");

    assertThat(policy.removeLock("aaaaaaaaaaaa1111")).isTrue();
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(session, null, NOW))).isTrue();
    assertThat(IamPolicyEvaluator.denies(policy.json(), call(ROLE_ID + ":locked", null, NOW))).isFalse();
    assertThat(policy.removeLock("aaaaaaaaaaaa1111")).isFalse();
  }

  @Test
  void readsTheUrlEncodedDocumentIamReturnsAndKeepsStatementsItDidNotWrite() {
    String foreign = "{\"Sid\":\"OpsDeny\",\"Effect\":\"Deny\",\"Action\":\"iam:*\",\"Resource\":\"*\"}";
    SessionDenyPolicy written = SessionDenyPolicy.empty();
    written.add(SessionDenyPolicy.USER_ID, ROLE_ID + ":x", NOW.plus(Duration.ofHours(1)), null);
    String withForeign = written.json().replace("]}", "," + foreign + "]}");
    String encoded = URLEncoder.encode(withForeign, StandardCharsets.UTF_8).replace("+", "%20");

    SessionDenyPolicy read = SessionDenyPolicy.parse(encoded);

    assertThat(read.denies(SessionDenyPolicy.USER_ID, ROLE_ID + ":x", NOW)).isTrue();
    assertThat(read.json()).contains("\"Sid\":\"OpsDeny\"");
    assertThatThrownBy(() -> SessionDenyPolicy.parse("{not json")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void revokeOlderSessionsDeniesSessionsIssuedBeforeTheCutoffAndAllowsTheRolesNewSessions() {
    Instant cutoff = Instant.parse("2026-03-01T12:00:00Z");
    String json = RevokeRoleSessionsProvider.document(cutoff);

    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":a", null, cutoff.minusSeconds(1)))).isTrue();
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":b", null, cutoff.minus(Duration.ofHours(11))))).isTrue();
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":a", null, cutoff))).as("DateLessThan is strict").isFalse();
    assertThat(IamPolicyEvaluator.denies(json, call(ROLE_ID + ":new", null, cutoff.plusSeconds(60)))).isFalse();
    assertThat(parse(json).path("Statement").get(0).path("Condition").path("DateLessThan").path("aws:TokenIssueTime")
        .asText()).isEqualTo("2026-03-01T12:00:00Z");
  }

  @Test
  void theEvaluatorFollowsIamSemanticsForStringLikeAndMissingKeys() {
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\","
        + "\"Resource\":\"*\",\"Condition\":{\"StringLike\":{\"aws:userid\":[\"" + ROLE_ID + ":gha-*\",\"AIDA?\"]}}}]}";

    assertThat(IamPolicyEvaluator.denies(policy, call(ROLE_ID + ":gha-run-9", null, NOW))).isTrue();
    assertThat(IamPolicyEvaluator.denies(policy, call("AIDAX", null, NOW))).isTrue();
    assertThat(IamPolicyEvaluator.denies(policy, call("AIDAXY", null, NOW))).isFalse();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("s3:GetObject", "*", Map.of()))).as("key missing").isFalse();
    assertThat(IamPolicyEvaluator.denies(policy, new Request("ec2:RunInstances", "*",
        Map.of("aws:userid", ROLE_ID + ":gha-1")))).as("another action").isFalse();
  }

  private static JsonNode parse(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
