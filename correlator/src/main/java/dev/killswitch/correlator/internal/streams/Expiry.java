package dev.killswitch.correlator.internal.streams;

import java.time.Duration;

/** How often the expiry punctuators read their time index: a tenth of the retention, between a second and an hour. */
final class Expiry {

  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofHours(1);

  private Expiry() {}

  static Duration interval(Duration retention) {
    Duration tenth = retention.dividedBy(10);
    return tenth.compareTo(MIN) < 0 ? MIN : tenth.compareTo(MAX) > 0 ? MAX : tenth;
  }
}
