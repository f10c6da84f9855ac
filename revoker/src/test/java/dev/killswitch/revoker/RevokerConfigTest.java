package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RevokerConfigTest {

  static final ApiAccess ACCESS = new ApiAccess(List.of(new ApiAccess.Grant("t", Set.of(Role.REVOKER))));

  @Test
  void defaultsProtectIssueFivesIdentitiesAndBudgetFiveHundredActions() {
    RevokerConfig config = RevokerConfig.defaults(ACCESS)
        .withProtectedIdentities(List.of("aws:123456789012:role/break-glass"));

    assertThat(config.plannerGroupId()).isEqualTo("killswitch-revoker-planner");
    assertThat(config.executorGroupId()).isEqualTo("killswitch-revoker-executor");
    assertThat(config.guardrails().maxActionsPerRequest()).isEqualTo(500);
    assertThat(config.guardrails().protectedPatterns())
        .containsAll(Guardrails.DEFAULT_PROTECTED).contains("aws:123456789012:role/break-glass");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> new RevokerConfig(" ", null, 0, List.of("arn:aws:iam::1:role/x", "aws:1:rol/x", "k8s:*: x"),
        null))
        .isInstanceOf(RevokerException.class)
        .hasMessageContainingAll("groupIdPrefix", "access", "maxActionsPerRequest", "defaultMode",
            "'arn:aws:iam::1:role/x' must start with", "aws:1:rol/x", "white space")
        .satisfies(e -> assertThat(((RevokerException) e).reason()).isEqualTo(RevokerException.Reason.INVALID_CONFIG));
  }

  @Test
  void reportsEveryProblemOfTheRetryGuardrailAndClusterSettingsAtOnce() {
    assertThatThrownBy(() -> new RevokerConfig("p", ACCESS, 10, List.of(), dev.killswitch.schemas.event.RevocationRequested.Mode.ENFORCE,
        0, false, Set.of("k8s.deny-token"), null, 0, null, java.util.Map.of("prod cluster", " "), null))
        .isInstanceOf(RevokerException.class)
        .hasMessageContainingAll("maxActionsPerMinute", "'k8s.deny-token' is not a broad action", "retry is required",
            "executorThreads", "webhookWhenBehind", "cluster name 'prod cluster'", "needs a context name");
  }

  @Test
  void defaultsRetryEightTimesOnEightWorkersAndFailOpen() {
    RevokerConfig config = RevokerConfig.defaults(ACCESS);

    assertThat(config.retry()).isEqualTo(RetryPolicy.DEFAULT);
    assertThat(config.executorThreads()).isEqualTo(8);
    assertThat(config.maxActionsPerMinute()).isEqualTo(2000);
    assertThat(config.approvalRequired()).isEmpty();
    assertThat(config.shadow()).isFalse();
    assertThat(config.webhookWhenBehind()).isEqualTo(RevokerConfig.WebhookFallback.NO_OPINION);
  }
}
