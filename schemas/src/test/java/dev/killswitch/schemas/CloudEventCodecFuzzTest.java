package dev.killswitch.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec.CodecException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * (a random node of the data or envelope replaced with another JSON type, headers dropped or replaced with
 * random bytes, invalid UTF-8, lone surrogates, huge numbers, deep nesting). Decoding either gives an envelope
 * or throws {@link CodecException}; never another exception. (IdentityRef.parse is fuzzed by
 * {@link IdentityRefPropertiesTest}.)
 */
class CloudEventCodecFuzzTest {

  private static final String[] NASTY = {"", "\u0000", "\ud800", "x\udfffy", "\u202egnp.exe", "\ufeff", "\uffff",
      "null", "1e400", "not a uri \u0000", "urn:", "::", "2024-13-45T99:99:99Z", "1.0", "0.3", "2.0",
      "dev.killswitch.k8s.audit.v1", "dev.killswitch.revocation.requested.v1", "application/json", "text/plain"};
  private static final String[] HEADERS = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time",
      "ce_subject", "ce_partitionkey", "ce_dataschema", "content-type"};

  @Property(tries = 400)
  void aMutatedRecordDecodesOrIsRejectedWithCodecException(@ForAll("types") EventType type, @ForAll long seed) {
    Random random = new Random(seed);
    JsonNode data = EventSchemas.golden(type).deepCopy();
    if (random.nextInt(3) > 0) {
      data = mutate(data, random);
    }
    RecordHeaders headers = new RecordHeaders();
    String[][] valid = {{"ce_specversion", "1.0"}, {"ce_id", "id-1"}, {"ce_source", "urn:killswitch:test"},
        {"ce_type", type.type()}, {"ce_time", "2024-04-16T08:29:33Z"}, {"ce_subject", "k8s:prod:sa/a/b"},
        {"ce_partitionkey", "k8s:prod:sa/a/b"}, {"content-type", "application/json"}};
    for (String[] h : valid) {
      switch (random.nextInt(8)) {
        case 0 -> { } // dropped
        case 1 -> headers.add(h[0], randomBytes(random));
        case 2 -> headers.add(h[0], NASTY[random.nextInt(NASTY.length)].getBytes(StandardCharsets.UTF_8));
        default -> headers.add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
      }
    }
    if (random.nextInt(5) == 0) {
      headers.add(HEADERS[random.nextInt(HEADERS.length)], random.nextBoolean() ? null : randomBytes(random));
    }
    byte[] value = switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> randomBytes(random);
      default -> bytes(data);
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
    JsonNode body = ce;
    for (int i = random.nextInt(4); i > 0; i--) {
      body = mutate(body, random);
    }
    byte[] bytes = bytes(body);
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

  static JsonNode mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty() || random.nextInt(25) == 0) {
      return randomValue(random);
    }
    JsonNode parent = containers.get(random.nextInt(containers.size()));
    if (parent instanceof ObjectNode o && o.size() > 0) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.get(random.nextInt(names.size()));
      if (random.nextInt(8) == 0) {
        o.remove(name);
      } else {
        o.set(name, randomValue(random));
      }
    } else if (parent instanceof ArrayNode a && a.size() > 0) {
      a.set(random.nextInt(a.size()), randomValue(random));
    }
    return root;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private static JsonNode randomValue(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(12)) {
      case 0 -> f.nullNode();
      case 1 -> f.booleanNode(random.nextBoolean());
      case 2 -> f.numberNode(random.nextLong());
      case 3 -> f.numberNode(new BigInteger("9".repeat(1 + random.nextInt(400))));
      case 4 -> f.numberNode(new BigDecimal("1e" + (random.nextInt(800) - 400)));
      case 5 -> f.textNode(NASTY[random.nextInt(NASTY.length)]);
      case 6 -> f.textNode("x".repeat(50_000));
      case 7 -> f.arrayNode();
      case 8 -> f.objectNode();
      case 9 -> {
        JsonNode n = f.arrayNode();
        for (int i = random.nextInt(300); i > 0; i--) {
          n = f.arrayNode().add(n);
        }
        yield n;
      }
      case 10 -> f.arrayNode().add(NASTY[random.nextInt(NASTY.length)]);
      default -> {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 1 + random.nextInt(30); i++) {
          s.append((char) random.nextInt(0x10000));
        }
        yield f.textNode(s.toString());
      }
    };
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(40)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
