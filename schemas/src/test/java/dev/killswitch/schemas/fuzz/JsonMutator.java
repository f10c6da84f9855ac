package dev.killswitch.schemas.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Random damage to JSON trees, for the fuzz tests of every module that parses untrusted JSON (the CloudEvents codec,
 * ingest's normalizers, the revoker's request parsers): a node replaced with a value of another JSON type, a field
 * removed or added under a hostile name; hostile strings, huge numbers, deep nesting, long text. Shared through the
 * schemas test-jar ({@code <type>test-jar</type>}); deterministic for a given {@link Random}, so a failing seed
 * reproduces.
 */
public final class JsonMutator {

  /**
   * Strings that trip decoders everywhere: empty, NUL, lone surrogates, a bidi override, a BOM, a noncharacter, an
   * emoji (a surrogate pair), JSON-looking text, a number too large for a double, control characters, quotes.
   */
  public static final List<String> NASTY = List.of("", "\u0000", "\ud800", "\udfff", "x\ud800y", "x\udfffy",
      "\u202egnp.exe", "\u202e\u202dgnp.exe", "\ufeff", "\uffff", "\ud83d\ude00", "null", "-1", "1e400", "\n\r\t",
      "\"", "\\", ":", "/");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final List<String> strings;

  /** Mutates with {@link #NASTY} and the caller's own strings (references, enum values, dates it parses). */
  public JsonMutator(String... domainStrings) {
    this.strings = Stream.concat(NASTY.stream(), Arrays.stream(domainStrings)).distinct().toList();
  }

  /** The hostile strings this mutator uses. */
  public List<String> strings() {
    return strings;
  }

  public String string(Random random) {
    return strings.get(random.nextInt(strings.size()));
  }

  /** {@code times} rounds of {@link #mutate(JsonNode, Random)}. */
  public JsonNode mutate(JsonNode root, Random random, int times) {
    JsonNode node = root;
    for (int i = 0; i < times; i++) {
      node = mutate(node, random);
    }
    return node;
  }

  /**
   * One mutation, in place: a random field or element of a random container replaced with {@link #randomValue},
   * a field removed, or a field added under a hostile name; now and then the whole tree replaced. Returns the root
   * (a new one when replaced).
   */
  public JsonNode mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty() || random.nextInt(20) == 0) {
      return randomValue(random);
    }
    JsonNode parent = containers.get(random.nextInt(containers.size()));
    if (parent instanceof ObjectNode o && o.size() > 0) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(10)) {
        case 0 -> o.remove(name);
        case 1 -> o.set(string(random), randomValue(random));
        default -> o.set(name, randomValue(random));
      }
    } else if (parent instanceof ArrayNode a && a.size() > 0) {
      a.set(random.nextInt(a.size()), randomValue(random));
    }
    return root;
  }

  /** A value of any JSON type, chosen to hurt: null, extremes, hostile or long text, empty or deep containers. */
  public JsonNode randomValue(Random random) {
    return switch (random.nextInt(14)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(random.nextBoolean());
      case 2 -> F.numberNode(random.nextLong());
      case 3 -> F.numberNode(new BigInteger("9".repeat(1 + random.nextInt(400))));
      case 4 -> F.numberNode(new BigDecimal("1e" + (random.nextInt(800) - 400)));
      case 5 -> F.numberNode(random.nextBoolean() ? Double.MAX_VALUE : -0.0);
      case 6 -> F.textNode(string(random));
      case 7 -> F.textNode("x".repeat(100_000 + random.nextInt(1000)));
      case 8 -> F.arrayNode();
      case 9 -> F.objectNode();
      case 10 -> nested(1 + random.nextInt(300));
      case 11 -> {
        ArrayNode a = F.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          a.add(F.textNode(string(random)));
        }
        yield a;
      }
      case 12 -> F.objectNode().put(string(random), string(random));
      default -> {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 1 + random.nextInt(30); i++) {
          s.append((char) random.nextInt(0x10000));
        }
        yield F.textNode(s.toString());
      }
    };
  }

  /** The tree as JSON bytes (lone surrogates as Jackson writes them). */
  public static byte[] bytes(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Arrays nested {@code depth} deep ({@code [[[]]]} is 3). */
  public static JsonNode nested(int depth) {
    JsonNode n = F.arrayNode();
    for (int i = 1; i < depth; i++) {
      n = F.arrayNode().add(n);
    }
    return n;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }
}
