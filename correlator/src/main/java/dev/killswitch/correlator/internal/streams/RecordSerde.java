package dev.killswitch.correlator.internal.streams;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The records of the state stores and repartition topics (never CloudEvents: those are the wire contract), mapped
 * as by {@link Json#mapper()} and written as Smile, Jackson's binary form of the same data model: smaller and
 * cheaper to write and read than JSON text, with repeated property names and short repeated values (identity
 * references) written once per record. Reads take Smile or JSON, so changelogs and repartition topics written by
 * earlier versions (JSON) are still read after an upgrade; records are rewritten as Smile when they change.
 */
public final class RecordSerde<T> implements Serde<T> {

  /** Configured as {@link Json#mapper()} is (its records, the same way), writing Smile and instants as numbers. */
  private static final ObjectMapper SMILE = SmileMapper.builder(SmileFactory.builder()
          .enable(SmileGenerator.Feature.CHECK_SHARED_STRING_VALUES).build())
      .addModule(new JavaTimeModule())
      .addModule(instantsAsNumbers())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();
  /** Every Smile document starts with this header (":)\n"); JSON text never does. */
  private static final byte[] SMILE_HEADER = {':', ')', '\n'};

  /**
   * Instants as epoch nanoseconds (a number, not ISO-8601 text: formatting and parsing times was a third of the
   * encoding cost), as ISO text when out of that range; ISO text, as earlier versions wrote it, is still read.
   */
  private static SimpleModule instantsAsNumbers() {
    SimpleModule m = new SimpleModule("killswitch-internal-instants");
    m.addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
      @Override
      public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        long seconds = value.getEpochSecond();
        if (seconds > -9_000_000_000L && seconds < 9_000_000_000L) {
          gen.writeNumber(seconds * 1_000_000_000L + value.getNano());
        } else {
          gen.writeString(value.toString()); // beyond the years 1684 to 2255 (an untrusted source's time)
        }
      }
    });
    m.addDeserializer(Instant.class, new StdDeserializer<>(Instant.class) {
      @Override
      public Instant deserialize(JsonParser p, DeserializationContext context) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
          long nanos = p.getLongValue();
          return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        }
        return InstantDeserializer.INSTANT.deserialize(p, context);
      }
    });
    return m;
  }

  private final Class<T> type;

  private RecordSerde(Class<T> type) {
    this.type = type;
  }

  public static <T> RecordSerde<T> of(Class<T> type) {
    return new RecordSerde<>(type);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        return SMILE.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new SerializationException("cannot write " + type.getSimpleName(), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return (isSmile(bytes) ? SMILE : Json.mapper()).readValue(bytes, type);
      } catch (IOException e) {
        throw new SerializationException("cannot read " + type.getSimpleName(), e);
      }
    };
  }

  private static boolean isSmile(byte[] bytes) {
    return bytes.length >= SMILE_HEADER.length && bytes[0] == SMILE_HEADER[0] && bytes[1] == SMILE_HEADER[1]
        && bytes[2] == SMILE_HEADER[2];
  }
}
