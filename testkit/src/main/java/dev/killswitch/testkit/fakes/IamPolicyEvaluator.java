package dev.killswitch.testkit.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small evaluator of IAM identity-policy statements (for tests that check what a policy {@link FakeAwsIam} holds
 * would do), for the operators Killswitch's policies use: does a policy
 * deny a request? Follows the IAM rules that matter here: a statement applies when its Action and Resource match
 * and every condition holds; the conditions of a statement are ANDed (every operator, every key of an operator);
 * the values of one key are ORed; condition key names are case-insensitive, values of {@code StringEquals} are not;
 * a key the request lacks makes its condition false; {@code StringLike} takes {@code *} and {@code ?};
 * {@code DateLessThan} compares the request's time with the policy's. An operator it does not know fails the test.
 */
public final class IamPolicyEvaluator {

  /** The request: its action ({@code s3:GetObject}), resource ARN, and global condition keys. */
  public record Request(String action, String resource, Map<String, String> context) {
    public Request {
      Map<String, String> keys = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      keys.putAll(context);
      context = keys;
    }
  }

  private IamPolicyEvaluator() {}

  /** True when a Deny statement of the policy applies to the request. */
  public static boolean denies(String policy, Request request) {
    return matching(policy, request, "Deny");
  }

  public static boolean matching(String policy, Request request, String effect) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode statements = root.path("Statement");
    List<JsonNode> list = new ArrayList<>();
    if (statements.isArray()) {
      statements.forEach(list::add);
    } else {
      list.add(statements);
    }
    for (JsonNode s : list) {
      if (effect.equals(s.path("Effect").asText()) && anyGlob(s.path("Action"), request.action())
          && anyGlob(s.path("Resource"), request.resource()) && conditions(s.path("Condition"), request.context())) {
        return true;
      }
    }
    return false;
  }

  private static boolean conditions(JsonNode condition, Map<String, String> context) {
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        String actual = context.get(key.getKey());
        if (actual == null || !anyValue(op.getKey(), key.getValue(), actual)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean anyValue(String operator, JsonNode values, String actual) {
    for (JsonNode v : values.isArray() ? values : List.of(values)) {
      boolean match = switch (operator) {
        case "StringEquals" -> actual.equals(v.asText());
        case "StringLike" -> glob(v.asText(), actual, false);
        case "DateLessThan" -> Instant.parse(actual).isBefore(Instant.parse(v.asText()));
        default -> throw new IllegalArgumentException("the evaluator does not know the operator " + operator);
      };
      if (match) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyGlob(JsonNode patterns, String value) {
    for (JsonNode p : patterns.isArray() ? patterns : List.of(patterns)) {
      if (glob(p.asText(), value, true)) {
        return true;
      }
    }
    return false;
  }

  /** {@code *} any run, {@code ?} one character; actions match case-insensitively. */
  public static boolean glob(String pattern, String value, boolean ignoreCase) {
    String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    StringBuilder regex = new StringBuilder();
    for (char c : p.toCharArray()) {
      regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
    }
    return v.matches(regex.toString());
  }
}
