package dev.killswitch.schemas;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One node of the access graph, named by the identity-reference grammar of DESIGN.md.
 *
 * <p>Joins across sources depend on every module spelling a reference alike, so references are only
 * built with the factories here and only read with {@link #parse(String)}. The canonical string is
 * {@link #toString()}; {@code parse(ref.toString()).equals(ref)} holds for every reference.
 *
 * <p>A reference has a {@link Kind}, a {@link #scope()} (cluster, AWS account, GCP project, CI host
 * or repository, OIDC issuer host) and the kind's remaining parts. Source values are kept as they are;
 * the one escape is {@code %2F} for a {@code /} inside a CDEvents subject id and {@code %25} for a
 * literal {@code %} there, because the grammar separates source and subject id with the last slash.
 */
public record IdentityRef(Kind kind, String scope, List<String> parts) {

  /** Every kind of node, with the literal that introduces it and the names of its parts. */
  public enum Kind {
    GITHUB_RUN("ci:github:", "runs", "owner/repo", "runId"),
    GITHUB_JOB("ci:github:", "jobs", "owner/repo", "jobId"),
    GITLAB_PIPELINE("ci:gitlab:", "pipelines", "host/project", "pipelineId"),
    GITLAB_JOB("ci:gitlab:", "jobs", "host/project", "jobId"),
    CDEVENTS_RUN("ci:cdevents:", null, "source", "subjectId"),
    OIDC_SUBJECT("oidc:", null, "issuerHost", "sub"),
    K8S_USER("k8s:", "user", "cluster", "username"),
    K8S_SERVICE_ACCOUNT("k8s:", "sa", "cluster", "namespace", "name"),
    K8S_TOKEN("k8s:", "token", "cluster", "jti"),
    K8S_SECRET_TOKEN("k8s:", "secret-token", "cluster", "namespace", "secret"),
    K8S_POD("k8s:", "pod", "cluster", "namespace", "name"),
    K8S_BINDING("k8s:", "binding", "cluster", "namespace", "name"),
    AWS_ROLE("aws:", "role", "account", "name"),
    AWS_USER("aws:", "user", "account", "name"),
    AWS_ACCESS_KEY("aws:", "access-key", "account", "accessKeyId"),
    AWS_SESSION("aws:", "session", "account", "accessKeyId"),
    GCP_SERVICE_ACCOUNT("gcp:", "sa", "project", "email"),
    GCP_SA_KEY("gcp:", "sa-key", "project", "email", "keyId"),
    GCP_WIF_PRINCIPAL("gcp:wif/", null, "pool", "subject");

    private final String prefix;
    private final String word;
    private final List<String> partNames;

    Kind(String prefix, String word, String scopeName, String... partNames) {
      this.prefix = prefix;
      this.word = word;
      this.partNames = List.copyOf(Arrays.asList(partNames));
    }

    /** The literal the reference starts with, e.g. {@code k8s:}. */
    public String prefix() {
      return prefix;
    }

    /** The fixed word naming the kind inside the reference (e.g. {@code token}), or null where there is none. */
    public String word() {
      return word;
    }

    /** Names of the parts after the scope, in order. */
    public List<String> partNames() {
      return partNames;
    }

    /** The kind as JSON answers and chain snapshots spell it: lower case with hyphens, e.g. {@code k8s-token}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The kind of a {@link #wireName()}; empty for an unknown name. */
    public static java.util.Optional<Kind> fromWireName(String wire) {
      for (Kind k : values()) {
        if (k.wireName().equals(wire)) {
          return java.util.Optional.of(k);
        }
      }
      return java.util.Optional.empty();
    }

    /** True for kinds whose revocation ends access: tokens, keys, sessions (not principals). */
    public boolean isCredential() {
      return switch (this) {
        case K8S_TOKEN, K8S_SECRET_TOKEN, AWS_ACCESS_KEY, AWS_SESSION, GCP_SA_KEY -> true;
        default -> false;
      };
    }

    /** True for CI runs, jobs and pipelines. */
    public boolean isCi() {
      return prefix.startsWith("ci:");
    }
  }

  public IdentityRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(scope, "scope");
    parts = List.copyOf(parts);
    if (parts.size() != kind.partNames.size()) {
      throw InvalidIdentityRefException.of(kind + " takes " + kind.partNames + " but got " + parts, String.valueOf(parts));
    }
    requireValue(scope, kind, "scope");
    for (int i = 0; i < parts.size(); i++) {
      requireValue(parts.get(i), kind, kind.partNames.get(i));
    }
    IdentityRefGrammar.checkScope(kind, scope);
    IdentityRefGrammar.checkParts(kind, parts);
  }

  private static void requireValue(String value, Kind kind, String name) {
    if (value == null || value.isEmpty()) {
      throw InvalidIdentityRefException.of(kind + ": " + name + " is empty", String.valueOf(value));
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i)) || Character.isWhitespace(value.charAt(i))) {
        throw InvalidIdentityRefException.of(kind + ": " + name + " contains white space or a control character", value);
      }
    }
  }

  /** Parses a canonical reference; throws {@link InvalidIdentityRefException} naming the problem. */
  public static IdentityRef parse(String text) {
    return IdentityRefGrammar.parse(text);
  }

  /** The part named {@code name} (see {@link Kind#partNames()}). */
  public String part(String name) {
    int i = kind.partNames.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(kind + " has no part " + name);
    }
    return parts.get(i);
  }

  /** The last part: the id, name or subject that identifies the node within its scope. */
  public String leaf() {
    return parts.get(parts.size() - 1);
  }

  @Override
  public String toString() {
    return IdentityRefGrammar.format(this);
  }

  // ---- factories: the only way modules build references ----

  public static IdentityRef githubRun(String ownerRepo, String runId) {
    return new IdentityRef(Kind.GITHUB_RUN, ownerRepo, List.of(runId));
  }

  public static IdentityRef githubJob(String ownerRepo, String jobId) {
    return new IdentityRef(Kind.GITHUB_JOB, ownerRepo, List.of(jobId));
  }

  public static IdentityRef gitlabPipeline(String hostAndProjectPath, String pipelineId) {
    return new IdentityRef(Kind.GITLAB_PIPELINE, hostAndProjectPath, List.of(pipelineId));
  }

  public static IdentityRef gitlabJob(String hostAndProjectPath, String jobId) {
    return new IdentityRef(Kind.GITLAB_JOB, hostAndProjectPath, List.of(jobId));
  }

  public static IdentityRef cdeventsRun(String source, String subjectId) {
    return new IdentityRef(Kind.CDEVENTS_RUN, source, List.of(subjectId));
  }

  public static IdentityRef oidcSubject(String issuerHost, String sub) {
    return new IdentityRef(Kind.OIDC_SUBJECT, issuerHost, List.of(sub));
  }

  public static IdentityRef k8sUser(String cluster, String username) {
    return new IdentityRef(Kind.K8S_USER, cluster, List.of(username));
  }

  public static IdentityRef k8sServiceAccount(String cluster, String namespace, String name) {
    return new IdentityRef(Kind.K8S_SERVICE_ACCOUNT, cluster, List.of(namespace, name));
  }

  public static IdentityRef k8sToken(String cluster, String jti) {
    return new IdentityRef(Kind.K8S_TOKEN, cluster, List.of(jti));
  }

  public static IdentityRef k8sSecretToken(String cluster, String namespace, String secret) {
    return new IdentityRef(Kind.K8S_SECRET_TOKEN, cluster, List.of(namespace, secret));
  }

  public static IdentityRef k8sPod(String cluster, String namespace, String name) {
    return new IdentityRef(Kind.K8S_POD, cluster, List.of(namespace, name));
  }

  /** A RoleBinding (namespace given) or ClusterRoleBinding (namespace null: {@code _cluster}). */
  public static IdentityRef k8sBinding(String cluster, String namespaceOrNull, String name) {
    return new IdentityRef(Kind.K8S_BINDING, cluster,
        List.of(namespaceOrNull == null ? IdentityRefGrammar.CLUSTER_SCOPE : namespaceOrNull, name));
  }

  public static IdentityRef awsRole(String account, String name) {
    return new IdentityRef(Kind.AWS_ROLE, account, List.of(name));
  }

  public static IdentityRef awsUser(String account, String name) {
    return new IdentityRef(Kind.AWS_USER, account, List.of(name));
  }

  public static IdentityRef awsAccessKey(String account, String accessKeyId) {
    return new IdentityRef(Kind.AWS_ACCESS_KEY, account, List.of(accessKeyId));
  }

  public static IdentityRef awsSession(String account, String accessKeyId) {
    return new IdentityRef(Kind.AWS_SESSION, account, List.of(accessKeyId));
  }

  public static IdentityRef gcpServiceAccount(String project, String email) {
    return new IdentityRef(Kind.GCP_SERVICE_ACCOUNT, project, List.of(email));
  }

  public static IdentityRef gcpServiceAccountKey(String project, String email, String keyId) {
    return new IdentityRef(Kind.GCP_SA_KEY, project, List.of(email, keyId));
  }

  public static IdentityRef gcpWifPrincipal(String poolResourceName, String subject) {
    return new IdentityRef(Kind.GCP_WIF_PRINCIPAL, poolResourceName, List.of(subject));
  }
}
