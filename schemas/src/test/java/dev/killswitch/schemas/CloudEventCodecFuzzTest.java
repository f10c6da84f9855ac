package dev.killswitch.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec.CodecException;
import dev.killswitch.schemas.fuzz.JsonMutator;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Fuzzing of the CloudEvents codec: records and structured bodies built from every golden event, then mutated
 * ({@link JsonMutator}: a random node of the data or envelope replaced with another JSON type; headers dropped or
 * replaced with random bytes, invalid UTF-8, lone surrogates, huge numbers, deep nesting). Decoding either gives an envelope
 * or throws {@link CodecException}; never another exception. (IdentityRef.parse is fuzzed by
 * {@link IdentityRefPropertiesTest}.)
 */
class CloudEventCodecFuzzTest {

  private static final JsonMutator MUTATOR = new JsonMutator("not a uri \u0000", "urn:", "::",
      "2024-13-45T99:99:99Z", "1.0", "0.3", "2.0", "dev.killswitch.k8s.audit.v1",
      "dev.killswitch.revocation.requested.v1", "application/json", "text/plain");
  private static final String[] HEADERS = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time",
      "ce_subject", "ce_partitionkey", "ce_dataschema", "content-type"};

  @Property(tries = 400)
  void aMutatedRecordDecodesOrIsRejectedWithCodecException(@ForAll("types") EventType type, @ForAll long seed) {
    Random random = new Random(seed);
    JsonNode data = EventSchemas.golden(type).deepCopy();
    if (random.nextInt(3) > 0) {
      data = MUTATOR.mutate(data, random);
    }
    RecordHeaders headers = new RecordHeaders();
    String[][] valid = {{"ce_specversion", "1.0"}, {"ce_id", "id-1"}, {"ce_source", "urn:killswitch:test"},
        {"ce_type", type.type()}, {"ce_time", "2024-04-16T08:29:33Z"}, {"ce_subject", "k8s:prod:sa/a/b"},
        {"ce_partitionkey", "k8s:prod:sa/a/b"}, {"content-type", "application/json"}};
    for (String[] h : valid) {
      switch (random.nextInt(8)) {
        case 0 -> { } // dropped
        case 1 -> headers.add(h[0], randomBytes(random));
        case 2 -> headers.add(h[0], MUTATOR.string(random).getBytes(StandardCharsets.UTF_8));
        default -> headers.add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
      }
    }
    if (random.nextInt(5) == 0) {
      headers.add(HEADERS[random.nextInt(HEADERS.length)], random.nextBoolean() ? null : randomBytes(random));
    }
    byte[] value = switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> randomBytes(random);
      default -> JsonMutator.bytes(data);
    };
    decodes(() -> CloudEventCodec.fromKafka(headers, value));
  }

  @Property(tries = 400)
  void aMutatedStructuredBodyDecodesOrIsRejectedWithCodecException(@ForAll("types") EventType type,
                                                                   @ForAll long seed) {
    Random random = new Random(seed);
    ObjectNode ce = JsonNodeFactory.instance.objectNode();
    ce.put("specversion", "1.0").put("id", "id-1").put("source", "urn:killswitch:test").put("type", type.type())
        .put("time", "2024-04-16T08:29:33Z").put("partitionkey", "k").put("datacontenttype", "application/json");
    ce.set("data", EventSchemas.golden(type).deepCopy());
    byte[] bytes = JsonMutator.bytes(MUTATOR.mutate(ce, random, random.nextInt(4)));
    if (random.nextInt(6) == 0) {
      bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
    }
    byte[] input = bytes;
    decodes(() -> CloudEventCodec.fromStructuredJson(input));
  }

  @Property(tries = 200)
  void arbitraryBytesAreRejectedWithCodecException(@ForAll byte[] bytes) {
    decodes(() -> CloudEventCodec.fromStructuredJson(bytes));
    decodes(() -> CloudEventCodec.fromKafka(new RecordHeaders(), bytes));
  }

  @Example
  void deeplyNestedDataIsRejectedWithCodecException() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    byte[] structured = ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"urn:x\",\"type\":\""
        + EventType.K8S_AUDIT.type() + "\",\"datacontenttype\":\"application/json\",\"data\":" + deep + "}")
        .getBytes(StandardCharsets.UTF_8);
    decodes(() -> CloudEventCodec.fromStructuredJson(structured));
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_id", "1".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_source", "urn:x".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_type", EventType.K8S_AUDIT.type().getBytes(StandardCharsets.UTF_8));
    headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
    decodes(() -> CloudEventCodec.fromKafka(headers, deep.getBytes(StandardCharsets.UTF_8)));
  }

  @Provide
  Arbitrary<EventType> types() {
    return Arbitraries.of(EventType.class);
  }

  private static void decodes(Runnable decode) {
    try {
      decode.run();
    } catch (CodecException e) {
      // rejected: the one way to refuse
    } catch (Throwable t) {
      throw new AssertionError("not a CodecException: " + t, t);
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(40)];
    random.nextBytes(b);
    return b;
  }
}
