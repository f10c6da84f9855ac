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
      return rfc3339(s);
    } catch (DateTimeParseException e) {
      throw IngestException.invalidEvent(field + " is not an RFC 3339 timestamp: " + s);
    }
  }

  /**
   * {@code OffsetDateTime.parse(s).toInstant()}, with a hand-written path for the shape sources send
   * ({@code 2025-03-04T10:16:02.503000Z}, {@code ...+02:00}: four-digit year, seconds present, 0 to 9 fraction
   * digits, {@code Z} or {@code ±HH:MM}); anything else, and any field out of range, goes to
   * {@link OffsetDateTime#parse}, which accepts or refuses it as before.
   */
  static Instant rfc3339(String s) {
    Instant fast = fastRfc3339(s);
    return fast != null ? fast : OffsetDateTime.parse(s).toInstant();
  }

  private static Instant fastRfc3339(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        nanos = nanos * 10 + (s.charAt(i++) - '0');
      }
      if (i == start || (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9')) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || oh > 18 || om < 0 || om > 59 || (oh == 18 && om > 0)) {
        return null;
      }
      offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
  }

  /** The value of {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
