package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.IdentityRef.Kind;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each JSON Schema describes its data record exactly: the same field names at every level, JSON types that match
 * the Java types, the enums' wire values, no other fields, and every primitive (always written) either required or
 * given a default.
 */
class EventSchemasTest {

  @ParameterizedTest
  @EnumSource(EventType.class)
  void schemaDescribesTheDataRecordExactly(EventType type) {
    JsonNode root = EventSchemas.schemaJson(type);
    List<String> problems = new ArrayList<>();
    compareRecord(root, root, type.dataClass(), type.dataClass().getSimpleName(), problems);
    assertThat(problems).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void theGeneralReferencePatternAcceptsEveryKindAndNoFreeText(EventType type) {
    List<String> patterns = new ArrayList<>();
    EventSchemas.schemaJson(type).findValues("pattern").forEach(p -> patterns.add(p.asText()));
    List<String> general = patterns.stream().filter(GENERAL_REF::equals).toList();
    if (!Set.of(EventType.ALERT, EventType.CI_RUN, EventType.CI_JOB).contains(type)) {
      assertThat(general).as("fields holding any identity reference").isNotEmpty();
    }
    List<String> references = IdentityRefTest.examples().map(a -> a.get()[0].toString()).toList();
    for (String ref : references) {
      assertThat(ref).matches(GENERAL_REF);
    }
    for (String pattern : patterns) {
      if (pattern.contains("k8s:") || pattern.contains("ci:") || pattern.contains("aws:")) {
        assertThat(references).as(pattern).anyMatch(r -> r.matches(pattern));
        assertThat("alice").doesNotMatch(pattern);
        assertThat("k8s:prod:user/alice smith").doesNotMatch(pattern);
      }
    }
  }

  private static final String GENERAL_REF = "^(ci:(github|gitlab|cdevents):|oidc:|k8s:|aws:|gcp:)\\S+$";

  private static void compareRecord(JsonNode root, JsonNode schema, Class<?> record, String path, List<String> problems) {
    schema = resolve(root, schema);
    if (!"object".equals(text(schema, "type"))) {
      problems.add(path + ": schema type is not object");
      return;
    }
    if (!schema.path("additionalProperties").isBoolean() || schema.get("additionalProperties").asBoolean()) {
      problems.add(path + ": additionalProperties must be false");
    }
    Set<String> components = new TreeSet<>();
    Arrays.stream(record.getRecordComponents()).forEach(c -> components.add(c.getName()));
    Set<String> properties = new TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(properties::add);
    if (!components.equals(properties)) {
      problems.add(path + ": record fields " + components + " but schema properties " + properties);
    }
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    if (!properties.containsAll(required)) {
      problems.add(path + ": required names unknown fields " + required);
    }
    for (RecordComponent c : record.getRecordComponents()) {
      JsonNode property = schema.path("properties").get(c.getName());
      if (property == null) {
        continue;
      }
      String where = path + "." + c.getName();
      if (c.getType().isPrimitive() && !required.contains(c.getName()) && !property.has("default")) {
        problems.add(where + ": a primitive is always written, so it is required or has a default");
      }
      compareValue(root, property, c.getGenericType(), where, problems);
    }
  }

  private static void compareValue(JsonNode root, JsonNode schema, Type type, String path, List<String> problems) {
    schema = resolve(root, schema);
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (raw == String.class) {
      if (!"string".equals(text(schema, "type")) && !allStrings(schema.get("enum"))) {
        problems.add(path + ": String but schema is " + schema);
      }
    } else if (raw == Instant.class) {
      if (!"string".equals(text(schema, "type")) || !"date-time".equals(text(schema, "format"))) {
        problems.add(path + ": Instant but schema is not a date-time string");
      }
    } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      expectType(schema, "integer", path, problems);
    } else if (raw == double.class || raw == Double.class) {
      expectType(schema, "number", path, problems);
    } else if (raw == boolean.class || raw == Boolean.class) {
      expectType(schema, "boolean", path, problems);
    } else if (raw == JsonNode.class) {
      expectType(schema, "object", path, problems);
    } else if (raw.isEnum()) {
      Set<String> wire = new TreeSet<>();
      for (Object constant : raw.getEnumConstants()) {
        wire.add(wireValue(constant));
      }
      Set<String> allowed = new TreeSet<>();
      schema.path("enum").forEach(v -> allowed.add(v.asText()));
      if (!wire.equals(allowed)) {
        problems.add(path + ": enum wire values " + wire + " but schema allows " + allowed);
      }
    } else if (raw == List.class) {
      expectType(schema, "array", path, problems);
      compareValue(root, schema.get("items"), ((ParameterizedType) type).getActualTypeArguments()[0], path + "[]",
          problems);
    } else if (raw == Map.class) {
      expectType(schema, "object", path, problems);
      compareValue(root, schema.get("additionalProperties"), ((ParameterizedType) type).getActualTypeArguments()[1],
          path + "{}", problems);
    } else if (raw.isRecord()) {
      compareRecord(root, schema, raw, path, problems);
    } else {
      problems.add(path + ": no JSON mapping known for " + raw);
    }
  }

  @ParameterizedTest
  @EnumSource(value = EventType.class, names = "CHAIN")
  void chainNodeKindsAreTheIdentityReferenceKinds(EventType type) {
    Set<String> allowed = new TreeSet<>();
    EventSchemas.schemaJson(type).at("/$defs/node/properties/kind/enum").forEach(v -> allowed.add(v.asText()));
    Set<String> kinds = new TreeSet<>();
    for (Kind k : Kind.values()) {
      kinds.add(k.wireName());
    }
    assertThat(allowed).isEqualTo(kinds);
  }

  private static String wireValue(Object constant) {
    for (Method m : constant.getClass().getMethods()) {
      if (m.isAnnotationPresent(JsonValue.class)) {
        try {
          return String.valueOf(m.invoke(constant));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return ((Enum<?>) constant).name();
  }

  private static void expectType(JsonNode schema, String expected, String path, List<String> problems) {
    if (!expected.equals(text(schema, "type"))) {
      problems.add(path + ": expected JSON type " + expected + " but schema is " + schema);
    }
  }

  private static boolean allStrings(JsonNode values) {
    if (values == null || !values.isArray() || values.isEmpty()) {
      return false;
    }
    for (Iterator<JsonNode> it = values.elements(); it.hasNext(); ) {
      if (!it.next().isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode resolve(JsonNode root, JsonNode schema) {
    if (schema != null && schema.has("$ref")) {
      return root.at(schema.get("$ref").asText().substring(1));
    }
    return schema == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : schema;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null ? null : v.asText();
  }
}
