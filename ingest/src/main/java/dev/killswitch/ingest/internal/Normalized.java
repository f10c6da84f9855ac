package dev.killswitch.ingest.internal;

import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.Envelope;
import java.util.List;

/** What a normalizer made of one source record: an event to publish, a record deliberately dropped, or a bad one. */
public sealed interface Normalized {

  /**
   * An event to publish.
   *
   * @param warnings short codes of fields that were present but unusable and left out (e.g. {@code invalid-ci-run})
   */
  record Publish(Envelope<?> event, List<String> warnings) implements Normalized {
    public Publish {
      warnings = List.copyOf(warnings);
    }
  }

  /** A record dropped on purpose (an audit stage without new information, an event type Killswitch does not use). */
  record Ignore(String reason) implements Normalized {}

  /** A record that cannot be normalized; {@code redactedSource} goes to the dead letter topic. */
  record Reject(IngestException problem, byte[] redactedSource) implements Normalized {}
}
