package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResidualExposureTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void theDetailFormReadsBackWithEveryExposureAndItsRemainingLifetime() {
    ResidualExposure session = new ResidualExposure("aws:222222222222:session/ASIAEXAMPLE", NOW.plus(Duration.ofMinutes(
        719)), "an STS session cannot be recalled");
    ResidualExposure tokens = new ResidualExposure("gcp:acme:sa-key/a@acme.iam.gserviceaccount.com/k1",
        NOW.plus(Duration.ofHours(1)), "access tokens minted with the key stay valid");
    String detail = "disabled key k1; " + tokens.describe(NOW) + "; " + session.describe(NOW);

    assertThat(detail).contains("(1h left)", "(11h59m left)");
    assertThat(ResidualExposure.in(detail)).containsExactly(tokens, session);
    assertThat(session.remaining(NOW)).isEqualTo(Duration.ofMinutes(719));
    assertThat(session.remaining(NOW.plus(Duration.ofDays(1)))).isZero();
  }

  @Test
  void aDetailWithoutExposureHasNone() {
    assertThat(ResidualExposure.in("deactivated access key AKIA... of user bot")).isEmpty();
    assertThat(ResidualExposure.in(null)).isEmpty();
    assertThat(ResidualExposure.human(Duration.ofSeconds(30))).isEqualTo("1m");
    assertThat(ResidualExposure.human(Duration.ZERO)).isEqualTo("0m");
  }
}
