package dev.killswitch.correlator.internal.streams;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Lets a processor act once per commit, before its task's transaction commits: a step that applies every message
 * as it comes but decides, writes and forwards what follows once per commit (a chain changed by ten messages of a
 * commit is decided once; an edge used ten times goes to its chains once, as its latest aggregate).
 *
 * <p>It is a state store that holds nothing (no changelog, no disk). Kafka Streams calls {@code flushCache} on
 * every store of a task before it commits, on the task's thread, and sends what is forwarded then in the same
 * transaction: the way its own record caches forward to the processors below them ({@code CachedStateStore}, an
 * internal interface, checked against the Kafka Streams version of the parent pom, as {@link WriteBackStore} is).
 * The processor's work runs as if the processor were processing (its node is the current one), so it may read and
 * write its stores and forward. Under exactly-once nothing is lost by waiting: what was not done when a task fails
 * was not committed either, and its input is processed again; a task revived or reassigned gets a processor
 * initialized afresh, whose pending work is empty.
 *
 * <p>At light load the work runs early as well, every {@link #EARLY}: batching gains nothing there, and waiting
 * for the commit would cost each step one more produce round trip (the commit waits for what is sent at it), which
 * adds up along a completion's way to its revocation request. Light is judged over the whole stream thread, all its
 * tasks together (under {@code Correlation.earlySendBelow} records a second), so that under load no task acts early,
 * however few records it gets itself.
 *
 * <p>The TopologyTestDriver commits after every input record, so a processor using a hook behaves there exactly as
 * if it acted on every record.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

  /** How often each processor acts early on what it holds while its thread's load is light. */
  static final Duration EARLY = Duration.ofMillis(25);
  /**
   * Over how long a thread's load is judged: long enough to span commits and polls, during which a busy thread gets
   * no records (a shorter window saw those pauses as light load and sent early under load).
   */
  static final Duration LOAD_WINDOW = Duration.ofSeconds(1);
  private static final ThreadLocal<ThreadLoad> LOAD = ThreadLocal.withInitial(ThreadLoad::new);

  private final String name;
  private final long earlySendBelow;
  private boolean open;
  private Runnable work = () -> {};
  private Runnable discard = () -> {};

  private CommitHook(String name, long earlySendBelow) {
    this.name = name;
    this.earlySendBelow = earlySendBelow;
  }

  /**
   * Binds {@code work} to the hook named {@code name}, connected to the processor calling this from its
   * {@code init}, and runs it early too while the thread's load is light. {@code discard} runs when Kafka Streams
   * drops the task's uncommitted work instead. The processor calls {@link #record()} for each record it gets.
   */
  static void bind(ProcessorContext<?, ?> context, String name, Runnable work, Runnable discard) {
    InternalProcessorContext<?, ?> internal = (InternalProcessorContext<?, ?>) context;
    ProcessorNode<?, ?, ?, ?> node = internal.currentNode();
    CommitHook hook = context.getStateStore(name);
    hook.discard = discard;
    hook.work = () -> {
      ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
      ProcessorRecordContext previousRecord = internal.recordContext();
      internal.setCurrentNode(node);
      // As for a punctuation: no input record is being processed.
      internal.setRecordContext(new ProcessorRecordContext(internal.currentSystemTimeMs(), -1L, -1, null,
          new RecordHeaders()));
      try {
        work.run();
      } finally {
        internal.setRecordContext(previousRecord);
        internal.setCurrentNode(previousNode);
      }
    };
    if (hook.earlySendBelow > 0) {
      long below = hook.earlySendBelow;
      context.schedule(EARLY, PunctuationType.WALL_CLOCK_TIME, now -> {
        if (LOAD.get().light(now, below)) {
          work.run();
        }
      });
    }
  }

  /** A record reached a processor that uses a hook (counted for the load of the thread it runs on). */
  static void record() {
    LOAD.get().records++;
  }

  /** The records a stream thread's processors got, and whether those of the last {@link #LOAD_WINDOW} were few. */
  private static final class ThreadLoad {
    private long records;
    private long markRecords;
    private long markAt = -1;
    private boolean light;

    /** Judges again once per {@link #LOAD_WINDOW} (at the first of the thread's punctuations after it). */
    boolean light(long now, long below) {
      long elapsed = now - markAt;
      if (markAt < 0 || elapsed < 0) {
        markAt = now;
        markRecords = records;
      } else if (elapsed >= LOAD_WINDOW.toMillis()) {
        light = (records - markRecords) * 1_000 < below * elapsed;
        markAt = now;
        markRecords = records;
      }
      return light;
    }
  }

  /** A hook whose work also runs every {@link #EARLY} while its thread gets under {@code earlySendBelow} records/s. */
  static StoreBuilder<CommitHook> builder(String name, long earlySendBelow) {
    return new Builder(name, earlySendBelow);
  }

  @Override
  public void flushCache() {
    work.run();
  }

  @Override
  public void clearCache() {
    discard.run();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    // The task's stores are initialized before its processors, which bind again: until then a commit (of a task
    // still restoring, or revived after a failure) has nothing of theirs to do.
    work = () -> {};
    discard = () -> {};
    context.register(root, (key, value) -> {});
    open = true;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    return QueryResult.forUnknownQueryType(query, this);
  }

  @Override
  public Position getPosition() {
    return Position.emptyPosition();
  }

  private record Builder(String name, long earlySendBelow) implements StoreBuilder<CommitHook> {

    @Override
    public StoreBuilder<CommitHook> withCachingEnabled() {
      return this;
    }

    @Override
    public StoreBuilder<CommitHook> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
      throw new UnsupportedOperationException("a commit hook holds nothing to log");
    }

    @Override
    public StoreBuilder<CommitHook> withLoggingDisabled() {
      return this;
    }

    @Override
    public CommitHook build() {
      return new CommitHook(name, earlySendBelow);
    }

    @Override
    public Map<String, String> logConfig() {
      return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
      return false;
    }
  }
}
