package dev.killswitch.revoker;

import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Settings of the revoker. Every problem is collected and reported together when the record is built.
 *
 * @param groupIdPrefix consumer groups are {@code <prefix>-planner} and {@code <prefix>-executor}
 * @param access bearer tokens of the HTTP API
 * @param maxActionsPerRequest blast-radius budget of one request
 * @param protectedIdentities identity references (or patterns with {@code *}) protected in addition to
 *     {@link Guardrails#DEFAULT_PROTECTED}: break-glass AWS roles, GCP service accounts, ...
 * @param defaultMode mode of a {@code POST /v1/revocations} that names none
 * @param maxActionsPerMinute blast-radius budget of one planner instance over any 60 seconds
 * @param shadow plan and record every request, never call a provider, whatever the request's mode
 * @param approvalRequired broad actions ({@link Actions#BROAD}) held as {@code pending} "awaiting approval" until
 *     {@code POST /v1/revocations/{id}/approve}
 * @param retry backoff of retriable provider failures
 * @param executorThreads provider calls running at once in this instance
 * @param webhookWhenBehind the authorization webhook's answer while its denylist view is not caught up
 * @param kubernetesContexts kubeconfig context of each cluster name (the {@code <cluster>} of {@code k8s:} refs)
 * @param kubeconfig the kubeconfig file holding those contexts; null: {@code KUBECONFIG} or {@code ~/.kube/config}
 */
public record RevokerConfig(String groupIdPrefix, ApiAccess access, int maxActionsPerRequest,
                            List<String> protectedIdentities, Mode defaultMode, int maxActionsPerMinute,
                            boolean shadow, Set<String> approvalRequired, RetryPolicy retry, int executorThreads,
                            WebhookFallback webhookWhenBehind, Map<String, String> kubernetesContexts,
                            Path kubeconfig) {

  public static final String DEFAULT_GROUP_ID_PREFIX = "killswitch-revoker";
  public static final int DEFAULT_MAX_ACTIONS_PER_MINUTE = 2000;
  public static final int DEFAULT_EXECUTOR_THREADS = 8;
  private static final List<String> KNOWN_PREFIXES = List.of("k8s:", "aws:", "gcp:", "ci:", "oidc:");

  /**
   * What the webhook answers while the denylist view has not read the topic up to where it stood when the
   * question came (at start, or when Kafka is unreachable): it cannot know whether the token was revoked.
   */
  public enum WebhookFallback {
    /** Fail open: no opinion, RBAC decides; a revoked token may work until the view catches up. */
    NO_OPINION,
    /** Fail closed: deny every request that carries a credential id; nothing revoked slips through. */
    DENY
  }

  public RevokerConfig {
    protectedIdentities = protectedIdentities == null ? List.of() : List.copyOf(protectedIdentities);
    approvalRequired = approvalRequired == null ? Set.of() : Set.copyOf(new TreeSet<>(approvalRequired));
    kubernetesContexts = kubernetesContexts == null ? Map.of() : Map.copyOf(new TreeMap<>(kubernetesContexts));
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
    if (maxActionsPerMinute < 1) {
      problems.add("maxActionsPerMinute must be at least 1, got " + maxActionsPerMinute);
    }
    if (defaultMode == null) {
      problems.add("defaultMode is required (enforce, dry-run or shadow)");
    }
    for (String pattern : protectedIdentities) {
      checkPattern(pattern, problems);
    }
    for (String action : approvalRequired) {
      if (!Actions.BROAD.contains(action)) {
        problems.add("approvalRequired: '" + action + "' is not a broad action; expected some of "
            + new TreeSet<>(Actions.BROAD));
      }
    }
    if (retry == null) {
      problems.add("retry is required");
    }
    if (executorThreads < 1) {
      problems.add("executorThreads must be at least 1, got " + executorThreads);
    }
    if (webhookWhenBehind == null) {
      problems.add("webhookWhenBehind is required (NO_OPINION or DENY)");
    }
    kubernetesContexts.forEach((cluster, context) -> {
      if (!cluster.matches("[A-Za-z0-9._-]+")) {
        problems.add("kubernetesContexts: cluster name '" + cluster + "' must be letters, digits, '.', '_' or '-'");
      }
      if (context == null || context.isBlank()) {
        problems.add("kubernetesContexts: cluster '" + cluster + "' needs a context name");
      }
    });
    if (!problems.isEmpty()) {
      throw RevokerException.invalidConfig(problems);
    }
  }

  /** The settings of issue 5's first cut; everything else at its default. */
  public RevokerConfig(String groupIdPrefix, ApiAccess access, int maxActionsPerRequest,
                       List<String> protectedIdentities, Mode defaultMode) {
    this(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        DEFAULT_MAX_ACTIONS_PER_MINUTE, false, Set.of(), RetryPolicy.DEFAULT, DEFAULT_EXECUTOR_THREADS,
        WebhookFallback.NO_OPINION, Map.of(), null);
  }

  /**
   * Default group prefix, budgets of 500 actions per request and 2000 per minute, the default protected
   * identities only, requests enforce by default, no approval, {@link RetryPolicy#DEFAULT}, 8 executor threads,
   * the webhook fails open, no Kubernetes cluster.
   */
  public static RevokerConfig defaults(ApiAccess access) {
    return new RevokerConfig(DEFAULT_GROUP_ID_PREFIX, access, Guardrails.DEFAULT_MAX_ACTIONS_PER_REQUEST,
        List.of(), Mode.ENFORCE);
  }

  public RevokerConfig withProtectedIdentities(List<String> patterns) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, patterns, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind,
        kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withGroupIdPrefix(String prefix) {
    return new RevokerConfig(prefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind,
        kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withMaxActionsPerRequest(int max) {
    return new RevokerConfig(groupIdPrefix, access, max, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind,
        kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withDefaultMode(Mode mode) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, mode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind,
        kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withMaxActionsPerMinute(int max) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        max, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind, kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withShadow(boolean on) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, on, approvalRequired, retry, executorThreads, webhookWhenBehind, kubernetesContexts,
        kubeconfig);
  }

  public RevokerConfig withApprovalRequired(Set<String> actions) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, actions, retry, executorThreads, webhookWhenBehind, kubernetesContexts,
        kubeconfig);
  }

  public RevokerConfig withRetry(RetryPolicy policy) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, policy, executorThreads, webhookWhenBehind,
        kubernetesContexts, kubeconfig);
  }

  public RevokerConfig withExecutorThreads(int threads) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, threads, webhookWhenBehind, kubernetesContexts,
        kubeconfig);
  }

  public RevokerConfig withWebhookWhenBehind(WebhookFallback fallback) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, fallback, kubernetesContexts,
        kubeconfig);
  }

  public RevokerConfig withKubernetes(Map<String, String> contextsByCluster, Path kubeconfigFile) {
    return new RevokerConfig(groupIdPrefix, access, maxActionsPerRequest, protectedIdentities, defaultMode,
        maxActionsPerMinute, shadow, approvalRequired, retry, executorThreads, webhookWhenBehind,
        contextsByCluster, kubeconfigFile);
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
