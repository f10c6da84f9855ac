package dev.killswitch.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, {@code 1h30m}, or ISO {@code PT2H}. */
final class Durations {

  private static final Pattern SHORT = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  private Durations() {}

  static Duration parse(String text, String option) {
    String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (!t.isEmpty() && m.matches()) {
      Duration d = Duration.ZERO;
      d = d.plusDays(group(m, 1)).plusHours(group(m, 2)).plusMinutes(group(m, 3)).plusSeconds(group(m, 4));
      if (!d.isZero()) {
        return d;
      }
    }
    try {
      Duration d = Duration.parse(text.strip().toUpperCase(java.util.Locale.ROOT));
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (DateTimeParseException | NullPointerException e) {
      // fall through to the usage error
    }
    throw CliException.usage(option + " must be a positive duration such as 90s, 15m, 2h, 1d or PT2H, got '" + text + "'");
  }

  private static long group(Matcher m, int i) {
    return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
  }
}
