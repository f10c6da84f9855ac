package dev.killswitch.revoker;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential that a revocation could not recall and that stays valid until it expires: an STS session no deny
 * policy covers, a Google access token already minted (up to an hour), a bound Kubernetes token outside the
 * authorization webhook. Providers append it to the result's detail in one fixed form,
 * {@code residual exposure: <credential> stays valid until <instant> (<duration> left): <why>}, which
 * {@link #in(String)} reads back, so that the API, the CLI and the chain view can show the remaining lifetime
 * without a field of its own in {@code revocation.result}.
 *
 * @param credential identity reference (or a description when the credential has none)
 * @param until when it expires at the latest
 * @param why what it is and why it could not be recalled
 */
public record ResidualExposure(String credential, Instant until, String why) {

  public static final String MARKER = "residual exposure: ";
  private static final Pattern FORM = Pattern.compile(Pattern.quote(MARKER)
      + "(\\S+) stays valid until (\\S+) \\(([^)]*) left\\): ([^;]*)");

  /** The text providers append to a detail, with the time left counted from {@code now}. */
  public String describe(Instant now) {
    Duration left = until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO;
    return MARKER + credential + " stays valid until " + until + " (" + human(left) + " left): " + why;
  }

  /** Time left from {@code now}, never negative. */
  public Duration remaining(Instant now) {
    return until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO;
  }

  /** Every residual exposure named in a result's detail, in order (none when the detail has none). */
  public static List<ResidualExposure> in(String detail) {
    List<ResidualExposure> out = new ArrayList<>();
    if (detail == null) {
      return out;
    }
    Matcher m = FORM.matcher(detail);
    while (m.find()) {
      try {
        out.add(new ResidualExposure(m.group(1), Instant.parse(m.group(2)), m.group(4).strip()));
      } catch (DateTimeParseException e) {
        // not one of ours
      }
    }
    return out;
  }

  /** {@code 11h59m}, {@code 42m}, {@code 0m}. */
  static String human(Duration d) {
    long minutes = (d.getSeconds() + 59) / 60;
    long h = minutes / 60;
    long m = minutes % 60;
    return h > 0 ? h + "h" + (m > 0 ? m + "m" : "") : m + "m";
  }
}
