package dev.killswitch.ingest.internal;

import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Role;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps every ingest path shares once a request is authenticated and parsed: turn events into records
 * (refusing any over the event size limit), publish and wait, dead-letter the bad input, count, answer.
 *
 * <p>Batches (an audit EventList, later CloudTrail files and CloudEvents batches) publish their good events
 * and report the bad ones by index: 200 when all were good, 207 when some were bad, 400 when all were.
 * The bad ones go to the dead letter topic in the same wait as the good ones, so a 2xx means both landed.
 */
public final class Flow {

  private static final Logger LOG = LoggerFactory.getLogger(Flow.class);

  /** One refused event of a batch, as the answer lists it. */
  public record Rejected(int index, String error, String message) {}

  private final Publisher publisher;
  private final IngestMetrics metrics;
  private final Redactor redactor;
  private final int maxEventBytes;
  private final Clock clock;
  private final SourceActivity activity;
  /** Topic + id of the events of batches this process published: a redelivered batch is not written twice. */
  private final RecentIds recent = new RecentIds(RECENT_EVENTS);

  /** How many batch event ids this process remembers (a first line of dedupe; ids are deterministic anyway). */
  static final int RECENT_EVENTS = 50_000;

  public Flow(Publisher publisher, IngestMetrics metrics, Redactor redactor, int maxEventBytes, Clock clock) {
    this(publisher, metrics, redactor, maxEventBytes, clock, new SourceActivity());
  }

  /** @param activity told when each source (by CloudEvent source) last had an event accepted */
  public Flow(Publisher publisher, IngestMetrics metrics, Redactor redactor, int maxEventBytes, Clock clock,
              SourceActivity activity) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.redactor = redactor;
    this.maxEventBytes = maxEventBytes;
    this.clock = clock;
    this.activity = activity;
  }

  public Redactor redactor() {
    return redactor;
  }

  /**
   * The bearer-token check of the paths not signed by their source: true when {@code Authorization: Bearer}
   * names a token holding {@code role} for this source; else the request is refused here, 401 (no token) or 403
   * (an unknown token, one without the role, or one limited to other sources), and nothing of it reaches Kafka.
   */
  public boolean authorize(Context ctx, String source, ApiAccess access, Role role) {
    String authorization = ctx.header("Authorization");
    if (access.allows(authorization, role, source)) {
      return true;
    }
    boolean presented = ApiAccess.presented(authorization);
    reject(ctx, source, IngestException.of(presented ? Reason.FORBIDDEN : Reason.UNAUTHORIZED,
        presented ? "the bearer token does not hold the " + role.name().toLowerCase(Locale.ROOT) + " role for "
            + source : "a bearer token is required"), null);
    return false;
  }

  /**
   * The body of a request already authenticated by a token or bearer, or null when it was over {@code max}: the
   * request is then refused with 413 and the body's first bytes, redacted, are dead-lettered.
   */
  public byte[] body(Context ctx, String source, long max) throws java.io.IOException {
    try {
      return Bodies.read(ctx, max);
    } catch (Bodies.TooLarge e) {
      reject(ctx, source, e.problem(), redactor.redactText(e.prefix()));
      return null;
    }
  }

  /**
   * Refuses a whole request: counted, answered with the error, and its bytes (redacted as far as they can
   * be; null for requests that were not authenticated, which never reach Kafka) dead-lettered.
   */
  public void reject(Context ctx, String source, IngestException problem, byte[] deadLetterBytes) {
    metrics.rejected(source, problem.reason().code(), 1);
    if (deadLetterBytes != null && problem.reason() != Reason.KAFKA_UNAVAILABLE) {
      boolean written = publisher.deadLetterQuietly(List.of(publisher.deadLetter(deadLetterBytes, problem, origin(ctx))));
      if (!written) {
        metrics.deadLetterFailed(source);
      }
    }
    LOG.debug("{} refused {}: {}", ctx.path(), problem.reason().code(), problem.getMessage());
    Answers.error(ctx, problem);
  }

  /** The record of one event, or {@code event-too-large}. */
  public ProducerRecord<String, byte[]> record(String topic, Envelope<?> event) {
    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka(topic, event);
    if (record.value().length > maxEventBytes) {
      throw IngestException.of(Reason.EVENT_TOO_LARGE, "the normalized event " + event.id() + " has "
          + record.value().length + " bytes, the limit is " + maxEventBytes);
    }
    return record;
  }

  /** Publishes and waits; then counts the events as accepted and records their lag. */
  public void publish(String source, List<Envelope<?>> events, List<ProducerRecord<String, byte[]>> records) {
    publisher.publishAll(records);
    accepted(source, events);
  }

  /**
   * Normalizes each item of a batch and answers for all of them (see the class comment). {@code normalize}
   * may throw {@link IngestException} for an item; its source is then redacted and dead-lettered.
   *
   * @param single the request held one item rather than a list: a bad item is answered as the request's error
   */
  public <T> void batch(Context ctx, String source, String topic, List<T> items,
                        Function<T, Normalized> normalize, Function<T, byte[]> redactedSource, boolean single) {
    Outcome outcome;
    try {
      outcome = publishBatch(source, topic, items, normalize, redactedSource, origin(ctx));
    } catch (IngestException e) {
      reject(ctx, source, e, null);
      return;
    }
    if (outcome.allBad()) {
      if (single) {
        Answers.error(ctx, outcome.firstProblem());
        return;
      }
      IngestException all = IngestException.of(Reason.INVALID_EVENT,
          "none of the " + outcome.rejected().size() + " events could be normalized; see rejected");
      Answers.error(ctx, all, Map.of("accepted", 0, "rejected", outcome.rejected()));
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", outcome.accepted());
    body.put("dropped", outcome.dropped());
    if (outcome.deduplicated() > 0) {
      body.put("deduplicated", outcome.deduplicated());
    }
    if (outcome.rejected().isEmpty()) {
      Answers.json(ctx, 200, body);
    } else {
      body.put("rejected", outcome.rejected());
      Answers.json(ctx, 207, body);
    }
  }

  /**
   * What became of a batch: events published, items dropped on purpose, events this process had already
   * published (not sent again), and the refused items by index.
   *
   * @param deadLettersWritten false only when every item was bad and their dead letters could not be written
   */
  public record Outcome(int accepted, int dropped, int deduplicated, List<Rejected> rejected,
                        IngestException firstProblem, boolean deadLettersWritten) {
    /** Nothing to publish and something refused. */
    public boolean allBad() {
      return accepted == 0 && deduplicated == 0 && !rejected.isEmpty();
    }
  }

  /**
   * The publishing core of {@link #batch}, without HTTP (the audit-log tailer calls it too): normalizes each
   * item, skips events this process already published to the topic, sends the good events and the dead letters
   * of the bad items in one wait, then counts. When every item is bad the dead letters are written on their own
   * and a failure to write them is reported in {@link Outcome#deadLettersWritten()}, not thrown.
   *
   * @param origin where the items came from, for the dead letters ({@code #<index>} is appended)
   * @throws IngestException {@code kafka-unavailable} when Kafka did not acknowledge every record; nothing of
   *     the batch is counted then, and the caller retries the whole batch
   */
  public <T> Outcome publishBatch(String source, String topic, List<T> items, Function<T, Normalized> normalize,
                                  Function<T, byte[]> redactedSource, String origin) {
    List<Envelope<?>> events = new ArrayList<>();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    IngestException firstProblem = null;
    Map<String, Integer> ignored = new LinkedHashMap<>();
    Set<String> batchIds = new HashSet<>();
    int deduplicated = 0;
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      try {
        Normalized n = normalize.apply(item);
        if (n instanceof Normalized.Publish p) {
          String key = topic + "\u0000" + p.event().id();
          if (recent.contains(key) || !batchIds.add(key)) {
            deduplicated++;
            continue;
          }
          records.add(record(topic, p.event()));
          events.add(p.event());
          p.warnings().forEach(w -> metrics.warning(source, w));
        } else if (n instanceof Normalized.Ignore ig) {
          ignored.merge(ig.reason(), 1, Integer::sum);
        }
      } catch (IngestException | InvalidIdentityRefException e) {
        IngestException problem = e instanceof IngestException ie ? ie : IngestException.invalidEvent(e.getMessage());
        firstProblem = firstProblem == null ? problem : firstProblem;
        rejected.add(new Rejected(i, problem.reason().code(), problem.getMessage()));
        deadLetters.add(publisher.deadLetter(redactedSource.apply(item), problem, origin + "#" + i));
      }
    }
    int dropped = ignored.values().stream().mapToInt(Integer::intValue).sum();
    if (events.isEmpty() && deduplicated == 0 && !rejected.isEmpty()) {
      rejected.forEach(r -> metrics.rejected(source, r.error(), 1));
      boolean written = publisher.deadLetterQuietly(deadLetters);
      if (!written) {
        metrics.deadLetterFailed(source);
      }
      ignored.forEach((reason, count) -> metrics.ignored(source, reason, count));
      return new Outcome(0, dropped, 0, List.copyOf(rejected), firstProblem, written);
    }
    List<ProducerRecord<String, byte[]>> all = new ArrayList<>(records);
    all.addAll(deadLetters);
    publisher.publishAll(all);
    events.forEach(e -> recent.remember(topic + "\u0000" + e.id()));
    accepted(source, events);
    ignored.forEach((reason, count) -> metrics.ignored(source, reason, count));
    rejected.forEach(r -> metrics.rejected(source, r.error(), 1));
    if (deduplicated > 0) {
      metrics.deduplicated(source, "event-seen", deduplicated);
    }
    return new Outcome(events.size(), dropped, deduplicated, List.copyOf(rejected), firstProblem, true);
  }

  private void accepted(String source, List<Envelope<?>> events) {
    metrics.accepted(source, events.size());
    Instant now = clock.instant();
    Set<java.net.URI> sources = new HashSet<>();
    for (Envelope<?> e : events) {
      metrics.lag(source, e.time() == null ? null : e.time().toInstant(), now);
      sources.add(e.source());
    }
    // all at the same instant: once per source rather than once per event on a map the handlers share
    sources.forEach(s -> activity.seen(source, s, now));
  }

  private static String origin(Context ctx) {
    return "ingest:" + ctx.path();
  }
}
