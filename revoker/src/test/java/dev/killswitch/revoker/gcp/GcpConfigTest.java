package dev.killswitch.revoker.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.RevokerException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GcpConfigTest {

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> new GcpConfig(Set.of("Bad_Project"), List.of("buckets/x"),
        List.of("iam.serviceAccounts.getAccessToken"), Duration.ofHours(13), false, "http://x", "Killswitch",
        Duration.ZERO))
        .isInstanceOf(RevokerException.class)
        .hasMessageContaining("'Bad_Project' is neither a project id nor a project number")
        .hasMessageContaining("'buckets/x' is not projects/<id>, folders/<n> or organizations/<n>")
        .hasMessageContaining("'iam.serviceAccounts.getAccessToken' is not in the v2 form")
        .hasMessageContaining("between 5 minutes and 12 hours")
        .hasMessageContaining("gcp.endpoint")
        .hasMessageContaining("gcp.denyPolicyId")
        .hasMessageContaining("callTimeout must be positive");
  }

  @Test
  void defaultsDenyImpersonationForAnHourOfResidualTokens() {
    GcpConfig config = GcpConfig.of(Set.of("acme-prod", "123456789012"));

    assertThat(config.deniedPermissions()).isEqualTo(GcpConfig.DEFAULT_DENIED_PERMISSIONS);
    assertThat(config.accessTokenLifetime()).isEqualTo(Duration.ofHours(1));
    assertThat(config.allows("acme-prod")).isTrue();
    assertThat(config.allows("acme-dev")).isFalse();
    assertThat(config.denyAttachmentPoints()).isEmpty();
  }
}
