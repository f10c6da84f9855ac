package dev.killswitch.cli;

import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.revoker.aws.AwsConfig;
import dev.killswitch.revoker.aws.AwsConfig.AccountAccess;
import dev.killswitch.revoker.gcp.GcpConfig;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code revoker:} and {@code correlator:} sections of the YAML settings: which clusters, AWS accounts and GCP
 * projects the revoker may act on, and its guardrails. Every problem is collected and reported together.
 *
 * <pre>
 * correlator:
 *   trigger-mode: enforce            # mode of trigger requests; default dry-run
 *   clusters: {"https://oidc.eks.eu-west-1.amazonaws.com/id/ABC": prod-eu}
 * revoker:
 *   default-mode: enforce            # mode of POST /v1/revocations that names none
 *   shadow: false
 *   approval-required: [aws.revoke-role-sessions, gcp.disable-service-account]
 *   protected: ["aws:123456789012:role/break-glass"]
 *   kubernetes:
 *     kubeconfig: /etc/killswitch/kubeconfig   # default: KUBECONFIG or ~/.kube/config
 *     clusters: {prod: prod-admin-context}     # cluster name in k8s: references -> kubeconfig context
 *   aws:
 *     region: us-east-1
 *     accounts:
 *       "123456789012": {role-arn: "arn:aws:iam::123456789012:role/killswitch-revoker", external-id: "..."}
 *       "210987654321": direct                 # the process's own credentials
 *     escalate-unbound-sessions: true        # a session that cannot be denied alone: revoke its role's sessions
 *   gcp:
 *     projects: [acme-prod]
 * </pre>
 */
record RevokerSettings(
    Mode defaultMode,
    Boolean shadow,
    Set<String> approvalRequired,
    List<String> protectedIdentities,
    Map<String, String> kubernetesContexts,
    Path kubeconfig,
    AwsConfig aws,
    GcpConfig gcp,
    Mode triggerMode,
    Map<String, String> clusters) {

  static RevokerSettings from(Map<String, Object> yaml) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> revoker = section(yaml, "revoker", problems);
    Map<String, Object> correlator = section(yaml, "correlator", problems);

    Mode defaultMode = mode(revoker.get("default-mode"), "revoker.default-mode", problems);
    Boolean shadow = revoker.containsKey("shadow") ? Boolean.valueOf(String.valueOf(revoker.get("shadow"))) : null;
    Set<String> approval = new LinkedHashSet<>(strings(revoker.get("approval-required"), "revoker.approval-required", problems));
    List<String> protectedIds = strings(revoker.get("protected"), "revoker.protected", problems);

    Map<String, Object> k8s = section(revoker, "kubernetes", problems);
    Map<String, String> contexts = stringMap(k8s.get("clusters"), "revoker.kubernetes.clusters", problems);
    Path kubeconfig = k8s.get("kubeconfig") == null ? null : Path.of(String.valueOf(k8s.get("kubeconfig")));

    AwsConfig aws = aws(section(revoker, "aws", problems), problems);
    Map<String, Object> gcpSection = section(revoker, "gcp", problems);
    List<String> projects = strings(gcpSection.get("projects"), "revoker.gcp.projects", problems);
    GcpConfig gcp = null;
    if (!projects.isEmpty()) {
      gcp = GcpConfig.of(new LinkedHashSet<>(projects));
      if (gcpSection.get("endpoint") != null) {
        gcp = gcp.withEndpoint(String.valueOf(gcpSection.get("endpoint")));
      }
    }

    Mode triggerMode = mode(correlator.get("trigger-mode"), "correlator.trigger-mode", problems);
    Map<String, String> clusters = stringMap(correlator.get("clusters"), "correlator.clusters", problems);
    if (!problems.isEmpty()) {
      throw new Settings.InvalidSettingsException(problems);
    }
    return new RevokerSettings(defaultMode, shadow, approval, protectedIds, contexts, kubeconfig, aws, gcp,
        triggerMode, clusters);
  }

  /** The revoker's configuration: the defaults, with what the file sets. */
  RevokerConfig apply(RevokerConfig config) {
    RevokerConfig c = config;
    if (defaultMode != null) {
      c = c.withDefaultMode(defaultMode);
    }
    if (shadow != null) {
      c = c.withShadow(shadow);
    }
    if (!approvalRequired.isEmpty()) {
      c = c.withApprovalRequired(approvalRequired);
    }
    if (!protectedIdentities.isEmpty()) {
      List<String> all = new ArrayList<>(c.protectedIdentities());
      all.addAll(protectedIdentities);
      c = c.withProtectedIdentities(all);
    }
    if (!kubernetesContexts.isEmpty()) {
      c = c.withKubernetes(kubernetesContexts, kubeconfig);
    }
    return c;
  }

  private static AwsConfig aws(Map<String, Object> section, List<String> problems) {
    Object accounts = section.get("accounts");
    if (accounts == null) {
      return null;
    }
    if (!(accounts instanceof Map<?, ?> map)) {
      problems.add("revoker.aws.accounts must be a mapping of account id to {role-arn, external-id} or 'direct'");
      return null;
    }
    Map<String, AccountAccess> access = new LinkedHashMap<>();
    int before = problems.size();
    for (var e : map.entrySet()) {
      String account = String.valueOf(e.getKey());
      if ("direct".equals(e.getValue())) {
        access.put(account, AccountAccess.direct());
      } else if (e.getValue() instanceof Map<?, ?> m && m.get("role-arn") != null) {
        access.put(account, AccountAccess.assume(String.valueOf(m.get("role-arn")),
            m.get("external-id") == null ? null : String.valueOf(m.get("external-id"))));
      } else {
        problems.add("revoker.aws.accounts." + account + " must be 'direct' or {role-arn: ..., external-id: ...}");
      }
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      AwsConfig config = AwsConfig.of(access);
      if (section.get("iam-endpoint") != null) {
        URI iam = URI.create(String.valueOf(section.get("iam-endpoint")));
        URI sts = section.get("sts-endpoint") == null ? iam : URI.create(String.valueOf(section.get("sts-endpoint")));
        config = config.withEndpoints(iam, sts);
      }
      if (section.get("escalate-unbound-sessions") != null) {
        config = config.withEscalateUnboundSessions(Boolean.parseBoolean(String.valueOf(section.get("escalate-unbound-sessions"))));
      }
      return config;
    } catch (RuntimeException e) {
      problems.add("revoker.aws: " + e.getMessage());
      return null;
    }
  }

  private static Mode mode(Object value, String key, List<String> problems) {
    if (value == null) {
      return null;
    }
    for (Mode m : Mode.values()) {
      if (m.wire().equals(String.valueOf(value))) {
        return m;
      }
    }
    problems.add(key + " must be enforce, dry-run or shadow, got '" + value + "'");
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> parent, String key, List<String> problems) {
    Object v = parent == null ? null : parent.get(key);
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    problems.add(key + " must be a mapping");
    return Map.of();
  }

  private static List<String> strings(Object v, String key, List<String> problems) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof List<?> list) {
      return list.stream().map(String::valueOf).toList();
    }
    problems.add(key + " must be a list");
    return List.of();
  }

  private static Map<String, String> stringMap(Object v, String key, List<String> problems) {
    if (v == null) {
      return Map.of();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, String> out = new LinkedHashMap<>();
      m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
      return out;
    }
    problems.add(key + " must be a mapping");
    return Map.of();
  }
}
