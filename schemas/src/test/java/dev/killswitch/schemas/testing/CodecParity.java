package dev.killswitch.schemas.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Holds {@link CloudEventCodec#toKafka}, which writes its records itself, to what the generic path gives: the
 * CloudEvents SDK's binary Kafka writer for the same CloudEvent (every header, in order, byte for byte; key, topic,
 * partition, timestamp) and Jackson's bean serializer ({@code Json.mapper()}) for the data. Shared by the schemas'
 * parity properties and ingest's encoding tests (schemas test-jar).
 */
public final class CodecParity {

  private CodecParity() {}

  public static void assertWrittenAsTheGenericPathWrites(Envelope<?> event) {
    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka("t", event);
    ProducerRecord<String, byte[]> sdk = KafkaMessageFactory.createWriter("t", event.partitionKey())
        .writeBinary(CloudEventCodec.toCloudEvent(event));
    assertThat(headers(record)).containsExactlyElementsOf(headers(sdk));
    assertThat(record.key()).isEqualTo(sdk.key());
    assertThat(record.topic()).isEqualTo(sdk.topic());
    assertThat(record.partition()).isEqualTo(sdk.partition());
    assertThat(record.timestamp()).isEqualTo(sdk.timestamp());
    byte[] generic;
    try {
      generic = Json.mapper().writeValueAsBytes(event.data());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(new String(generic, StandardCharsets.UTF_8));
    assertThat(record.value()).isEqualTo(generic);
  }

  /** Each header as name=its bytes, in order. */
  private static List<String> headers(ProducerRecord<String, byte[]> record) {
    List<String> out = new ArrayList<>();
    for (Header h : record.headers()) {
      out.add(h.key() + "=" + Arrays.toString(h.value()));
    }
    return out;
  }
}
