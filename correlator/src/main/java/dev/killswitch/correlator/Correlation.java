package dev.killswitch.correlator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How the correlator joins events and what its triggers consider (docs/correlation.md explains each join). Every
 * setting has a default ({@link #defaults()}); a null component takes it.
 *
 * @param ciRunExtraKey user.extra key holding the CI run's identity reference; default
 *     {@value #DEFAULT_CI_RUN_KEY} (docs/examples/authentication-config.yaml maps it with CEL)
 * @param ciJobExtraKey user.extra key holding the CI job's identity reference; default {@value #DEFAULT_CI_JOB_KEY}
 * @param rawClaims user.extra keys that hold raw OIDC claims (repository, run id, job id) instead of references;
 *     default none
 * @param clusters OIDC issuer URL ({@code https://oidc.eks.<region>.amazonaws.com/id/<id>}), EKS cluster name or
 *     cluster ARN -> the cluster name Killswitch uses ({@code /v1/ingest/k8s-audit/{cluster}}); default none: IRSA
 *     sessions are then not joined to a cluster, and an EKS cluster name in Pod Identity tags is used as it is
 * @param accountNames AWS account id -> display name (alerts); default none
 * @param projectNames GCP project id -> display name (alerts); default none
 * @param roots identity-reference patterns ({@code *} = any run of characters) that root chains of their own, such
 *     as human users ({@code k8s:prod:user/*@example.com}); default none (CI runs always root chains)
 * @param breakGlass break-glass identities and their time bound (they root chains too); default none
 * @param wifPoolIssuers workload identity pool resource name -> issuer host of its subjects; default none
 *     ({@code repo:...} subjects are taken as GitHub's, {@code project_path:...} as gitlab.com's)
 * @param githubIssuer issuer host of GitHub Actions tokens; default {@code token.actions.githubusercontent.com}
 * @param sessionRunIdPattern where a run id is read from an STS session name or source identity (named group
 *     {@code run}); default: digits alone, or after the word {@code run}
 * @param matchWindow how far from a candidate's activity a window-plus-subject match reaches; default 10 minutes
 * @param weakConfidence the confidence of a window-plus-subject match; default 0.7
 * @param reuseTolerance a use this long after the run completed is not a reuse; default 1 minute
 * @param trustedNetworks CIDRs whose uses are never outside a boundary (pod, node and NAT ranges); default none
 * @param boundaryPrefixV4 same network = same IPv4 prefix of this length; default 24
 * @param boundaryPrefixV6 same network = same IPv6 prefix of this length; default 64
 * @param outsideBoundaryRevokes outside-boundary also requests revocation; default false (alert only)
 * @param revocationPropagation a success this long after the ledger recorded a revocation is not yet
 *     revocation-ineffective; default 1 minute
 * @param clockSkew how far before a candidate's first activity a window-plus-subject match still reaches, for
 *     sources whose clocks differ; default 1 minute (set reuseTolerance at least as high for clocks that far apart)
 * @param snapshotInterval changes to a chain within this interval share one snapshot on killswitch.chains (a
 *     snapshot is written at once when a trigger fires); 0 writes one per change; default 1 second
 * @param earlySendBelow each step sends or decides what it holds once per commit, and also every 25 ms while its
 *     stream thread gets fewer than this many records a second (light load: batching gains nothing there, and
 *     waiting for the commit adds a produce round trip per step to a completion's way to its revocation
 *     request); 0 only at the commit; default 2 000 (about 600 events a second of a CI run's mix)
 */
public record Correlation(String ciRunExtraKey, String ciJobExtraKey, List<RawClaims> rawClaims,
                          Map<String, String> clusters, Map<String, String> accountNames,
                          Map<String, String> projectNames, List<String> roots, List<BreakGlass> breakGlass,
                          Map<String, String> wifPoolIssuers, String githubIssuer, String sessionRunIdPattern,
                          Duration matchWindow, Double weakConfidence, Duration reuseTolerance,
                          List<String> trustedNetworks, Integer boundaryPrefixV4, Integer boundaryPrefixV6,
                          Boolean outsideBoundaryRevokes, Duration revocationPropagation, Duration clockSkew,
                          Duration snapshotInterval, Long earlySendBelow) {

  public static final String DEFAULT_CI_RUN_KEY = "killswitch.dev/ci-run";
  public static final String DEFAULT_CI_JOB_KEY = "killswitch.dev/ci-job";

  /**
   * Raw OIDC claims in user.extra.
   *
   * @param provider {@code github} or {@code gitlab}
   * @param host the GitLab host, e.g. {@code gitlab.com} (ignored for GitHub)
   * @param repositoryKey extra key of {@code owner/repo} (GitHub {@code repository}) or the project path
   *     (GitLab {@code project_path})
   * @param runIdKey extra key of GitHub {@code run_id} or GitLab {@code pipeline_id}
   * @param jobIdKey extra key of the job id (GitLab {@code job_id}), or null
   */
  public record RawClaims(String provider, String host, String repositoryKey, String runIdKey, String jobIdKey) {}

  /**
   * A break-glass identity: a chain rooted at a reference matching {@code pattern} must end within
   * {@code maxDuration} of its first activity, else it is revoked (break-glass-expired).
   *
   * @param override the request carries {@code override: true} (for a revoker that protects break-glass identities)
   */
  public record BreakGlass(String pattern, Duration maxDuration, boolean override) {}

  public Correlation {
    ciRunExtraKey = ciRunExtraKey == null ? DEFAULT_CI_RUN_KEY : ciRunExtraKey;
    ciJobExtraKey = ciJobExtraKey == null ? DEFAULT_CI_JOB_KEY : ciJobExtraKey;
    rawClaims = rawClaims == null ? List.of() : List.copyOf(rawClaims);
    clusters = sorted(clusters);
    accountNames = sorted(accountNames);
    projectNames = sorted(projectNames);
    roots = roots == null ? List.of() : List.copyOf(roots);
    breakGlass = breakGlass == null ? List.of() : List.copyOf(breakGlass);
    wifPoolIssuers = sorted(wifPoolIssuers);
    githubIssuer = githubIssuer == null ? "token.actions.githubusercontent.com" : githubIssuer;
    sessionRunIdPattern = sessionRunIdPattern == null
        ? dev.killswitch.correlator.internal.graph.JoinSettings.DEFAULT_SESSION_RUN_ID : sessionRunIdPattern;
    matchWindow = matchWindow == null ? Duration.ofMinutes(10) : matchWindow;
    weakConfidence = weakConfidence == null ? 0.7 : weakConfidence;
    reuseTolerance = reuseTolerance == null ? Duration.ofMinutes(1) : reuseTolerance;
    trustedNetworks = trustedNetworks == null ? List.of() : List.copyOf(trustedNetworks);
    boundaryPrefixV4 = boundaryPrefixV4 == null ? 24 : boundaryPrefixV4;
    boundaryPrefixV6 = boundaryPrefixV6 == null ? 64 : boundaryPrefixV6;
    outsideBoundaryRevokes = outsideBoundaryRevokes != null && outsideBoundaryRevokes;
    revocationPropagation = revocationPropagation == null ? Duration.ofMinutes(1) : revocationPropagation;
    clockSkew = clockSkew == null ? Duration.ofMinutes(1) : clockSkew;
    snapshotInterval = snapshotInterval == null ? Duration.ofSeconds(1) : snapshotInterval;
    earlySendBelow = earlySendBelow == null ? 2_000L : earlySendBelow;
  }

  public static Correlation defaults() {
    return new Builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.ciRunExtraKey = ciRunExtraKey;
    b.ciJobExtraKey = ciJobExtraKey;
    b.rawClaims = rawClaims;
    b.clusters = clusters;
    b.accountNames = accountNames;
    b.projectNames = projectNames;
    b.roots = roots;
    b.breakGlass = breakGlass;
    b.wifPoolIssuers = wifPoolIssuers;
    b.githubIssuer = githubIssuer;
    b.sessionRunIdPattern = sessionRunIdPattern;
    b.matchWindow = matchWindow;
    b.weakConfidence = weakConfidence;
    b.reuseTolerance = reuseTolerance;
    b.trustedNetworks = trustedNetworks;
    b.boundaryPrefixV4 = boundaryPrefixV4;
    b.boundaryPrefixV6 = boundaryPrefixV6;
    b.outsideBoundaryRevokes = outsideBoundaryRevokes;
    b.revocationPropagation = revocationPropagation;
    b.clockSkew = clockSkew;
    b.snapshotInterval = snapshotInterval;
    b.earlySendBelow = earlySendBelow;
    return b;
  }

  /** Every problem with the settings, for CorrelatorConfig to report together. */
  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (ciRunExtraKey.isBlank() || ciJobExtraKey.isBlank()) {
      p.add("ciRunExtraKey and ciJobExtraKey must not be blank");
    }
    for (RawClaims c : rawClaims) {
      if (!"github".equals(c.provider()) && !"gitlab".equals(c.provider())) {
        p.add("rawClaims provider must be github or gitlab: '" + c.provider() + "'");
      }
      if (c.repositoryKey() == null || c.runIdKey() == null) {
        p.add("rawClaims need repositoryKey and runIdKey");
      }
      if ("gitlab".equals(c.provider()) && (c.host() == null || c.host().isBlank())) {
        p.add("rawClaims for gitlab need the host");
      }
    }
    for (BreakGlass b : breakGlass) {
      if (b.pattern() == null || b.maxDuration() == null || b.maxDuration().isNegative() || b.maxDuration().isZero()) {
        p.add("breakGlass entries need a pattern and a positive maxDuration: " + b);
      }
    }
    try {
      Pattern.compile(sessionRunIdPattern);
    } catch (PatternSyntaxException e) {
      p.add("sessionRunIdPattern is not a regular expression: " + e.getDescription());
    }
    if (matchWindow.isNegative() || reuseTolerance.isNegative() || revocationPropagation.isNegative()
        || snapshotInterval.isNegative() || clockSkew.isNegative()) {
      p.add("matchWindow, reuseTolerance, revocationPropagation, clockSkew and snapshotInterval must not be negative");
    }
    if (earlySendBelow < 0) {
      p.add("earlySendBelow must not be negative: " + earlySendBelow);
    }
    if (!(weakConfidence > 0 && weakConfidence < 1)) {
      p.add("weakConfidence must be between 0 and 1 (exclusive): " + weakConfidence);
    }
    if (boundaryPrefixV4 < 0 || boundaryPrefixV4 > 32 || boundaryPrefixV6 < 0 || boundaryPrefixV6 > 128) {
      p.add("boundaryPrefixV4 must be 0..32 and boundaryPrefixV6 0..128");
    }
    for (String cidr : trustedNetworks) {
      if (!cidr.matches("[0-9A-Fa-f:.]+/\\d{1,3}")) {
        p.add("trustedNetworks must be CIDRs: '" + cidr + "'");
      }
    }
    return p;
  }

  private static <V> Map<String, V> sorted(Map<String, V> m) {
    return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(m));
  }

  /** Changes some settings of a {@link Correlation}; {@code toBuilder()} starts from the current ones. */
  public static final class Builder {
    private String ciRunExtraKey;
    private String ciJobExtraKey;
    private List<RawClaims> rawClaims;
    private Map<String, String> clusters;
    private Map<String, String> accountNames;
    private Map<String, String> projectNames;
    private List<String> roots;
    private List<BreakGlass> breakGlass;
    private Map<String, String> wifPoolIssuers;
    private String githubIssuer;
    private String sessionRunIdPattern;
    private Duration matchWindow;
    private Double weakConfidence;
    private Duration reuseTolerance;
    private List<String> trustedNetworks;
    private Integer boundaryPrefixV4;
    private Integer boundaryPrefixV6;
    private Boolean outsideBoundaryRevokes;
    private Duration revocationPropagation;
    private Duration clockSkew;
    private Duration snapshotInterval;
    private Long earlySendBelow;

    public Builder ciExtraKeys(String run, String job) {
      ciRunExtraKey = Objects.requireNonNull(run, "run");
      ciJobExtraKey = Objects.requireNonNull(job, "job");
      return this;
    }

    public Builder rawClaims(List<RawClaims> v) {
      rawClaims = v;
      return this;
    }

    public Builder clusters(Map<String, String> v) {
      clusters = v;
      return this;
    }

    public Builder accountNames(Map<String, String> v) {
      accountNames = v;
      return this;
    }

    public Builder projectNames(Map<String, String> v) {
      projectNames = v;
      return this;
    }

    public Builder roots(List<String> v) {
      roots = v;
      return this;
    }

    public Builder breakGlass(List<BreakGlass> v) {
      breakGlass = v;
      return this;
    }

    public Builder wifPoolIssuers(Map<String, String> v) {
      wifPoolIssuers = v;
      return this;
    }

    public Builder githubIssuer(String v) {
      githubIssuer = v;
      return this;
    }

    public Builder sessionRunIdPattern(String v) {
      sessionRunIdPattern = v;
      return this;
    }

    public Builder matchWindow(Duration window, double confidence) {
      matchWindow = window;
      weakConfidence = confidence;
      return this;
    }

    public Builder reuseTolerance(Duration v) {
      reuseTolerance = v;
      return this;
    }

    public Builder trustedNetworks(List<String> v) {
      trustedNetworks = v;
      return this;
    }

    public Builder boundaryPrefixes(int v4, int v6) {
      boundaryPrefixV4 = v4;
      boundaryPrefixV6 = v6;
      return this;
    }

    public Builder outsideBoundaryRevokes(boolean v) {
      outsideBoundaryRevokes = v;
      return this;
    }

    public Builder revocationPropagation(Duration v) {
      revocationPropagation = v;
      return this;
    }

    public Builder clockSkew(Duration v) {
      clockSkew = v;
      return this;
    }

    public Builder snapshotInterval(Duration v) {
      snapshotInterval = v;
      return this;
    }

    public Builder earlySendBelow(long recordsPerSecond) {
      earlySendBelow = recordsPerSecond;
      return this;
    }

    public Correlation build() {
      return new Correlation(ciRunExtraKey, ciJobExtraKey, rawClaims, clusters, accountNames, projectNames, roots,
          breakGlass, wifPoolIssuers, githubIssuer, sessionRunIdPattern, matchWindow, weakConfidence,
          reuseTolerance, trustedNetworks, boundaryPrefixV4, boundaryPrefixV6, outsideBoundaryRevokes,
          revocationPropagation, clockSkew, snapshotInterval, earlySendBelow);
    }
  }
}
