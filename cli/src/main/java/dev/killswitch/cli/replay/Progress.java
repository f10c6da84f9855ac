package dev.killswitch.cli.replay;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal: events sent of the total, rate and ETA, redrawn in place at most ten
 * times a second. Disabled, it prints nothing (the caller prints its summary either way).
 */
public final class Progress {

  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final long total;
  private final boolean enabled;
  private final LongSupplier nanoTime;
  private final long start;
  private long done;
  private long lastDraw = Long.MIN_VALUE;
  private int lastLength;

  public Progress(PrintWriter err, long total, boolean enabled, LongSupplier nanoTime) {
    this.err = err;
    this.total = Math.max(total, 1);
    this.enabled = enabled;
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
  }

  public void advance(int events) {
    done += events;
    long now = nanoTime.getAsLong();
    if (enabled && (lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_NANOS || done >= total)) {
      lastDraw = now;
      draw(now);
    }
  }

  /** Clears the bar so that the summary starts on a clean line. */
  public void finish() {
    if (enabled && lastLength > 0) {
      err.print("\r" + " ".repeat(lastLength) + "\r");
      err.flush();
    }
  }

  /** The bar as drawn now, e.g. {@code [##########··········]  12/40 events  8.1/s  ETA 0:03}. */
  String line(long now) {
    double seconds = Math.max((now - start) / 1e9, 1e-3);
    double rate = done / seconds;
    int filled = (int) Math.min(WIDTH, Math.round(WIDTH * (double) done / total));
    String eta = rate <= 0 ? "--:--" : clock((long) Math.ceil((total - Math.min(done, total)) / rate));
    return String.format(Locale.ROOT, "replay [%s%s] %d/%d events  %.1f/s  ETA %s", "#".repeat(filled),
        ".".repeat(WIDTH - filled), done, total, rate, eta);
  }

  private void draw(long now) {
    String line = line(now);
    err.print("\r" + line + (line.length() < lastLength ? " ".repeat(lastLength - line.length()) : ""));
    err.flush();
    lastLength = line.length();
  }

  private static String clock(long seconds) {
    return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  /** True when this process's standard error is a terminal (Linux: fd 2 is a tty or pty). */
  public static boolean stderrIsTerminal() {
    try {
      java.nio.file.Path fd = java.nio.file.Path.of("/proc/self/fd/2");
      if (java.nio.file.Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        String target = java.nio.file.Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      }
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      // not Linux: fall back below
    }
    return System.console() != null;
  }
}
