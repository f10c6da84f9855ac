package dev.killswitch.ingest;

import dev.killswitch.ingest.internal.Publisher;
import dev.killswitch.ingest.internal.SourceActivity;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.Alert;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises {@code dev.killswitch.alert.v1} kind {@code source-silent} on {@code killswitch.alerts} when a source
 * that ingest has seen stops sending for longer than its {@link SourceSilence} interval: a dropping apiserver
 * webhook, a stalled CloudTrail delivery or GCP data-access logs switched off are the first signs of blindness.
 *
 * <p>A source is a CloudEvent source ({@code k8s://prod}, {@code aws://<account>/<region>}, {@code gcp://<project>},
 * ...), so the interval holds per cluster, account and project. One alert per silence: once raised, the source
 * is not alerted again until it has spoken again (which re-arms it). The alert id is derived from the source and
 * the time it was last seen, so a second ingest instance or a retry raises the same id and consumers dedupe.
 * Only sources seen by this process since it started are watched: a source that never spoke is not "silent".
 *
 * <p>Run it with {@link #start(Ingest, SourceSilence, Duration)} (a daemon thread calls {@link #check()} at the
 * given period) and {@link #close()} it on shutdown; tests call {@link #check()} directly with a controlled clock.
 */
public final class SourceGapMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SourceGapMonitor.class);
  public static final String KIND = "source-silent";
  /** The CloudEvent source of the alerts ingest raises itself. */
  public static final URI ALERT_SOURCE = URI.create("killswitch://ingest");

  private final SourceActivity activity;
  private final SourceSilence silence;
  private final Publisher publisher;
  private final String topic;
  private final Clock clock;
  /** Per source, the last-seen time an alert was raised for: a newer last-seen re-arms the source. */
  private final Map<URI, Instant> alertedFor = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  SourceGapMonitor(SourceActivity activity, SourceSilence silence, Publisher publisher, String topic, Clock clock) {
    this.activity = Objects.requireNonNull(activity, "activity");
    this.silence = Objects.requireNonNull(silence, "silence");
    this.publisher = publisher;
    this.topic = topic;
    this.clock = clock;
  }

  /** A monitor of the sources {@code ingest} accepts (webhooks and tailers alike), not yet scheduled. */
  public static SourceGapMonitor create(Ingest ingest, SourceSilence silence) {
    return new SourceGapMonitor(ingest.activity(), silence, ingest.publisher(), ingest.topics().alerts(),
        ingest.clock());
  }

  /**
   * Creates the monitor and checks every {@code period} on a daemon thread until {@link #close()}.
   * A failed check (Kafka unavailable) is logged and retried at the next period; the alert is not lost.
   */
  public static SourceGapMonitor start(Ingest ingest, SourceSilence silence, Duration period) {
    SourceGapMonitor monitor = create(ingest, silence);
    monitor.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "killswitch-source-gap-monitor");
      t.setDaemon(true);
      return t;
    });
    monitor.scheduler.scheduleWithFixedDelay(() -> {
      try {
        monitor.check();
      } catch (RuntimeException e) {
        LOG.warn("source-gap check failed, retrying in {}: {}", period, e.getMessage());
      }
    }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return monitor;
  }

  /**
   * Raises an alert for each source silent past its interval and not yet alerted for this silence, and waits
   * until Kafka acknowledged them.
   *
   * @return the alerts raised by this check
   * @throws IngestException {@code kafka-unavailable}: none of them counts as raised, the next check retries
   */
  public synchronized List<Alert> check() {
    Instant now = clock.instant();
    List<Envelope<Alert>> alerts = new ArrayList<>();
    for (SourceActivity.Seen seen : activity.snapshot().values()) {
      Duration interval = silence.intervalFor(seen.path(), seen.source());
      if (interval == null || Duration.between(seen.at(), now).compareTo(interval) <= 0) {
        continue;
      }
      if (seen.at().equals(alertedFor.get(seen.source()))) {
        continue;
      }
      alerts.add(alert(seen, interval, now));
    }
    if (alerts.isEmpty()) {
      return List.of();
    }
    publisher.publishAll(alerts.stream().map(a -> CloudEventCodec.toKafka(topic, a)).toList());
    List<Alert> raised = new ArrayList<>();
    for (Envelope<Alert> a : alerts) {
      Alert data = a.data();
      alertedFor.put(URI.create(data.subject()), Instant.parse(data.details().get("lastSeen")));
      LOG.warn("source {} silent since {} (interval {}): alert {} raised", data.subject(),
          data.details().get("lastSeen"), data.details().get("interval"), data.alertId());
      raised.add(data);
    }
    return raised;
  }

  static Envelope<Alert> alert(SourceActivity.Seen seen, Duration interval, Instant now) {
    String subject = seen.source().toString();
    String id = DeterministicIds.of(KIND, subject, seen.at().toString());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("lastSeen", seen.at().toString());
    details.put("interval", interval.toString());
    details.put("silentFor", Duration.between(seen.at(), now).withNanos(0).toString());
    details.put("ingestPath", seen.path());
    Alert data = new Alert(id, KIND, subject, "high",
        "no events from " + subject + " since " + seen.at() + " (longer than " + interval + ")",
        List.of(), details, now);
    return new Envelope<>(id, ALERT_SOURCE, EventType.ALERT, subject, OffsetDateTime.ofInstant(now, ZoneOffset.UTC),
        subject, data);
  }

  /** Stops the scheduled checks (if started); an in-flight check finishes first. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdown();
      try {
        scheduler.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
