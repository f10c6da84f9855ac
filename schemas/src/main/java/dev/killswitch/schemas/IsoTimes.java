package dev.killswitch.schemas;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The two ISO-8601 spellings Killswitch writes for every event, without a {@link DateTimeFormatter} for the usual
 * case (years 0 to 9999; anything else goes to the formatter): {@link DateTimeFormatter#ISO_INSTANT} (Jackson's
 * {@code Instant} fields: seconds always, the fraction in groups of three digits as needed) and
 * {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} of a UTC time (the CloudEvents SDK's {@code ce_time}: seconds
 * always, the fraction with as few digits as needed, {@code Z}). Same strings as the formatters, char for char.
 */
final class IsoTimes {

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since the epoch. */
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_9999_END = 253_402_300_799L;

  private IsoTimes() {}

  /** {@code DateTimeFormatter.ISO_INSTANT.format(t)}. */
  static String instant(Instant t) {
    if (t.getEpochSecond() < YEAR_0 || t.getEpochSecond() > YEAR_9999_END) {
      return DateTimeFormatter.ISO_INSTANT.format(t);
    }
    LocalDateTime local = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    int nano = t.getNano();
    int digits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    return format(local, nano, digits);
  }

  /** {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t)} for a time at offset UTC. */
  static String offsetUtc(OffsetDateTime t) {
    LocalDateTime local = t.toLocalDateTime();
    if (!t.getOffset().equals(ZoneOffset.UTC) || local.getYear() < 0 || local.getYear() > 9999) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
    }
    int nano = local.getNano();
    int digits = 9;
    for (int n = nano; digits > 0 && n % 10 == 0; n /= 10) {
      digits--;
    }
    return format(local, nano, digits);
  }

  /** yyyy-MM-ddTHH:mm:ss, a fraction of {@code digits} digits (none for 0), Z. */
  private static String format(LocalDateTime t, int nano, int digits) {
    byte[] b = new byte[20 + (digits == 0 ? 0 : digits + 1)];
    put(b, 0, t.getYear(), 4);
    b[4] = '-';
    put(b, 5, t.getMonthValue(), 2);
    b[7] = '-';
    put(b, 8, t.getDayOfMonth(), 2);
    b[10] = 'T';
    put(b, 11, t.getHour(), 2);
    b[13] = ':';
    put(b, 14, t.getMinute(), 2);
    b[16] = ':';
    put(b, 17, t.getSecond(), 2);
    int at = 19;
    if (digits > 0) {
      b[at++] = '.';
      int fraction = nano;
      for (int i = digits; i < 9; i++) {
        fraction /= 10;
      }
      put(b, at, fraction, digits);
      at += digits;
    }
    b[at] = 'Z';
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void put(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
