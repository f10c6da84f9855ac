package dev.killswitch.correlator;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.event.RevocationRequested;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Settings of one correlator instance. A null optional setting takes its default; every problem is reported
 * together in one {@link IllegalArgumentException}.
 *
 * @param applicationId Kafka Streams application.id (consumer group, prefix of internal topics); default
 *     {@value #DEFAULT_APPLICATION_ID}
 * @param stateDir where the state stores live (required)
 * @param applicationServer {@code host:port} of this instance's HTTP server, advertised to the other instances
 *     for interactive-query routing (an IPv6 address in brackets: {@code [fd00::2]:8080}); null for a single
 *     instance
 * @param jobCompletedGrace how long after a run completes the job-completed trigger waits; default 0 (at once)
 * @param triggerMode the mode of the requests triggers emit; default dry-run
 * @param retention state expires this long after a chain's (or node's) last activity, and redelivered events are
 *     recognised for as long; default 7 days
 * @param access the bearer tokens allowed to query (role analyst) (required)
 * @param correlation how events are joined and what the triggers consider; default {@link Correlation#defaults()}
 */
public record CorrelatorConfig(String applicationId, Path stateDir, String applicationServer,
                               Duration jobCompletedGrace, RevocationRequested.Mode triggerMode, Duration retention,
                               ApiAccess access, Correlation correlation) {

  public static final String DEFAULT_APPLICATION_ID = "killswitch-correlator";
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** A host name or IPv4 address, or an IPv6 address (with an optional zone) in brackets; then the port. */
  private static final Pattern HOST_PORT =
      Pattern.compile("([^:/\\s\\[\\]]+|\\[[0-9A-Fa-f:.]+(%[\\w.-]+)?]):\\d{1,5}");

  public CorrelatorConfig {
    applicationId = applicationId == null ? DEFAULT_APPLICATION_ID : applicationId;
    jobCompletedGrace = jobCompletedGrace == null ? Duration.ZERO : jobCompletedGrace;
    triggerMode = triggerMode == null ? RevocationRequested.Mode.DRY_RUN : triggerMode;
    retention = retention == null ? DEFAULT_RETENTION : retention;
    correlation = correlation == null ? Correlation.defaults() : correlation;
    List<String> problems = new ArrayList<>();
    if (applicationId.isBlank() || !applicationId.matches("[A-Za-z0-9._-]+")) {
      problems.add("applicationId must be letters, digits, '.', '_' or '-': '" + applicationId + "'");
    }
    if (stateDir == null) {
      problems.add("stateDir is required");
    }
    if (applicationServer != null && !HOST_PORT.matcher(applicationServer).matches()) {
      problems.add("applicationServer must be host:port, an IPv6 address in brackets ([fd00::2]:8080): '"
          + applicationServer + "'");
    }
    if (jobCompletedGrace.isNegative()) {
      problems.add("jobCompletedGrace must not be negative: " + jobCompletedGrace);
    }
    if (retention.isNegative() || retention.isZero()) {
      problems.add("retention must be positive: " + retention);
    }
    if (access == null) {
      problems.add("access is required");
    }
    problems.addAll(correlation.problems());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid correlator configuration: " + String.join("; ", problems));
    }
  }

  /** The settings of the foundation issue, with every correlation default. */
  public CorrelatorConfig(String applicationId, Path stateDir, String applicationServer, Duration jobCompletedGrace,
                          RevocationRequested.Mode triggerMode, Duration retention, ApiAccess access) {
    this(applicationId, stateDir, applicationServer, jobCompletedGrace, triggerMode, retention, access, null);
  }

  /** Every default, with the two settings that have none. */
  public static CorrelatorConfig defaults(Path stateDir, ApiAccess access) {
    return new CorrelatorConfig(null, stateDir, null, null, null, null, access, null);
  }

  public CorrelatorConfig withApplicationId(String id) {
    return new CorrelatorConfig(id, stateDir, applicationServer, jobCompletedGrace, triggerMode, retention, access,
        correlation);
  }

  public CorrelatorConfig withApplicationServer(String hostPort) {
    return new CorrelatorConfig(applicationId, stateDir, hostPort, jobCompletedGrace, triggerMode, retention, access,
        correlation);
  }

  public CorrelatorConfig withJobCompletedGrace(Duration grace) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, grace, triggerMode, retention, access,
        correlation);
  }

  public CorrelatorConfig withTriggerMode(RevocationRequested.Mode mode) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, jobCompletedGrace, mode, retention, access,
        correlation);
  }

  public CorrelatorConfig withRetention(Duration r) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, jobCompletedGrace, triggerMode, r, access,
        correlation);
  }

  public CorrelatorConfig withCorrelation(Correlation c) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, jobCompletedGrace, triggerMode, retention,
        access, c);
  }

  /** The user.extra keys holding the CI run and job references (default killswitch.dev/ci-run, -/ci-job). */
  public CorrelatorConfig withCiExtraKeys(String runKey, String jobKey) {
    return correlation(b -> b.ciExtraKeys(runKey, jobKey));
  }

  /** user.extra keys holding raw OIDC claims, for setups that do not build references in CEL. */
  public CorrelatorConfig withRawClaims(List<Correlation.RawClaims> claims) {
    return correlation(b -> b.rawClaims(claims));
  }

  /** OIDC issuer URL, EKS cluster name or cluster ARN -> cluster name. */
  public CorrelatorConfig withClusters(Map<String, String> issuerOrEksName) {
    return correlation(b -> b.clusters(issuerOrEksName));
  }

  /** Display names of AWS accounts and GCP projects, for alerts. */
  public CorrelatorConfig withDisplayNames(Map<String, String> accounts, Map<String, String> projects) {
    return correlation(b -> b.accountNames(accounts).projectNames(projects));
  }

  /** Identity-reference patterns that root chains of their own (human users). */
  public CorrelatorConfig withRoots(List<String> patterns) {
    return correlation(b -> b.roots(patterns));
  }

  public CorrelatorConfig withBreakGlass(List<Correlation.BreakGlass> identities) {
    return correlation(b -> b.breakGlass(identities));
  }

  /** The reach and the confidence of window-plus-subject matches (default 10 minutes, 0.7). */
  public CorrelatorConfig withMatchWindow(Duration window, double confidence) {
    return correlation(b -> b.matchWindow(window, confidence));
  }

  public CorrelatorConfig withReuseTolerance(Duration tolerance) {
    return correlation(b -> b.reuseTolerance(tolerance));
  }

  /** The outside-boundary policy: trusted CIDRs, what counts as one network, and whether it revokes. */
  public CorrelatorConfig withBoundary(List<String> trustedNetworks, int prefixV4, int prefixV6, boolean revokes) {
    return correlation(b -> b.trustedNetworks(trustedNetworks).boundaryPrefixes(prefixV4, prefixV6)
        .outsideBoundaryRevokes(revokes));
  }

  public CorrelatorConfig withRevocationPropagation(Duration propagation) {
    return correlation(b -> b.revocationPropagation(propagation));
  }

  /** How far apart the sources' clocks may be for window-plus-subject matches (default 1 minute). */
  public CorrelatorConfig withClockSkew(Duration skew) {
    return correlation(b -> b.clockSkew(skew));
  }

  /** How long changes to a chain are coalesced into one snapshot (default 1 second; 0: one per change). */
  public CorrelatorConfig withSnapshotInterval(Duration interval) {
    return correlation(b -> b.snapshotInterval(interval));
  }

  /**
   * Below how many records a second a stream thread's steps also act every 25 ms, not only at the commit (default
   * 2 000; 0: only at the commit). See {@link Correlation#earlySendBelow()}.
   */
  public CorrelatorConfig withEarlySendBelow(long recordsPerSecond) {
    return correlation(b -> b.earlySendBelow(recordsPerSecond));
  }

  private CorrelatorConfig correlation(UnaryOperator<Correlation.Builder> change) {
    return withCorrelation(change.apply(correlation.toBuilder()).build());
  }

  @Override
  public String toString() {
    return "CorrelatorConfig[applicationId=" + applicationId + ", stateDir=" + stateDir + ", applicationServer="
        + applicationServer + ", jobCompletedGrace=" + jobCompletedGrace + ", triggerMode=" + triggerMode.wire()
        + ", retention=" + retention + ", access=" + access + ", correlation=" + correlation + "]";
  }
}
