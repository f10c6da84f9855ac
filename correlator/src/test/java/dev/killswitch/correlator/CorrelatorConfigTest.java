package dev.killswitch.correlator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The advertised {@code application.server} the other instances forward queries to; the early-send threshold. */
class CorrelatorConfigTest {

  private static final CorrelatorConfig DEFAULTS = CorrelatorConfig.defaults(Path.of("state"), Harness.ACCESS);

  @Test
  void theApplicationServerIsAHostNameAnIpv4OrABracketedIpv6AddressWithAPort() {
    for (String ok : new String[] {"correlator-1:8080", "10.0.3.7:8080", "[::1]:8080", "[fd00::2]:8443",
        "[fe80::1%eth0]:8080"}) {
      assertThat(DEFAULTS.withApplicationServer(ok).applicationServer()).isEqualTo(ok);
    }
    for (String bad : new String[] {"fd00::2:8080", "::1:8080", "[fd00::2]", "correlator-1", "http://c:8080"}) {
      assertThatThrownBy(() -> DEFAULTS.withApplicationServer(bad)).as(bad)
          .hasMessageContaining("applicationServer must be host:port");
    }
  }

  @Test
  void earlySendsAreOnByDefaultCanBeTurnedOffAndAreNeverNegative() {
    assertThat(DEFAULTS.correlation().earlySendBelow()).isEqualTo(2_000);
    assertThat(DEFAULTS.withEarlySendBelow(0).correlation().earlySendBelow()).isZero();
    assertThatThrownBy(() -> DEFAULTS.withEarlySendBelow(-1))
        .hasMessageContaining("earlySendBelow must not be negative");
  }
}
