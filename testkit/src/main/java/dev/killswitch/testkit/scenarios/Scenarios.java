package dev.killswitch.testkit.scenarios;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The scenario library: access chains the correlator must resolve, each as the normalized events ingest publishes
 * and as the source requests that produce them. {@code main} writes every scenario's requests under a directory
 * (the repository keeps them in {@code examples/scenarios/}) for {@code killswitch replay}.
 */
public final class Scenarios {

  /** When every scenario starts, unless a test picks another time. */
  public static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

  private Scenarios() {}

  /** (a) GitHub run -> TokenRequest -> EKS IRSA -> S3 and Secrets Manager. */
  public static Scenario githubIrsa() {
    return GithubIrsa.scenario(T0);
  }

  /** (b) GitLab job -> kubeconfig user -> RoleBinding change. */
  public static Scenario gitlabRoleBinding() {
    return GitlabRoleBinding.scenario(T0);
  }

  /** (c) GitHub OIDC -> GCP STS ExchangeToken -> GenerateAccessToken -> calls with delegation info. */
  public static Scenario githubGcp() {
    return GithubGcp.scenario(T0);
  }

  /** (d) EKS Pod Identity: AssumeRoleForPodIdentity and session tags. */
  public static Scenario eksPodIdentity() {
    return EksPodIdentity.scenario(T0);
  }

  /** (e) A legacy Secret token read by a CI user and reused later from another IP. */
  public static Scenario legacySecretToken() {
    return LegacySecretToken.scenario(T0);
  }

  public static List<Scenario> all() {
    return List.of(githubIrsa(), gitlabRoleBinding(), githubGcp(), eksPodIdentity(), legacySecretToken());
  }

  /** Writes every scenario under {@code args[0]} (e.g. {@code examples/scenarios}). */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: Scenarios <output directory>");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    for (Scenario s : all()) {
      s.writeTo(dir);
      System.out.println("wrote " + dir.resolve(s.name()));
    }
  }
}
