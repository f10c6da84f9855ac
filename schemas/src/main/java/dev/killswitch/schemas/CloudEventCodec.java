package dev.killswitch.schemas;

import dev.killswitch.schemas.event.K8sAuditEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one CloudEvents codec: Kafka protocol binding in binary mode (ce_* headers, JSON data, the
 * {@code partitionkey} extension as record key) and the HTTP structured JSON format.
 */
public final class CloudEventCodec {

  public static final String PARTITION_KEY = "partitionkey";
  public static final String JSON = "application/json";
  private static final EventFormat STRUCTURED = new JsonFormat();

  private CloudEventCodec() {}

  /**
   * The record to produce: key = partition key, ce_* headers, JSON data as value. Written directly: the headers
   * (names, order and bytes) are those the SDK's {@code KafkaMessageFactory.createWriter(topic, key).writeBinary}
   * gives for {@link #toCloudEvent}, without building the CloudEvent and walking it through the SDK's writers
   * for every record (ingest writes one per source event).
   */
  public static ProducerRecord<String, byte[]> toKafka(String topic, Envelope<?> event) {
    RecordHeaders headers = new RecordHeaders();
    header(headers, "ce_specversion", SpecVersion.V1.toString());
    header(headers, "ce_id", event.id());
    header(headers, "ce_source", event.source().toString());
    header(headers, "ce_type", event.type().type());
    header(headers, "content-type", JSON);
    header(headers, "ce_dataschema", event.type().dataschema().toString());
    if (event.subject() != null) {
      header(headers, "ce_subject", event.subject());
    }
    if (event.time() != null) {
      header(headers, "ce_time", IsoTimes.offsetUtc(event.time()));
    }
    if (event.partitionKey() != null) {
      header(headers, "ce_" + PARTITION_KEY, event.partitionKey());
    }
    return new ProducerRecord<>(topic, null, null, event.partitionKey(), data(event), headers);
  }

  private static void header(RecordHeaders headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a record written by {@link #toKafka}; the data binds to the type's record. */
  public static Envelope<?> fromKafka(ConsumerRecord<?, byte[]> record) {
    return fromKafka(record.headers(), record.value());
  }

  /** The same, from headers and value (Kafka Streams processors see these, not a ConsumerRecord). */
  public static Envelope<?> fromKafka(Headers headers, byte[] value) {
    CloudEvent ce;
    try {
      MessageReader reader = KafkaMessageFactory.createReader(headers, value);
      ce = reader.toEvent();
    } catch (RuntimeException e) {
      throw CodecException.notACloudEvent(e);
    }
    return fromCloudEvent(ce);
  }

  /** HTTP structured mode: the whole event as one JSON object. */
  public static byte[] toStructuredJson(Envelope<?> event) {
    return STRUCTURED.serialize(toCloudEvent(event));
  }

  public static Envelope<?> fromStructuredJson(byte[] json) {
    CloudEvent ce;
    try {
      ce = STRUCTURED.deserialize(json);
    } catch (RuntimeException e) {
      throw CodecException.notACloudEvent(e);
    }
    if (ce == null) {
      // the SDK answers JSON null with null
      throw CodecException.notACloudEvent(new IllegalArgumentException("the body is JSON null"));
    }
    return fromCloudEvent(ce);
  }

  public static CloudEvent toCloudEvent(Envelope<?> event) {
    byte[] data = data(event);
    CloudEventBuilder b = CloudEventBuilder.v1()
        .withId(event.id())
        .withSource(event.source())
        .withType(event.type().type())
        .withDataSchema(event.type().dataschema())
        .withDataContentType(JSON)
        .withData(data);
    if (event.subject() != null) {
      b.withSubject(event.subject());
    }
    if (event.time() != null) {
      b.withTime(event.time());
    }
    if (event.partitionKey() != null) {
      b.withExtension(PARTITION_KEY, event.partitionKey());
    }
    return b.build();
  }

  /**
   * The event's data as JSON: {@code Json.mapper()}'s bytes; a k8s audit event (the one ingest writes most) by
   * {@link K8sAuditJson}, which gives the same bytes faster.
   */
  static byte[] data(Envelope<?> event) {
    try {
      return event.data() instanceof K8sAuditEvent k8s ? K8sAuditJson.write(k8s)
          : Json.mapper().writeValueAsBytes(event.data());
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + event.type().type(), e);
    }
  }

  public static Envelope<?> fromCloudEvent(CloudEvent ce) {
    EventType type = EventType.fromType(ce.getType())
        .orElseThrow(() -> CodecException.unknownType(ce.getType()));
    CloudEventData data = ce.getData();
    if (data == null) {
      throw CodecException.badData(ce.getType(), "no data");
    }
    Object value;
    try {
      value = Json.mapper().readValue(data.toBytes(), type.dataClass());
    } catch (IOException e) {
      throw CodecException.badData(ce.getType(), originalMessage(e));
    }
    if (value == null) {
      throw CodecException.badData(ce.getType(), "data is JSON null");
    }
    Object key = ce.getExtension(PARTITION_KEY);
    OffsetDateTime time = ce.getTime() == null ? null : ce.getTime().withOffsetSameInstant(ZoneOffset.UTC);
    return new Envelope<>(ce.getId(), ce.getSource(), type, ce.getSubject(), time,
        key == null ? null : key.toString(), value);
  }

  private static String originalMessage(Throwable e) {
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
  }

  /** A record or body that is not a Killswitch CloudEvent. */
  public static final class CodecException extends RuntimeException {
    /** Why decoding failed. */
    public enum Reason { NOT_A_CLOUDEVENT, UNKNOWN_TYPE, BAD_DATA }

    private final Reason reason;

    private CodecException(Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    static CodecException notACloudEvent(Throwable cause) {
      return new CodecException(Reason.NOT_A_CLOUDEVENT, "not a CloudEvent: " + originalMessage(cause), cause);
    }

    static CodecException unknownType(String type) {
      return new CodecException(Reason.UNKNOWN_TYPE, "unknown CloudEvent type " + type, null);
    }

    static CodecException badData(String type, String problem) {
      return new CodecException(Reason.BAD_DATA, "data of " + type + " does not bind: " + problem, null);
    }

    public Reason reason() {
      return reason;
    }
  }
}
