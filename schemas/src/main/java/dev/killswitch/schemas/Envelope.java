package dev.killswitch.schemas;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A Killswitch CloudEvent: the context attributes of DESIGN.md plus typed data.
 *
 * @param id deterministic from the source, so that redelivery dedupes
 * @param source e.g. {@code k8s://prod-eu}, {@code github://acme/app}
 * @param subject the actor's identity reference
 * @param time when it happened at the source, held in UTC (the decoder reads every time back in UTC, so an
 *     envelope built with another offset is normalized here to stay equal to itself after a round trip)
 * @param partitionKey the CloudEvents {@code partitionkey} extension, also the Kafka record key
 */
public record Envelope<T>(String id, URI source, EventType type, String subject, OffsetDateTime time,
                          String partitionKey, T data) {

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    time = time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC);
    if (!type.dataClass().isInstance(data)) {
      throw new IllegalArgumentException(type.type() + " carries " + type.dataClass().getSimpleName()
          + ", not " + data.getClass().getSimpleName());
    }
  }

  /** The data as the given record type. */
  public <D> D dataAs(Class<D> cls) {
    return cls.cast(data);
  }
}
