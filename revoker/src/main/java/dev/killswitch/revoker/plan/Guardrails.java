package dev.killswitch.revoker.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the planner must not do on its own: act on a protected identity, or plan more than a budget of actions
 * for one request.
 *
 * <p>A protected pattern is an identity reference in which {@code *} stands for any run of characters
 * (e.g. {@code k8s:*:sa/kube-system/*}). The defaults are issue 5's: kube-system controllers, system:masters
 * and system:nodes. Identity references carry no group membership, so the two groups are covered by the
 * identities that hold them by convention (see {@link #DEFAULT_PROTECTED}). The guardrails that need state or
 * the live object live elsewhere: the per-minute budget in the planner stage (handed to
 * {@link Planner#plan(dev.killswitch.schemas.event.RevocationRequested, ChainGraph, Guardrails, java.time.Instant,
 * int)}), the {@code killswitch.dev/protected=true} label in the Kubernetes providers' preflight, approval of broad
 * actions in the planner stage and the approve endpoint.
 *
 * @param protectedPatterns identities never acted on without {@code override}
 * @param maxActionsPerRequest the blast-radius budget of one request; actions beyond it are skipped
 */
public record Guardrails(List<String> protectedPatterns, int maxActionsPerRequest) {

  /** The default protected identities. */
  public static final List<String> DEFAULT_PROTECTED = List.of(
      // kube-system controllers: the controller manager runs each controller as a kube-system service account
      // (--use-service-account-credentials); that namespace also holds the cluster's add-ons.
      "k8s:*:sa/kube-system/*",
      "k8s:*:user/system:serviceaccount:kube-system:*",
      // the control plane's own users: system:kube-controller-manager, system:kube-scheduler, system:kube-proxy
      "k8s:*:user/system:kube-*",
      // system:nodes: every kubelet authenticates as system:node:<node name> in that group
      "k8s:*:user/system:node:*",
      // system:masters: kubeadm's admin identities, and the bindings through which the built-in groups get
      // their access. (Members of system:masters bypass every authorizer, the webhook included.)
      "k8s:*:user/kubernetes-admin",
      "k8s:*:user/kubernetes-super-admin",
      "k8s:*:binding/_cluster/cluster-admin",
      "k8s:*:binding/_cluster/system:*",
      "k8s:*:binding/kube-system/*");

  public static final int DEFAULT_MAX_ACTIONS_PER_REQUEST = 500;

  public Guardrails {
    protectedPatterns = List.copyOf(protectedPatterns);
    if (maxActionsPerRequest < 1) {
      throw new IllegalArgumentException("maxActionsPerRequest must be at least 1, got " + maxActionsPerRequest);
    }
  }

  /** The defaults, and the budget of 500 actions per request. */
  public static Guardrails defaults() {
    return new Guardrails(DEFAULT_PROTECTED, DEFAULT_MAX_ACTIONS_PER_REQUEST);
  }

  /** The defaults plus the given patterns (configured break-glass roles, service accounts, ...). */
  public static Guardrails withDefaults(List<String> extraProtected, int maxActionsPerRequest) {
    List<String> all = new ArrayList<>(DEFAULT_PROTECTED);
    extraProtected.stream().filter(p -> !all.contains(p)).forEach(all::add);
    return new Guardrails(all, maxActionsPerRequest);
  }

  /** The first pattern that matches the reference, if any. */
  public Optional<String> protectingPattern(String ref) {
    for (String pattern : protectedPatterns) {
      if (matches(pattern, ref)) {
        return Optional.of(pattern);
      }
    }
    return Optional.empty();
  }

  /** True when the glob pattern ({@code *} = any run of characters, nothing else special) matches the whole ref. */
  public static boolean matches(String pattern, String ref) {
    String[] pieces = pattern.split("\\*", -1);
    if (pieces.length == 1) {
      return pattern.equals(ref);
    }
    String first = pieces[0];
    String last = pieces[pieces.length - 1];
    if (!ref.startsWith(first) || !ref.endsWith(last) || ref.length() < first.length() + last.length()) {
      return false;
    }
    int at = first.length();
    int end = ref.length() - last.length();
    for (int i = 1; i < pieces.length - 1; i++) {
      int found = ref.indexOf(pieces[i], at);
      if (found < 0 || found + pieces[i].length() > end) {
        return false;
      }
      at = found + pieces[i].length();
    }
    return true;
  }
}
