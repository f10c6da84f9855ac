package dev.killswitch.correlator;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.event.RevocationRequested;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of one correlator instance. A null optional setting takes its default; every problem is reported
 * together in one {@link IllegalArgumentException}.
 *
 * @param applicationId Kafka Streams application.id (consumer group, prefix of internal topics); default
 *     {@value #DEFAULT_APPLICATION_ID}
 * @param stateDir where the state stores live (required)
 * @param applicationServer {@code host:port} of this instance's HTTP server, advertised to the other instances
 *     for interactive-query routing; null for a single instance
 * @param jobCompletedGrace how long after a run completes the job-completed trigger waits; default 0 (at once)
 * @param triggerMode the mode of the requests triggers emit; default dry-run
 * @param retention state expires this long after a chain's (or node's) last activity, and redelivered events are
 *     recognised for as long; default 7 days
 * @param access the bearer tokens allowed to query (role analyst) (required)
 */
public record CorrelatorConfig(String applicationId, Path stateDir, String applicationServer,
                               Duration jobCompletedGrace, RevocationRequested.Mode triggerMode, Duration retention,
                               ApiAccess access) {

  public static final String DEFAULT_APPLICATION_ID = "killswitch-correlator";
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  public CorrelatorConfig {
    applicationId = applicationId == null ? DEFAULT_APPLICATION_ID : applicationId;
    jobCompletedGrace = jobCompletedGrace == null ? Duration.ZERO : jobCompletedGrace;
    triggerMode = triggerMode == null ? RevocationRequested.Mode.DRY_RUN : triggerMode;
    retention = retention == null ? DEFAULT_RETENTION : retention;
    List<String> problems = new ArrayList<>();
    if (applicationId.isBlank() || !applicationId.matches("[A-Za-z0-9._-]+")) {
      problems.add("applicationId must be letters, digits, '.', '_' or '-': '" + applicationId + "'");
    }
    if (stateDir == null) {
      problems.add("stateDir is required");
    }
    if (applicationServer != null && !applicationServer.matches("[^:/\\s]+:\\d{1,5}")) {
      problems.add("applicationServer must be host:port: '" + applicationServer + "'");
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
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid correlator configuration: " + String.join("; ", problems));
    }
  }

  /** Every default, with the two settings that have none. */
  public static CorrelatorConfig defaults(Path stateDir, ApiAccess access) {
    return new CorrelatorConfig(null, stateDir, null, null, null, null, access);
  }

  public CorrelatorConfig withApplicationId(String id) {
    return new CorrelatorConfig(id, stateDir, applicationServer, jobCompletedGrace, triggerMode, retention, access);
  }

  public CorrelatorConfig withApplicationServer(String hostPort) {
    return new CorrelatorConfig(applicationId, stateDir, hostPort, jobCompletedGrace, triggerMode, retention, access);
  }

  public CorrelatorConfig withJobCompletedGrace(Duration grace) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, grace, triggerMode, retention, access);
  }

  public CorrelatorConfig withTriggerMode(RevocationRequested.Mode mode) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, jobCompletedGrace, mode, retention, access);
  }

  public CorrelatorConfig withRetention(Duration r) {
    return new CorrelatorConfig(applicationId, stateDir, applicationServer, jobCompletedGrace, triggerMode, r, access);
  }

  @Override
  public String toString() {
    return "CorrelatorConfig[applicationId=" + applicationId + ", stateDir=" + stateDir + ", applicationServer="
        + applicationServer + ", jobCompletedGrace=" + jobCompletedGrace + ", triggerMode=" + triggerMode.wire()
        + ", retention=" + retention + ", access=" + access + "]";
  }
}
