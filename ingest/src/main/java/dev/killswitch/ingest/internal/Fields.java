package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.IngestException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reading optional fields of source JSON: absent, null and empty all read as null. */
final class Fields {

  private Fields() {}

  /** The text of a scalar field, or null when absent, null or empty. Numbers read as their decimal text. */
  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }

  /** Like {@link #text} but the event is invalid without it. */
  static String required(JsonNode node, String field, String where) {
    String s = text(node, field);
    if (s == null) {
      throw IngestException.invalidEvent(where + " has no " + field);
    }
    return s;
  }

  static Integer integer(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.canConvertToInt() && v.isNumber() ? v.intValue() : null;
  }

  /** An RFC 3339 timestamp, or null when absent; an unparseable one makes the event invalid. */
  static Instant instant(JsonNode node, String field) {
    String s = text(node, field);
    if (s == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw IngestException.invalidEvent(field + " is not an RFC 3339 timestamp: " + s);
    }
  }

  /** The texts of an array of scalars; empty when absent. */
  static List<String> texts(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    List<String> out = new ArrayList<>();
    if (v != null && v.isArray()) {
      for (JsonNode item : v) {
        if (item.isValueNode() && !item.isNull()) {
          out.add(item.asText());
        }
      }
    }
    return out;
  }

  /** The first non-null of the values. */
  @SafeVarargs
  static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
