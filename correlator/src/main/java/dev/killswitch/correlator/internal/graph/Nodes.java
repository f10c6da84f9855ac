package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.IdentityRef.Kind;

/** How the correlator classifies identity references. */
public final class Nodes {

  private Nodes() {}

  /** Kinds that root a chain by themselves: CI runs and pipelines (other roots are configured patterns). */
  public static boolean isRoot(Kind kind) {
    return kind == Kind.GITHUB_RUN || kind == Kind.GITLAB_PIPELINE || kind == Kind.CDEVENTS_RUN;
  }

  /**
   * True when everything a node does belongs to every chain it is part of. A credential, a run or a pod is specific
   * to its chains; a principal (a user, a service account, a role, an OIDC subject, a federation principal) is
   * shared by many runs, so only the observations attributed to a chain (see {@link EdgeFact#root()}) join that
   * chain.
   */
  public static boolean propagates(Kind kind) {
    return kind.isCredential() || kind.isCi() || kind == Kind.K8S_POD;
  }

  /**
   * Nodes a revocation acts on: credentials, bindings (their subjects are removed) and workload identity federation
   * principals (denied by an IAM deny policy).
   */
  public static boolean isRevocable(Kind kind) {
    return kind.isCredential() || kind == Kind.K8S_BINDING || kind == Kind.GCP_WIF_PRINCIPAL;
  }

  /** The kind as written in answers and snapshots, e.g. {@code k8s-token}. */
  public static String kindName(Kind kind) {
    return kind.wireName();
  }

  /** The kind of a reference; parsed once per reference (a bounded memo: kinds are asked for on every message). */
  public static Kind kindOf(String ref) {
    Kind kind = KINDS.get(ref);
    if (kind == null) {
      kind = IdentityRef.parse(ref).kind();
      if (KINDS.size() > 100_000) {
        KINDS.clear();
      }
      KINDS.put(ref, kind);
    }
    return kind;
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, Kind> KINDS =
      new java.util.concurrent.ConcurrentHashMap<>();
}
