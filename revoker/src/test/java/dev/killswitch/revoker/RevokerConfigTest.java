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
}
