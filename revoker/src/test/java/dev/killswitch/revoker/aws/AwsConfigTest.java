package dev.killswitch.revoker.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.RevokerException;
import dev.killswitch.revoker.aws.AwsConfig.AccountAccess;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsConfigTest {

  @Test
  void everyProblemIsReportedAtOnce() {
    Map<String, AccountAccess> accounts = new LinkedHashMap<>();
    accounts.put("12345", AccountAccess.direct());
    accounts.put("222222222222", AccountAccess.assume("arn:aws:iam::333333333333:role/killswitch", null));
    accounts.put("444444444444", AccountAccess.assume("not-an-arn", "x"));
    accounts.put("555555555555", new AccountAccess(null, "orphan-external-id"));

    assertThatThrownBy(() -> new AwsConfig(accounts, "mars-1", URI.create("no-scheme"), null, Duration.ofHours(48),
        false, Duration.ZERO))
        .isInstanceOf(RevokerException.class)
        .satisfies(e -> assertThat(((RevokerException) e).reason()).isEqualTo(RevokerException.Reason.INVALID_CONFIG))
        .hasMessageContaining("'12345' is not a 12-digit account id")
        .hasMessageContaining("the role is in account 333333333333, not 222222222222")
        .hasMessageContaining("'not-an-arn' is not a role ARN")
        .hasMessageContaining("2 to 1224 characters")
        .hasMessageContaining("an external id without a role to assume")
        .hasMessageContaining("'mars-1' is not a region name")
        .hasMessageContaining("needs a scheme and a host")
        .hasMessageContaining("between 15 minutes and 36 hours")
        .hasMessageContaining("callTimeout must be positive");
  }

  @Test
  void defaultsAreTheRegionOfTheGlobalIamEndpointTwelveHourSessionsAndNoEscalation() {
    AwsConfig config = AwsConfig.of(Map.of("111111111111", AccountAccess.direct()));

    assertThat(config.region()).isEqualTo("us-east-1");
    assertThat(config.defaultSessionLifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(config.escalateUnboundSessions()).isFalse();
    assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(10));
  }
}
