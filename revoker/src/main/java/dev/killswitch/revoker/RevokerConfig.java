package dev.killswitch.revoker;

import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the revoker. Every problem is collected and reported together when the record is built.
 *
 * @param groupIdPrefix consumer groups are {@code <prefix>-planner} and {@code <prefix>-executor}
 * @param access bearer tokens of the HTTP API
 * @param maxActionsPerRequest blast-radius budget of one request
 * @param protectedIdentities identity references (or patterns with {@code *}) protected in addition to
 *     {@link Guardrails#DEFAULT_PROTECTED}: break-glass AWS roles, GCP service accounts, ...
 * @param defaultMode mode of a {@code POST /v1/revocations} that names none
 */
public record RevokerConfig(String groupIdPrefix, ApiAccess access, int maxActionsPerRequest,
                            List<String> protectedIdentities, Mode defaultMode) {

  public static final String DEFAULT_GROUP_ID_PREFIX = "killswitch-revoker";
  private static final List<String> KNOWN_PREFIXES = List.of("k8s:", "aws:", "gcp:", "ci:", "oidc:");

  public RevokerConfig {
    protectedIdentities = protectedIdentities == null ? List.of() : List.copyOf(protectedIdentities);
    List<String> problems = new ArrayList<>();
    if (groupIdPrefix == null || groupIdPrefix.isBlank()) {
      problems.add("groupIdPrefix must not be blank");
    }
    if (access == null) {
      problems.add("access (the API tokens) is required");
    }
    if (maxActionsPerRequest < 1) {
      problems.add("maxActionsPerRequest must be at least 1, got " + maxActionsPerRequest);
    }
    if (defaultMode == null) {
      problems.add("defaultMode is required (enforce, dry-run or shadow)");
    }
    for (String pattern : protectedIdentities) {
      checkPattern(pattern, problems);
    }
    if (!problems.isEmpty()) {
      throw RevokerException.invalidConfig(problems);
    }
  }

  /** Default group prefix, budget 500, the default protected identities only, requests enforce by default. */
  public static RevokerConfig defaults(ApiAccess access) {
    return new RevokerConfig(DEFAULT_GROUP_ID_PREFIX, access, Guardrails.DEFAULT_MAX_ACTIONS_PER_REQUEST,
        List.of(), Mode.ENFORCE);
  }

  public RevokerConfig withProtectedIdentities(List<String> patterns) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, patterns, defaultMode);
  }

  public RevokerConfig withGroupIdPrefix(String prefix) {
    return new RevokerConfig(prefix, access, maxActionsPerRequest, protectedIdentities, defaultMode);
  }

  public RevokerConfig withMaxActionsPerRequest(int max) {
    return new RevokerConfig(groupIdPrefix, access, max, protectedIdentities, defaultMode);
  }

  public RevokerConfig withDefaultMode(Mode mode) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, mode);
  }

  public String plannerGroupId() {
    return groupIdPrefix + "-planner";
  }

  public String executorGroupId() {
    return groupIdPrefix + "-executor";
  }

  /** The guardrails the planner applies: the default protected identities plus the configured ones. */
  public Guardrails guardrails() {
    return Guardrails.withDefaults(protectedIdentities, maxActionsPerRequest);
  }

  private static void checkPattern(String pattern, List<String> problems) {
    if (pattern == null || pattern.isBlank()) {
      problems.add("a protected identity must not be blank");
      return;
    }
    if (pattern.chars().anyMatch(Character::isWhitespace)) {
      problems.add("protected identity '" + pattern + "' contains white space");
    } else if (KNOWN_PREFIXES.stream().noneMatch(pattern::startsWith)) {
      problems.add("protected identity '" + pattern + "' must start with one of " + KNOWN_PREFIXES);
    } else if (pattern.indexOf('*') < 0) {
      try {
        IdentityRef.parse(pattern);
      } catch (InvalidIdentityRefException e) {
        problems.add("protected identity: " + e.getMessage());
      }
    }
  }
}
