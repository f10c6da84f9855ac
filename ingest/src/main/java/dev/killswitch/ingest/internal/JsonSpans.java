package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A request body parsed once into a tree, remembering where in the bytes the root object and each object of
 * its top-level {@code items} array were (an audit EventList and the events it holds), so that an event the
 * redactor leaves untouched can be published as its own bytes ({@link VerbatimObjectNode}).
 *
 * <p>The tree is the one {@link Bodies#json} gives, and so are the errors: any body this streaming pass does
 * not take as it is (not an object, malformed, or a field name repeated inside an object whose span would be
 * kept) is parsed again by {@link Bodies#json}, without spans.
 */
public final class JsonSpans {

  /** The bytes of one object of the body. */
  public record Span(byte[] bytes, int offset, int length) {
    /** The parsed object, written as these bytes. */
    ObjectNode verbatim(ObjectNode parsed) {
      return VerbatimObjectNode.of(parsed, bytes, offset, length);
    }
  }

  /** Per-object reading: a repeated field name fails the pass (the tree would keep only the last value). */
  private static final ObjectReader OBJECTS = Json.mapper().reader()
      .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final JsonSpans NONE = new JsonSpans(null, Map.of());

  private final JsonNode root;
  private final Map<JsonNode, Span> spans;

  private JsonSpans(JsonNode root, Map<JsonNode, Span> spans) {
    this.root = root;
    this.spans = spans;
  }

  /** Parses the body; throws {@code malformed-json} exactly as {@link Bodies#json} does. */
  public static JsonSpans parse(byte[] body) {
    JsonSpans spanned = body.length == 0 ? NONE : streaming(body);
    return spanned.root != null ? spanned : new JsonSpans(Bodies.json(body), Map.of());
  }

  public JsonNode root() {
    return root;
  }

  /** The bytes the node was parsed from, or null when they are not known (or not safe to reuse). */
  public Span source(JsonNode node) {
    return spans.get(node);
  }

  private static void span(Map<JsonNode, Span> spans, JsonNode node, byte[] body, int start, int end) {
    if (start >= 0 && end <= body.length && end - start >= 2 && body[start] == '{' && body[end - 1] == '}') {
      spans.put(node, new Span(body, start, end - start));
    }
  }

  /** The root object field by field, its {@code items} item by item; {@link #NONE} for anything unusual. */
  private static JsonSpans streaming(byte[] body) {
    Map<JsonNode, Span> spans = new IdentityHashMap<>();
    try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return NONE;
      }
      int rootStart = (int) p.currentTokenLocation().getByteOffset();
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      boolean repeated = false;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonNode value;
        if (p.nextToken() == JsonToken.START_ARRAY && name.equals("items")) {
          ArrayNode items = root.arrayNode();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            JsonNode item = OBJECTS.readTree(p);
            if (item.isObject()) {
              span(spans, item, body, start, (int) p.currentLocation().getByteOffset());
            }
            items.add(item);
          }
          value = items;
        } else {
          value = OBJECTS.readTree(p);
        }
        repeated |= root.replace(name, value) != null;
      }
      if (t != JsonToken.END_OBJECT) {
        return NONE;
      }
      int rootEnd = (int) p.currentLocation().getByteOffset();
      if (p.nextToken() != null) {
        return NONE;
      }
      if (!repeated) {
        span(spans, root, body, rootStart, rootEnd);
      }
      return new JsonSpans(root, spans);
    } catch (IOException | RuntimeException e) {
      // malformed, or a repeated name: Bodies.json answers for the body
      return NONE;
    }
  }
}
