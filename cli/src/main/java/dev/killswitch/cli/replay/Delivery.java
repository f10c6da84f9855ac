package dev.killswitch.cli.replay;

import java.nio.file.Path;
import java.util.Map;

/**
 * One HTTP request a recording turns into: the source (which says the path and how to authenticate), the
 * headers that describe the content (never credentials: the sender adds those), the body, and how many events
 * it carries (for the progress bar).
 *
 * @param file the recording it came from
 * @param part its position among the deliveries of that file (JSON-lines audit logs are sent in chunks)
 */
public record Delivery(Path file, int part, Source source, Map<String, String> headers, byte[] body, int events) {}
