package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the triggers need of the configuration (CorrelatorConfig documents each setting and its default).
 *
 * @param jobCompletedGrace wait after a run completes before job-completed fires
 * @param mode the mode of every request a trigger emits
 * @param reuseTolerance a use this long after the run completed is still part of the run (in-flight calls, clocks)
 * @param trustedNetworks CIDRs from which a use never counts as outside its boundary (pod and node ranges, NAT)
 * @param prefixV4 an IPv4 use is in the network it was minted from when they share this prefix
 * @param prefixV6 likewise for IPv6
 * @param outsideBoundaryRevokes whether outside-boundary requests revocation besides alerting
 * @param breakGlass break-glass identities and the time their grant may last
 * @param revocationPropagation a success this long after a revocation was recorded is still propagation
 * @param accountNames AWS account id -> display name, for alerts
 * @param projectNames GCP project id -> display name, for alerts
 */
public record TriggerSettings(Duration jobCompletedGrace, Mode mode, Duration reuseTolerance,
                              List<String> trustedNetworks, int prefixV4, int prefixV6, boolean outsideBoundaryRevokes,
                              List<BreakGlass> breakGlass, Duration revocationPropagation,
                              Map<String, String> accountNames, Map<String, String> projectNames) {

  public static final Duration DEFAULT_REUSE_TOLERANCE = Duration.ofMinutes(1);
  public static final Duration DEFAULT_REVOCATION_PROPAGATION = Duration.ofMinutes(1);
  public static final int DEFAULT_PREFIX_V4 = 24;
  public static final int DEFAULT_PREFIX_V6 = 64;

  /**
   * A break-glass identity: chains rooted at references matching {@code pattern} ({@code *} = any run of
   * characters) must end within {@code maxDuration} of their first activity.
   *
   * @param override whether the request carries {@code override: true}, for a revoker that protects break-glass
   *     identities (without it such a request is recorded skipped)
   */
  public record BreakGlass(String pattern, Duration maxDuration, boolean override) {

    public BreakGlass {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(maxDuration, "maxDuration");
    }
  }

  public TriggerSettings {
    trustedNetworks = trustedNetworks == null ? List.of() : List.copyOf(trustedNetworks);
    breakGlass = breakGlass == null ? List.of() : List.copyOf(breakGlass);
    accountNames = accountNames == null ? Map.of() : Map.copyOf(accountNames);
    projectNames = projectNames == null ? Map.of() : Map.copyOf(projectNames);
  }

  public static TriggerSettings defaults(Duration grace, Mode mode) {
    return new TriggerSettings(grace, mode, DEFAULT_REUSE_TOLERANCE, List.of(), DEFAULT_PREFIX_V4, DEFAULT_PREFIX_V6,
        false, List.of(), DEFAULT_REVOCATION_PROPAGATION, Map.of(), Map.of());
  }

  /** The break-glass entry a root matches, or null. */
  public BreakGlass breakGlassOf(String root) {
    for (BreakGlass b : breakGlass) {
      if (Glob.matches(b.pattern(), root)) {
        return b;
      }
    }
    return null;
  }

  /** {@code <id> (<name>)} for an account or project with a display name, else the id. */
  public String displayScope(String scope) {
    String name = accountNames.getOrDefault(scope, projectNames.get(scope));
    return name == null ? scope : scope + " (" + name + ")";
  }
}
