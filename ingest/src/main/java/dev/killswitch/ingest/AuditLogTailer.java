package dev.killswitch.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.ingest.internal.Bodies;
import dev.killswitch.ingest.internal.Flow;
import dev.killswitch.ingest.internal.IngestMetrics;
import dev.killswitch.ingest.internal.K8sAuditNormalizer;
import dev.killswitch.ingest.internal.K8sAuditRoute;
import dev.killswitch.ingest.internal.Normalized;
import dev.killswitch.ingest.internal.Redactor;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.DeterministicIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a kube-apiserver {@code --audit-log-path} file (one audit.k8s.io Event per line) and publishes each
 * event through the same normalizer, flow and publisher as {@code POST /v1/ingest/k8s-audit/{cluster}}: same
 * {@code k8s.audit} events on {@code killswitch.events.k8s}, same stage policy, same dead letters for bad lines,
 * same metrics (source {@code k8s-audit}). This is {@code killswitch ingest --tail-audit-log PATH --cluster NAME}.
 *
 * <p><b>Checkpoint.</b> After Kafka acknowledged a batch of lines, the tailer writes its position atomically
 * (temp file + rename) to the checkpoint file: the identity of the file being read (device and inode from
 * {@code unix:dev}/{@code unix:ino}, else the file key) and the byte offset just past the last line published,
 * plus a hash of the file's first bytes. A restart resumes there: no line before the offset is read again and no
 * line after it is skipped. The one window left is a crash after Kafka acknowledged a batch and before its
 * checkpoint was written: that batch is published again on restart, under the same deterministic ids
 * ({@code auditID:stage}), so consumers drop the repeats.
 *
 * <p><b>Rotation.</b> Rename rotation (the apiserver's own {@code --audit-log-maxsize}/{@code maxage}, logrotate
 * {@code create}): when the path names another file, what is left of the old one is read to its end first, through
 * the descriptor still open on it (renamed, compressed away or deleted alike), then the new file from its start.
 * After a restart the old file is found again by its identity among the files of the same directory; if it is gone
 * (compressed), the lines after the checkpoint in it are lost, which is logged and counted
 * ({@code killswitch.ingest.warnings}, {@code warning=rotated-file-missing}). Copy-truncate rotation: a file
 * that became shorter than the offset, or whose first bytes changed, is read again from its start; lines
 * appended between the tailer's last read and the truncation are in the copy only (logrotate's documented
 * copytruncate gap), so prefer rename rotation.
 *
 * <p>A line that is not a JSON audit event, or is over the request limit, goes to {@code killswitch.deadletter}
 * (redacted, origin {@code ingest:tail:<path>}, the byte offset in the detail) and the tailer moves past it.
 * Kafka unreachable: {@link #pollOnce()} throws {@code kafka-unavailable}, nothing is checkpointed, the next poll
 * starts again from the checkpoint.
 *
 * <p>Use {@link #start} for a tailer that polls on its own daemon thread and {@link #close()} it on shutdown
 * (it finishes the poll in flight, whose checkpoint is then written); tests use {@link #create} and call
 * {@link #pollOnce()} themselves.
 */
public final class AuditLogTailer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AuditLogTailer.class);
  public static final String SOURCE = K8sAuditRoute.SOURCE;
  /** Lines per publish (one Kafka wait, one checkpoint). */
  static final int BATCH_LINES = 500;
  private static final int CHUNK = 1 << 20;
  private static final int HEAD_BYTES = 256;
  public static final String ROTATED_FILE_MISSING = "rotated-file-missing";

  /** What one poll did: events published, lines dropped (stage policy, blank) or refused, duplicates skipped. */
  public record Poll(int accepted, int dropped, int rejected, int deduplicated, boolean rotated, boolean truncated) {
    static final Poll NOTHING = new Poll(0, 0, 0, 0, false, false);

    Poll plus(Flow.Outcome o) {
      return new Poll(accepted + o.accepted(), dropped + o.dropped(), rejected + o.rejected().size(),
          deduplicated + o.deduplicated(), rotated, truncated);
    }

    Poll with(boolean rotatedNow, boolean truncatedNow) {
      return new Poll(accepted, dropped, rejected, deduplicated, rotated || rotatedNow, truncated || truncatedNow);
    }
  }

  /** The checkpoint file's content. */
  record Checkpoint(String file, String identity, long offset, int headLength, String headSha256) {}

  /**
   * One line of the file: bytes {@code [start, end)} without the newline, {@code next} the offset after it;
   * {@code bytes} null when the line is over the limit.
   */
  private record Line(long start, long end, long next, byte[] bytes) {}

  private final Path log;
  private final String cluster;
  private final Path checkpointFile;
  private final Flow flow;
  private final K8sAuditNormalizer normalizer;
  private final Redactor redactor;
  private final IngestMetrics metrics;
  private final String topic;
  private final long maxLineBytes;
  private final String origin;
  private ScheduledExecutorService scheduler;

  private FileChannel channel;
  private String identity;
  private long offset;
  private int headLength;
  private String headSha256;
  private boolean started;

  private AuditLogTailer(Ingest ingest, Path log, String cluster, Path checkpointFile) {
    if (!K8sAuditRoute.validCluster(cluster)) {
      throw new IllegalArgumentException("the cluster name must be letters, digits, '.', '_' or '-', got " + cluster);
    }
    this.log = Objects.requireNonNull(log, "log").toAbsolutePath();
    this.cluster = cluster;
    this.checkpointFile = Objects.requireNonNull(checkpointFile, "checkpointFile").toAbsolutePath();
    this.flow = ingest.flow();
    this.normalizer = ingest.k8sNormalizer();
    this.redactor = flow.redactor();
    this.metrics = ingest.metrics();
    this.topic = ingest.topics().k8sEvents();
    this.maxLineBytes = ingest.config().maxRequestBytes();
    this.origin = "ingest:tail:" + this.log;
  }

  /**
   * A tailer of {@code log} for {@code cluster} that does nothing until {@link #pollOnce()} is called.
   *
   * @param ingest the receivers whose normalizer, publisher, metrics and source activity the tailer shares
   * @param log the apiserver's {@code --audit-log-path}
   * @param cluster the cluster name, as in {@code /v1/ingest/k8s-audit/{cluster}} ({@code k8s://<cluster>})
   * @param checkpoint where the position is kept (e.g. {@code <data dir>/tail/<cluster>.checkpoint.json}); its
   *     directory is created when missing. Without a checkpoint the file is read from its start.
   */
  public static AuditLogTailer create(Ingest ingest, Path log, String cluster, Path checkpoint) {
    return new AuditLogTailer(ingest, log, cluster, checkpoint);
  }

  /**
   * Creates the tailer and polls every {@code interval} on a daemon thread until {@link #close()}. A failed poll
   * (Kafka unavailable, an unreadable file) is logged and retried from the checkpoint at the next interval.
   */
  public static AuditLogTailer start(Ingest ingest, Path log, String cluster, Path checkpoint, Duration interval) {
    AuditLogTailer tailer = create(ingest, log, cluster, checkpoint);
    tailer.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "killswitch-audit-tailer-" + cluster);
      t.setDaemon(true);
      return t;
    });
    tailer.scheduler.scheduleWithFixedDelay(() -> {
      try {
        tailer.pollOnce();
      } catch (IngestException | IOException | UncheckedIOException e) {
        LOG.warn("tailing {} failed, retrying from the checkpoint in {}: {}", tailer.log, interval, e.getMessage());
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("tailing {} for cluster {} (checkpoint {})", tailer.log, cluster, tailer.checkpointFile);
    return tailer;
  }

  /**
   * Reads every complete line appended since the last poll (following a rotation or truncation first), publishes
   * them in batches, and checkpoints after each acknowledged batch.
   *
   * @throws IngestException {@code kafka-unavailable}: the batch in flight is not checkpointed; the next poll
   *     publishes it again
   */
  public synchronized Poll pollOnce() throws IOException {
    Poll poll = Poll.NOTHING;
    if (!started) {
      resume();
      started = true;
    }
    String current = identityOf(log);
    if (channel != null && current != null && !current.equals(identity)) {
      LOG.info("{} was rotated: reading the rest of the previous file, then the new one", log);
      poll = drain(poll, true);
      openAt(log, 0);
      writeCheckpoint();
      poll = poll.with(true, false);
    }
    if (channel == null) {
      if (current == null) {
        return poll;
      }
      openAt(log, 0);
    }
    if (channel.size() < offset || !headMatches()) {
      LOG.warn("{} was truncated (copytruncate?): reading it again from its start", log);
      offset = 0;
      headLength = 0;
      headSha256 = null;
      poll = poll.with(false, true);
    }
    return drain(poll, false);
  }

  /** The checkpointed position (for tests and status); null before the first checkpoint. */
  Checkpoint checkpoint() throws IOException {
    if (!Files.exists(checkpointFile)) {
      return null;
    }
    return dev.killswitch.schemas.Json.mapper().readValue(checkpointFile.toFile(), Checkpoint.class);
  }

  /** Stops polling (the poll in flight finishes and checkpoints first) and releases the file. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
          LOG.warn("the tailer of {} did not stop within 30 s", log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      closeChannel();
    }
  }

  // ---- resuming ----

  private void resume() throws IOException {
    Checkpoint cp = checkpoint();
    if (cp == null) {
      return;
    }
    Path file = log;
    if (!cp.identity().equals(identityOf(log))) {
      file = findByIdentity(cp.identity());
      if (file == null) {
        LOG.warn("{}: the file checkpointed at offset {} ({}) is gone (compressed or deleted after rotation);"
            + " its lines after the checkpoint are lost, continuing with the current file", log, cp.offset(),
            cp.identity());
        metrics.warning(SOURCE, ROTATED_FILE_MISSING);
        return;
      }
      LOG.info("{}: resuming in the rotated file {} at offset {}", log, file, cp.offset());
    }
    openAt(file, cp.offset());
    if (!cp.identity().equals(identity)) {
      // The path was swapped between the look-up and the open: start over at the next poll.
      closeChannel();
      return;
    }
    headLength = cp.headLength();
    headSha256 = cp.headSha256();
  }

  private Path findByIdentity(String wanted) throws IOException {
    Path dir = log.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && wanted.equals(identityOf(p))) {
          return p;
        }
      }
    }
    return null;
  }

  // ---- reading and publishing ----

  /** Publishes complete lines from the offset on; {@code toEnd}: the file is finished, a last unterminated line counts. */
  private Poll drain(Poll poll, boolean toEnd) throws IOException {
    while (true) {
      List<Line> lines = readLines(toEnd);
      if (lines.isEmpty()) {
        return poll;
      }
      Flow.Outcome outcome = flow.publishBatch(SOURCE, topic, lines, this::normalize, this::redacted, origin);
      if (!outcome.deadLettersWritten()) {
        throw IngestException.kafkaUnavailable("the dead letters of " + lines.size() + " bad line(s) were not written",
            null);
      }
      offset = lines.get(lines.size() - 1).next();
      writeCheckpoint();
      poll = poll.plus(outcome);
    }
  }

  private List<Line> readLines(boolean toEnd) throws IOException {
    List<Line> lines = new ArrayList<>();
    long size = channel.size();
    long pos = offset;
    while (lines.size() < BATCH_LINES && pos < size) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, size - pos));
      readFully(buf, pos);
      byte[] chunk = buf.array();
      int lineStart = 0;
      for (int i = 0; i < chunk.length && lines.size() < BATCH_LINES; i++) {
        if (chunk[i] == '\n') {
          lines.add(line(pos + lineStart, pos + i, pos + i + 1, Arrays.copyOfRange(chunk, lineStart, i)));
          lineStart = i + 1;
        }
      }
      if (lineStart > 0) {
        pos += lineStart;
        continue;
      }
      // No newline in a whole chunk: a line of a megabyte or more, or the unterminated tail of the file.
      long newline = indexOfNewline(pos + chunk.length, size);
      if (newline < 0) {
        if (toEnd) {
          // A rotated file's last line without a newline: the writer has moved on, it is complete.
          lines.add(longLine(pos, size, size));
          pos = size;
        }
        break;
      }
      lines.add(longLine(pos, newline, newline + 1));
      pos = newline + 1;
    }
    return lines;
  }

  /** Line {@code [start, end)}; {@code end} is the newline's position (or the end of a finished file). */
  private static Line line(long start, long end, long next, byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\r') {
      bytes = Arrays.copyOf(bytes, n - 1);
    }
    return new Line(start, end, next, bytes);
  }

  private Line longLine(long start, long end, long next) throws IOException {
    if (end - start > maxLineBytes) {
      return new Line(start, end, next, null);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
    readFully(buf, start);
    return line(start, end, next, buf.array());
  }

  private long indexOfNewline(long from, long size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    for (long pos = from; pos < size; ) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), size - pos));
      readFully(buf, pos);
      byte[] a = buf.array();
      for (int i = 0; i < buf.limit(); i++) {
        if (a[i] == '\n') {
          return pos + i;
        }
      }
      pos += buf.limit();
    }
    return -1;
  }

  private void readFully(ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      int n = channel.read(buf, position + buf.position());
      if (n < 0) {
        throw new IOException(log + " ended while reading at " + (position + buf.position()));
      }
    }
  }

  private Normalized normalize(Line line) {
    try {
      if (line.bytes() == null) {
        throw IngestException.of(Reason.EVENT_TOO_LARGE, "the line has " + (line.end() - line.start())
            + " bytes, the limit is " + maxLineBytes);
      }
      if (isBlank(line.bytes())) {
        return new Normalized.Ignore("blank-line");
      }
      JsonNode event = Bodies.json(line.bytes());
      return normalizer.normalize(cluster, event);
    } catch (IngestException e) {
      throw IngestException.of(e.reason(), "line at byte " + line.start() + ": " + e.getMessage());
    }
  }

  private byte[] redacted(Line line) {
    if (line.bytes() == null) {
      try {
        ByteBuffer buf = ByteBuffer.allocate(DeadLetter.MAX_BYTES);
        readFully(buf, line.start());
        return redactor.redactText(buf.array());
      } catch (IOException e) {
        return new byte[0];
      }
    }
    try {
      return redactor.redactToBytes(Bodies.json(line.bytes()));
    } catch (IngestException e) {
      return redactor.redactText(line.bytes());
    }
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  // ---- files and checkpoints ----

  private void openAt(Path file, long position) throws IOException {
    closeChannel();
    // The identity is read from the path around the open: when a rotation slips in between, the two looks
    // differ and the open is repeated, so the identity kept is the open file's.
    for (int attempt = 0; ; attempt++) {
      String before = identityOf(file);
      channel = FileChannel.open(file, StandardOpenOption.READ);
      String after = identityOf(file);
      if ((after != null && after.equals(before)) || attempt == 3) {
        identity = after != null ? after : "path=" + file;
        break;
      }
      closeChannel();
    }
    offset = position;
    headLength = 0;
    headSha256 = null;
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("closing {}: {}", log, e.getMessage());
      }
      channel = null;
    }
  }

  /** The first bytes are those the checkpoint hashed (a copy-truncate rewrites them). */
  private boolean headMatches() throws IOException {
    if (headLength == 0 || headSha256 == null) {
      return true;
    }
    if (channel.size() < headLength) {
      return false;
    }
    return headSha256.equals(headHash(headLength));
  }

  private String headHash(int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    readFully(buf, 0);
    return DeterministicIds.sha256Hex(new String(buf.array(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  private void writeCheckpoint() throws IOException {
    if (headLength < HEAD_BYTES && offset > headLength) {
      headLength = (int) Math.min(HEAD_BYTES, offset);
      headSha256 = headHash(headLength);
    }
    Checkpoint cp = new Checkpoint(log.toString(), identity, offset, headLength, headSha256);
    Path dir = checkpointFile.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(ByteBuffer.wrap(dev.killswitch.schemas.Json.mapper().writeValueAsBytes(cp)));
      out.force(true);
    }
    Files.move(tmp, checkpointFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Device and inode ({@code unix:dev}/{@code unix:ino}), else the file key; null when the file does not exist. */
  static String identityOf(Path file) throws IOException {
    try {
      Map<String, Object> attrs = Files.readAttributes(file, "unix:dev,ino");
      return "dev=" + attrs.get("dev") + ",ino=" + attrs.get("ino");
    } catch (NoSuchFileException e) {
      return null;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      try {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key == null ? "path=" + file : key.toString();
      } catch (NoSuchFileException gone) {
        return null;
      }
    }
  }
}
