package dev.killswitch.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records for {@code killswitch.deadletter}: the rejected bytes (truncated), no key, the reason in headers.
 * Callers redact secrets before handing bytes here.
 */
public final class DeadLetter {

  /** Header: a short machine-readable reason, e.g. {@code malformed-json}, {@code bad-signature}. */
  public static final String REASON = "ks_reason";
  /** Header: the human-readable problem. */
  public static final String DETAIL = "ks_detail";
  /** Header: where the bytes came from, e.g. {@code ingest:/v1/ingest/github} or {@code correlator}. */
  public static final String ORIGIN = "ks_origin";
  /** Header: when they were rejected (ISO-8601). */
  public static final String AT = "ks_at";
  /** Header: the original length in bytes when the value was truncated. */
  public static final String ORIGINAL_SIZE = "ks_original_size";
  /** The most bytes kept of a rejected input. */
  public static final int MAX_BYTES = 64 * 1024;

  private DeadLetter() {}

  public static ProducerRecord<String, byte[]> record(String topic, byte[] bytes, String reason, String detail,
                                                      String origin, Instant at) {
    byte[] value = bytes == null ? new byte[0] : bytes;
    boolean truncated = value.length > MAX_BYTES;
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, null, truncated ? Arrays.copyOf(value, MAX_BYTES) : value);
    record.headers().add(REASON, utf8(reason));
    record.headers().add(DETAIL, utf8(detail == null ? "" : truncate(detail, 2000)));
    record.headers().add(ORIGIN, utf8(origin));
    record.headers().add(AT, utf8(at.toString()));
    if (truncated) {
      record.headers().add(ORIGINAL_SIZE, utf8(Integer.toString(value.length)));
    }
    return record;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
