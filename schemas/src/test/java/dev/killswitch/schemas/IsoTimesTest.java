package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link IsoTimes} writes what the JDK's formatters write, for any instant Java can hold. */
class IsoTimesTest {

  @Property(tries = 3000)
  void instantIsIsoInstant(@ForAll("instants") Instant t) {
    assertThat(IsoTimes.instant(t)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
  }

  @Property(tries = 3000)
  void utcTimeIsIsoOffsetDateTime(@ForAll("instants") Instant t) {
    OffsetDateTime utc = t.atOffset(ZoneOffset.UTC);
    assertThat(IsoTimes.offsetUtc(utc)).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(utc));
  }

  @Example
  void edgesOfTheFastPathAndOtherOffsets() {
    for (String s : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z",
        "-0001-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-11-27T19:00:00.100Z", "2026-11-27T19:00:00.000100Z",
        "2026-11-27T19:00:00.000000100Z", "2026-11-27T19:00:00.120Z"}) {
      Instant t = Instant.parse(s);
      assertThat(IsoTimes.instant(t)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
      OffsetDateTime utc = t.atOffset(ZoneOffset.UTC);
      assertThat(IsoTimes.offsetUtc(utc)).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(utc));
      OffsetDateTime other = t.atOffset(ZoneOffset.ofHoursMinutes(5, 30));
      assertThat(IsoTimes.offsetUtc(other)).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(other));
    }
    for (Instant t : new Instant[] {Instant.MIN, Instant.MAX}) {
      assertThat(IsoTimes.instant(t)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
    }
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.oneOf(
        // all an OffsetDateTime can hold
        Arbitraries.longs().between(LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC),
            LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC)),
        // years 0 to 9999, the fast path
        Arbitraries.longs().between(-62_167_219_200L, 253_402_300_799L));
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.integers().between(0, 999_999_999),
        Arbitraries.integers().between(0, 999).map(n -> n * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(n -> n * 1_000), Arbitraries.just(0));
    return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
  }
}
