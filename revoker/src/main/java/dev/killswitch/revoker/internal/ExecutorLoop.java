package dev.killswitch.revoker.internal;

import dev.killswitch.revoker.RevokerException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor group member: one poll thread that never waits for a provider, a pool of workers that call them,
 * and an in-memory schedule of retries.
 *
 * <ul>
 *   <li>The poll thread reads actions, admits them ({@link ExecuteStage#admit}) and hands each to the workers,
 *       serialized per target (actions on one target run in order, one at a time); it moves retries that fell
 *       due to the workers and commits. It does not sleep: its poll timeout is the time to the next due retry,
 *       at most {@value #MAX_POLL_MS} ms, measured on the injected clock.</li>
 *   <li>A retriable failure puts the action in the schedule at its backoff time; the actions after it go on.</li>
 *   <li><b>Invariant:</b> the committed offset of a partition never passes an action whose final result is not
 *       recorded ({@link PartitionProgress}). A crash loses the schedule, never an action: the restarted member
 *       reads the uncommitted actions again, skips those whose final result the ledger holds, and resumes a
 *       retried one from its recorded {@code pending} entry (attempt count, time of the failure).</li>
 * </ul>
 */
public final class ExecutorLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorLoop.class);
  private static final long MAX_POLL_MS = 200;
  private static final Duration KAFKA_TROUBLE_PAUSE = Duration.ofSeconds(1);
  private static final Duration REVOKE_WAIT = Duration.ofSeconds(30);
  private static final int MAX_OUTSTANDING = 5_000;
  private static final Duration LIFT_SCAN = Duration.ofMillis(500);

  /** An attempt's end, handed from a worker to the poll thread. */
  private record Completion(TopicPartition tp, int generation, long offset, String actionId,
                            ExecuteStage.Step step) {}

  /** A retry waiting for its time. */
  private record Scheduled(TopicPartition tp, int generation, long offset, ExecuteStage.Work work) {}

  private final String topic;
  private final Map<String, Object> props;
  private final ExecuteStage stage;
  private final Ledger ledger;
  private final Map<String, Instant> liftNotBefore = new ConcurrentHashMap<>();
  private Instant nextLiftScan = Instant.MIN;
  private int partitionCount;
  private final TopicView ledgerView;
  private final Duration catchUp;
  private final Clock clock;
  private final ExecutorService workers;
  private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
  private final AtomicInteger generations = new AtomicInteger();
  private final Thread thread;
  private volatile boolean closing;
  private volatile boolean failed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  // Poll thread only.
  private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
  private final Map<TopicPartition, Map<Long, CompletableFuture<Void>>> running = new HashMap<>();
  private final PriorityQueue<Scheduled> schedule = new PriorityQueue<>(
      (a, b) -> a.work().due().compareTo(b.work().due()));
  private final Set<String> active = new HashSet<>();

  public ExecutorLoop(String topic, Map<String, Object> props, ExecuteStage stage, Ledger ledger,
                      TopicView ledgerView, int threads, Clock clock, Duration catchUp) {
    this.topic = topic;
    this.ledger = ledger;
    this.props = Map.copyOf(props);
    this.stage = stage;
    this.ledgerView = ledgerView;
    this.catchUp = catchUp;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "killswitch-revoker-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "killswitch-revoker-executor");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean isRunning() {
    return thread.isAlive() && !failed;
  }

  private void run() {
    try (KafkaConsumer<String, byte[]> c =
             new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (closing) {
        return;
      }
      c.subscribe(List.of(topic), new Rebalance(c));
      while (!closing) {
        ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(pollTimeoutMillis()));
        if (!records.isEmpty()) {
          admit(c, records);
        }
        drainCompletions();
        releaseDue();
        startDueLifts(c);
        commit(c, progress.keySet());
        applyBackpressure(c);
      }
    } catch (WakeupException e) {
      if (!closing) {
        failed = true;
        LOG.error("executor stopped unexpectedly", e);
      }
    } catch (RuntimeException e) {
      failed = true;
      LOG.error("executor failed; the revoker is not ready", e);
    }
  }

  private long pollTimeoutMillis() {
    if (schedule.isEmpty()) {
      return running.isEmpty() ? MAX_POLL_MS : MAX_POLL_MS / 4;
    }
    long untilDue = Duration.between(clock.instant(), schedule.peek().work().due()).toMillis();
    return Math.max(1, Math.min(MAX_POLL_MS, untilDue));
  }

  /** Catches the ledger up, then admits the batch record by record. */
  private void admit(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
    try {
      ledgerView.awaitEnd(catchUp);
    } catch (RevokerException e) {
      LOG.warn("executor: ledger not caught up, reading the batch again: {}", e.getMessage());
      for (TopicPartition tp : records.partitions()) {
        seekBack(c, tp, records.records(tp).get(0).offset());
      }
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      PartitionProgress p = progress.get(tp);
      if (p == null) {
        continue;   // revoked while polling
      }
      for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
        Optional<ExecuteStage.Work> work;
        try {
          work = stage.admit(record);
        } catch (RevokerException | KafkaException e) {
          LOG.warn("executor: {}-{}@{} not admitted, reading it again: {}", tp.topic(), tp.partition(),
              record.offset(), e.toString());
          seekBack(c, tp, record.offset());
          break;
        } catch (RuntimeException e) {
          // One record we cannot handle must not stop the stage: dead letter and go on.
          LOG.error("{}-{}@{} could not be handled", tp.topic(), tp.partition(), record.offset(), e);
          stage.deadLetter(record.value(), "unprocessable", e.toString());
          work = Optional.empty();
        }
        p.read(record.offset());
        if (work.isEmpty() || !active.add(work.get().action().actionId())) {
          p.done(record.offset());   // nothing to do, or the same action is already under way here
          continue;
        }
        dispatch(new Scheduled(tp, p.generation(), record.offset(), work.get()));
      }
    }
  }

  private static void seekBack(KafkaConsumer<String, byte[]> c, TopicPartition tp, long offset) {
    if (c.assignment().contains(tp)) {
      c.seek(tp, offset);
    }
  }

  /** Runs the work now if it is due, otherwise schedules it. */
  private void dispatch(Scheduled s) {
    if (s.work().due().isAfter(clock.instant())) {
      schedule.add(s);
    } else {
      submit(s);
    }
  }

  /** Hands the work to a worker, after any work already queued for the same target. */
  private void submit(Scheduled s) {
    String key = String.valueOf(s.work().action().target());
    Runnable task = () -> completions.add(new Completion(s.tp(), s.generation(), s.offset(),
        s.work().action().actionId(), attempt(s.work())));
    CompletableFuture<Void> f = tails.compute(key, (k, tail) ->
        (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail.exceptionally(e -> null))
            .thenRunAsync(task, workers));
    f.whenComplete((v, e) -> tails.remove(key, f));
    running.computeIfAbsent(s.tp(), k -> new HashMap<>()).put(s.offset(), f);
  }

  /** One attempt on a worker; Kafka trouble while recording the result means the same attempt again later. */
  private ExecuteStage.Step attempt(ExecuteStage.Work work) {
    try {
      return stage.attempt(work);
    } catch (RuntimeException e) {
      LOG.warn("executor: attempt of {} not recorded, trying again in {}: {}", work.action().actionId(),
          KAFKA_TROUBLE_PAUSE, e.toString());
      return new ExecuteStage.Step.RetryAt(work.retryAt(work.failedAttempts(),
          clock.instant().plus(KAFKA_TROUBLE_PAUSE)));
    }
  }

  private void drainCompletions() {
    Completion done;
    while ((done = completions.poll()) != null) {
      if (done.tp() == null) {
        active.remove(done.actionId());   // a lift
        continue;
      }
      Map<Long, CompletableFuture<Void>> r = running.get(done.tp());
      if (r != null) {
        r.remove(done.offset());
        if (r.isEmpty()) {
          running.remove(done.tp());
        }
      }
      PartitionProgress p = progress.get(done.tp());
      if (p == null || p.generation() != done.generation()) {
        active.remove(done.actionId());
        continue;   // the partition moved to another member, which reads the action again
      }
      if (done.step() instanceof ExecuteStage.Step.RetryAt retry) {
        dispatch(new Scheduled(done.tp(), done.generation(), done.offset(), retry.next()));
      } else {
        active.remove(done.actionId());
        p.done(done.offset());
      }
    }
  }

  /**
   * Lifts the expired temporary locks whose action belongs to a partition this member owns (the partition the
   * action's target key maps to), so that one member lifts each. Driven by the ledger, so a restart resumes them.
   */
  private void startDueLifts(KafkaConsumer<String, byte[]> c) {
    Instant now = clock.instant();
    if (now.isBefore(nextLiftScan) || progress.isEmpty()) {
      return;
    }
    nextLiftScan = now.plus(LIFT_SCAN);
    if (partitionCount <= 0) {
      partitionCount = c.partitionsFor(topic).size();
    }
    for (Ledger.Lift lift : ledger.dueLifts(now)) {
      String target = lift.revoked().target();
      TopicPartition tp = new TopicPartition(topic,
          Utils.toPositive(Utils.murmur2(target.getBytes(StandardCharsets.UTF_8))) % partitionCount);
      String key = "lift:" + lift.revoked().actionId();
      Instant notBefore = liftNotBefore.get(key);
      if (!progress.containsKey(tp) || (notBefore != null && now.isBefore(notBefore)) || !active.add(key)) {
        continue;
      }
      Runnable task = () -> completions.add(new Completion(null, 0, -1, key,
          liftOnce(key, lift)));
      CompletableFuture<Void> f = tails.compute(target, (k, tail) ->
          (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail.exceptionally(e -> null))
              .thenRunAsync(task, workers));
      f.whenComplete((v, e) -> tails.remove(target, f));
    }
  }

  private ExecuteStage.Step liftOnce(String key, Ledger.Lift lift) {
    try {
      stage.lift(lift).ifPresentOrElse(at -> liftNotBefore.put(key, at), () -> liftNotBefore.remove(key));
    } catch (RuntimeException e) {
      LOG.warn("executor: lift of {} not recorded, trying again: {}", lift.revoked().actionId(), e.toString());
      liftNotBefore.put(key, clock.instant().plus(KAFKA_TROUBLE_PAUSE));
    }
    return new ExecuteStage.Step.Finished();
  }

  private void releaseDue() {
    Instant now = clock.instant();
    while (!schedule.isEmpty() && !schedule.peek().work().due().isAfter(now)) {
      submit(schedule.poll());
    }
  }

  private void commit(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionProgress p = progress.get(tp);
      if (p != null && p.committable() >= 0 && p.moved()) {
        offsets.put(tp, new OffsetAndMetadata(p.committable()));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      c.commitSync(offsets);
      offsets.forEach((tp, o) -> progress.get(tp).committed(o.offset()));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn("executor: commit of {} failed, trying again: {}", offsets, e.toString());
    }
  }

  /** Stops reading while too many actions are outstanding, so that memory stays bounded. */
  private void applyBackpressure(KafkaConsumer<String, byte[]> c) {
    int outstanding = progress.values().stream().mapToInt(PartitionProgress::outstanding).sum();
    if (outstanding > MAX_OUTSTANDING) {
      c.pause(c.assignment());
    } else if (!c.paused().isEmpty()) {
      c.resume(c.paused());
    }
  }

  /** Hand-over on rebalance: finish what runs, commit what is done, forget the rest (the next owner reads it). */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;

    Rebalance(KafkaConsumer<String, byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        progress.put(tp, new PartitionProgress(generations.incrementAndGet()));
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
      for (TopicPartition tp : partitions) {
        for (CompletableFuture<Void> f : new ArrayList<>(running.getOrDefault(tp, Map.of()).values())) {
          try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (Exception e) {
            LOG.warn("executor: an attempt on {} did not end before the hand-over: {}", tp, e.toString());
          }
        }
      }
      drainCompletions();
      try {
        commit(c, partitions);
      } catch (RuntimeException e) {
        LOG.warn("executor: commit at hand-over failed: {}", e.toString());
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        progress.remove(tp);
        running.remove(tp);
      }
      schedule.removeIf(s -> {
        boolean gone = partitions.contains(s.tp());
        if (gone) {
          active.remove(s.work().action().actionId());
        }
        return gone;
      });
    }
  }

  @Override
  public void close() {
    closing = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(Duration.ofSeconds(40).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdown();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
