package dev.killswitch.ingest;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How long each source may stay silent before {@link SourceGapMonitor} raises {@code source-silent}.
 *
 * <p>Keys are either an ingest path's source name ({@code k8s-audit}, {@code aws-cloudtrail}, {@code gcp-audit},
 * {@code github}, {@code gitlab}, {@code cloudevents}), which applies to every CloudEvent source arriving through
 * it, or one CloudEvent source ({@code k8s://prod}, {@code aws://123456789012/eu-west-1}, {@code gcp://my-project}),
 * which wins over its path's. A zero interval switches monitoring off for that key. Sources without an interval
 * are not monitored: CI repositories are silent for days as a matter of course.
 *
 * @param intervals key (source name or CloudEvent source URI) to the longest silence that is normal
 */
public record SourceSilence(Map<String, Duration> intervals) {

  /** The default interval of the apiserver audit webhook and tailer: busy clusters write audit events every second. */
  public static final Duration K8S_AUDIT = Duration.ofMinutes(10);
  /** CloudTrail delivers within about 5 minutes, EventBridge sooner; 30 minutes of nothing is not normal. */
  public static final Duration CLOUD_AUDIT = Duration.ofMinutes(30);

  public SourceSilence {
    Objects.requireNonNull(intervals, "intervals");
    intervals.forEach((k, v) -> {
      if (k == null || k.isBlank() || v == null || v.isNegative()) {
        throw new IllegalArgumentException("a silence interval needs a source and a duration >= 0, got " + k + "=" + v);
      }
    });
    intervals = Map.copyOf(intervals);
  }

  /** Kubernetes audit 10 minutes, CloudTrail and GCP audit 30 minutes, CI sources not monitored. */
  public static SourceSilence defaults() {
    return new SourceSilence(Map.of("k8s-audit", K8S_AUDIT, "aws-cloudtrail", CLOUD_AUDIT, "gcp-audit", CLOUD_AUDIT));
  }

  /** Nothing monitored. */
  public static SourceSilence none() {
    return new SourceSilence(Map.of());
  }

  /** The same with {@code key} (a source name or a CloudEvent source) set to {@code interval}; zero switches it off. */
  public SourceSilence with(String key, Duration interval) {
    Map<String, Duration> copy = new LinkedHashMap<>(intervals);
    copy.put(key, interval);
    return new SourceSilence(copy);
  }

  /** The interval of this CloudEvent source arriving through {@code path}, or null when it is not monitored. */
  public Duration intervalFor(String path, URI source) {
    Duration d = intervals.get(source.toString());
    if (d == null) {
      d = intervals.get(path);
    }
    return d == null || d.isZero() ? null : d;
  }
}
