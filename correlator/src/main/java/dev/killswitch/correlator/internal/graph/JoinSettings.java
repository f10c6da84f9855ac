package dev.killswitch.correlator.internal.graph;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the joins need of the configuration (CorrelatorConfig documents each setting and its default).
 *
 * @param ciRunKey user.extra key holding a CI run reference
 * @param ciJobKey user.extra key holding a CI job reference
 * @param rawClaims user.extra keys holding raw OIDC claims, from which run and job references are built
 * @param clusters OIDC issuer URL, EKS cluster name or ARN -> the cluster name Killswitch uses (keys normalized by
 *     {@link #normalizeAlias})
 * @param rootPatterns identity references (with {@code *} for any run of characters) that root chains of their
 *     own: human users, break-glass identities
 * @param githubIssuer the issuer host of GitHub Actions OIDC tokens
 * @param wifPoolIssuers workload identity pool resource name -> the issuer host its subjects come from
 * @param sessionRunId where a CI run id is read from an STS session name or source identity (named group
 *     {@code run})
 * @param window how far from a candidate's activity a window-plus-subject match reaches
 * @param weakConfidence the confidence of a window-plus-subject match
 * @param clockSkew how far before a candidate's first activity a match still reaches (sources' clocks differ)
 */
public record JoinSettings(String ciRunKey, String ciJobKey, List<RawClaim> rawClaims, Map<String, String> clusters,
                           List<String> rootPatterns, String githubIssuer, Map<String, String> wifPoolIssuers,
                           Pattern sessionRunId, Duration window, double weakConfidence, Duration clockSkew) {

  public static final String DEFAULT_CI_RUN_KEY = "killswitch.dev/ci-run";
  public static final String DEFAULT_CI_JOB_KEY = "killswitch.dev/ci-job";
  public static final String GITHUB_ISSUER = "token.actions.githubusercontent.com";
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  public static final double DEFAULT_WEAK_CONFIDENCE = 0.7;
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(Joins.SKEW_SECONDS);
  /**
   * A run id in an STS role session name or source identity: the whole name when it is digits (optionally
   * {@code -<attempt>}), or digits after the word {@code run} (e.g. {@code gha-run-12345678-1}, {@code run_id=123456}).
   */
  public static final String DEFAULT_SESSION_RUN_ID =
      "(?i)^(?:(?<run>\\d{6,})(?:-\\d{1,3})?|.*?run(?:[-_]?id)?[-_=]?(?<run2>\\d{6,})(?:\\D.*)?)$";

  /**
   * Raw claims in user.extra, for setups that map the claims themselves rather than a reference.
   *
   * @param provider {@code github} or {@code gitlab}
   * @param host the GitLab host ({@code gitlab.com}); ignored for GitHub
   * @param repositoryKey extra key of the repository ({@code owner/repo}) or GitLab project path
   * @param runIdKey extra key of the run id (GitHub {@code run_id}, GitLab {@code pipeline_id})
   * @param jobIdKey extra key of the job id, or null
   */
  public record RawClaim(String provider, String host, String repositoryKey, String runIdKey, String jobIdKey) {

    public RawClaim {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(repositoryKey, "repositoryKey");
      Objects.requireNonNull(runIdKey, "runIdKey");
    }
  }

  public JoinSettings {
    rawClaims = rawClaims == null ? List.of() : List.copyOf(rawClaims);
    TreeMap<String, String> c = new TreeMap<>();
    (clusters == null ? Map.<String, String>of() : clusters).forEach((k, v) -> c.put(normalizeAlias(k), v));
    clusters = c;
    rootPatterns = rootPatterns == null ? List.of() : List.copyOf(rootPatterns);
    wifPoolIssuers = wifPoolIssuers == null ? Map.of() : Map.copyOf(wifPoolIssuers);
    clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
  }

  public static JoinSettings defaults() {
    return new JoinSettings(DEFAULT_CI_RUN_KEY, DEFAULT_CI_JOB_KEY, List.of(), Map.of(), List.of(), GITHUB_ISSUER,
        Map.of(), Pattern.compile(DEFAULT_SESSION_RUN_ID), DEFAULT_WINDOW, DEFAULT_WEAK_CONFIDENCE,
        DEFAULT_CLOCK_SKEW);
  }

  /** The cluster an issuer URL, EKS cluster name or ARN stands for, or null when none is configured. */
  public String cluster(String alias) {
    return alias == null ? null : clusters.get(normalizeAlias(alias));
  }

  /** True when the reference is configured to root a chain of its own. */
  public boolean isRoot(String ref) {
    for (String p : rootPatterns) {
      if (Glob.matches(p, ref)) {
        return true;
      }
    }
    return false;
  }

  /** Issuer URLs match with or without scheme and trailing slash, case-insensitively in the host. */
  public static String normalizeAlias(String alias) {
    String a = alias.trim();
    a = a.replaceFirst("^(?i)https://", "");
    while (a.endsWith("/")) {
      a = a.substring(0, a.length() - 1);
    }
    int slash = a.indexOf('/');
    return slash < 0 ? a.toLowerCase(Locale.ROOT) : a.substring(0, slash).toLowerCase(Locale.ROOT) + a.substring(slash);
  }
}
