package dev.killswitch.revoker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MinuteBudgetTest {

  static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void actionsPlannedInTheLastSixtySecondsCountAgainstTheBudget() {
    MinuteBudget budget = new MinuteBudget(10);
    budget.spend(T, 4);
    budget.spend(T.plusSeconds(30), 5);

    assertThat(budget.left(T.plusSeconds(59))).isEqualTo(1);
    assertThat(budget.left(T.plusSeconds(60))).isEqualTo(5);
    assertThat(budget.left(T.plusSeconds(90))).isEqualTo(10);
  }

  @Test
  void overspendingLeavesNothingRatherThanANegativeBudget() {
    MinuteBudget budget = new MinuteBudget(2);
    budget.spend(T, 5);

    assertThat(budget.left(T)).isZero();
  }
}
