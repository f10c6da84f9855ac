package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

class FieldsTest {

  /** What the hand-written path must agree with: the parse Fields used before it. */
  private static Instant reference(String s) {
    return OffsetDateTime.parse(s).toInstant();
  }

  @Example
  void parsesTheShapesSourcesSendLikeOffsetDateTime() {
    for (String s : new String[] {"2025-03-04T10:16:02.503000Z", "2025-03-04T10:16:02Z", "2025-03-04t10:16:02z",
        "2024-02-29T23:59:59.999999999+14:00", "1970-01-01T00:00:00-18:00", "2025-12-31T23:59:59.1+05:30",
        "0001-01-01T00:00:00Z", "2025-03-04T10:16Z", "2025-03-04T10:16:02.Z", "+12025-03-04T10:16:02Z", "2025-03-04T10:16:02+02:00:30"}) {
      assertThat(Fields.rfc3339(s)).as(s).isEqualTo(reference(s));
    }
  }

  @Example
  void refusesWhatOffsetDateTimeRefuses() {
    for (String s : new String[] {"2025-02-29T10:16:02Z", "2025-13-04T10:16:02Z", "2025-03-04T24:00:00Z",
        "2025-03-04T10:16:60Z", "2025-03-04T10:16:02.1234567890Z", "2025-03-04T10:16:02",
        "2025-03-04 10:16:02Z", "2025-03-04T10:16:02+1:00", "2025-03-04T10:16:02+19:00", "2025-03-04T1a:16:02Z",
        "2025-03-04T10:16:02Zx", "2025-03-04T10:16:02.5+02:00x"}) {
      assertThatThrownBy(() -> reference(s)).as(s).isInstanceOf(DateTimeParseException.class);
      assertThatThrownBy(() -> Fields.rfc3339(s)).as(s).isInstanceOf(DateTimeParseException.class);
    }
  }

  @Property(tries = 2000)
  void agreesWithOffsetDateTimeOnGeneratedTimestamps(@ForAll("timestamps") String s) {
    Instant expected;
    try {
      expected = reference(s);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> Fields.rfc3339(s)).isInstanceOf(DateTimeParseException.class);
      return;
    }
    assertThat(Fields.rfc3339(s)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<String> timestamps() {
    Arbitrary<String> date = Combinators.combine(Arbitraries.integers().between(1, 9999),
        Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, 32))
        .as((y, m, d) -> String.format("%04d-%02d-%02d", y, m, d));
    Arbitrary<String> time = Combinators.combine(Arbitraries.integers().between(0, 24),
        Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 60))
        .as((h, m, s) -> String.format("%02d:%02d:%02d", h, m, s));
    Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(10)
        .map(f -> f.isEmpty() ? "" : "." + f);
    Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", ""),
        Combinators.combine(Arbitraries.of("+", "-"), Arbitraries.integers().between(0, 19),
            Arbitraries.integers().between(0, 60)).as((sign, h, m) -> String.format("%s%02d:%02d", sign, h, m)));
    return Combinators.combine(date, Arbitraries.of("T", "t"), time, fraction, offset)
        .as((d, t, tm, f, o) -> d + t + tm + f + o);
  }
}
