package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.fuzz.JsonMutator;
import dev.killswitch.schemas.testing.CodecParity;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link CloudEventCodec#toKafka} writes its records itself (headers directly, k8s audit data by
 * {@link K8sAuditJson}); these properties hold it to what the generic path gives: the CloudEvents SDK's binary
 * Kafka writer for the same CloudEvent (every header, in order, byte for byte; key, topic, partition, timestamp)
 * and Jackson's bean serializer for the data.
 */
class CloudEventCodecParityTest {

  private static final String[] NASTY = {"", "\u0000", "x\ud800y", "\u202egnp.exe", "\ufeff", "\uffff", "é✓😀",
      "\"quoted\" \\ back", "\n\r\t", "k8s:prod:sa/ci/deployer", "JTI=1", "</script>", "1e400"};

  @Property(tries = 400)
  void everyTypeIsWrittenAsTheSdkAndTheBeanSerializerWriteIt(@ForAll("types") EventType type, @ForAll long seed)
      throws Exception {
    Random random = new Random(seed);
    Object data = Json.mapper().treeToValue(EventSchemas.golden(type), type.dataClass());
    CodecParity.assertWrittenAsTheGenericPathWrites(envelope(type, data, random));
  }

  @Property(tries = 400)
  void anyK8sAuditEventIsWrittenAsTheBeanSerializerWritesIt(@ForAll long seed) {
    Random random = new Random(seed);
    CodecParity.assertWrittenAsTheGenericPathWrites(envelope(EventType.K8S_AUDIT, k8sAuditEvent(random), random));
  }

  private static Envelope<?> envelope(EventType type, Object data, Random random) {
    OffsetDateTime time = random.nextInt(5) == 0 ? null : Instant.ofEpochSecond(
        random.nextLong(-62_167_219_200L, 253_402_300_799L + 86_400L * 365 * 3), nanos(random))
        .atOffset(random.nextBoolean() ? ZoneOffset.UTC : ZoneOffset.ofHours(random.nextInt(-12, 15)));
    String id = random.nextBoolean() ? "id-" + random.nextInt() : string(random);
    URI source = URI.create(random.nextBoolean() ? "k8s://prod-eu" : "urn:killswitch:x%C3%A9" + random.nextInt(9));
    return new Envelope<>(id, source, type, optional(random), time, optional(random), data);
  }

  private static K8sAuditEvent k8sAuditEvent(Random r) {
    Map<String, List<String>> extra = r.nextInt(4) == 0 ? null : new LinkedHashMap<>();
    for (int i = 0; extra != null && i < r.nextInt(4); i++) {
      extra.put(string(r), strings(r));
    }
    K8sAuditEvent.User user = r.nextInt(4) == 0 ? null
        : new K8sAuditEvent.User(optional(r), optional(r), strings(r), extra);
    K8sAuditEvent.ObjectRef ref = r.nextInt(4) == 0 ? null : new K8sAuditEvent.ObjectRef(optional(r), optional(r),
        optional(r), optional(r), optional(r), optional(r));
    K8sAuditEvent.BindingChange binding = r.nextInt(2) == 0 ? null
        : new K8sAuditEvent.BindingChange(optional(r), optional(r), strings(r), strings(r));
    JsonNode raw = r.nextInt(5) == 0 ? null
        : new JsonMutator().mutate(EventSchemas.golden(EventType.K8S_AUDIT).get("raw").deepCopy(), r);
    return new K8sAuditEvent(optional(r), optional(r), optional(r), optional(r), optional(r), optional(r), user,
        optional(r), optional(r), optional(r), optional(r), optional(r), optional(r), ref, strings(r), optional(r),
        optional(r), optional(r), r.nextBoolean() ? null : r.nextInt(), optional(r), optional(r), binding,
        r.nextBoolean(), instant(r), instant(r), raw);
  }

  private static Instant instant(Random r) {
    return r.nextInt(4) == 0 ? null : Instant.ofEpochSecond(r.nextBoolean() ? r.nextLong(0, 4_000_000_000L)
        : r.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()), nanos(r));
  }

  private static int nanos(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> 0;
      case 1 -> r.nextInt(1000) * 1_000_000;
      case 2 -> r.nextInt(1_000_000) * 1000;
      default -> r.nextInt(1_000_000_000);
    };
  }

  private static List<String> strings(Random r) {
    if (r.nextInt(4) == 0) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.nextInt(4); i++) {
      out.add(r.nextInt(6) == 0 ? null : string(r));
    }
    return out;
  }

  private static String optional(Random r) {
    return r.nextInt(3) == 0 ? null : string(r);
  }

  private static String string(Random r) {
    if (r.nextBoolean()) {
      return NASTY[r.nextInt(NASTY.length)];
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < r.nextInt(30); i++) {
      s.append((char) (r.nextBoolean() ? r.nextInt(0x20, 0x7f) : r.nextInt(0x10000)));
    }
    return s.toString();
  }

  @Provide
  Arbitrary<EventType> types() {
    return Arbitraries.of(EventType.class);
  }
}
