package dev.killswitch.ingest.internal;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each source last had an event accepted by this process, by CloudEvent source ({@code k8s://prod},
 * {@code aws://123456789012/eu-west-1}, {@code github://acme/app}, a CDEvents source): what the source-gap
 * monitor reads. Written on every acknowledged batch, so it is lock-free.
 */
public final class SourceActivity {

  /** One source: the ingest path it arrives through ({@code k8s-audit}, {@code github}, ...) and when it was last seen. */
  public record Seen(String path, URI source, Instant at) {}

  private final Map<URI, Seen> lastSeen = new ConcurrentHashMap<>();

  /** Records an accepted event; a later time replaces an earlier one, never the reverse. */
  public void seen(String path, URI source, Instant at) {
    lastSeen.merge(source, new Seen(path, source, at), (old, now) -> now.at().isBefore(old.at()) ? old : now);
  }

  /** A snapshot of every source seen so far. */
  public Map<URI, Seen> snapshot() {
    return Map.copyOf(lastSeen);
  }
}
