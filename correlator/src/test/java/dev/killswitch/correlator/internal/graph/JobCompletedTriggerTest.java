package dev.killswitch.correlator.internal.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobCompletedTriggerTest {

  private static final String RUN = "ci:github:acme/app/runs/1";
  private static final String JOB_A = "ci:github:acme/app/jobs/10";
  private static final String JOB_B = "ci:github:acme/app/jobs/11";
  private static final String USER = "k8s:prod:user/ci";
  private static final String TOKEN = "k8s:prod:token/j1";
  private static final Instant T = Instant.parse("2025-06-01T10:00:00Z");

  @Test
  void aRunWithAnUnfinishedJobIsNotComplete() {
    ChainState c = chain(job(JOB_A, "completed", 1, T), job(JOB_B, "in_progress", 1, T));
    assertThat(c.isComplete()).isFalse();
    assertThat(JobCompletedTrigger.evaluate(c, T, Duration.ZERO, Mode.DRY_RUN).requests()).isEmpty();
  }

  @Test
  void aJobStatusNeverGoesBackWithinAnAttempt() {
    ChainState c = chain(job(JOB_A, "completed", 1, T), job(JOB_A, "queued", 1, T.minusSeconds(5)));
    assertThat(c.isComplete()).isTrue();
    assertThat(c.jobs().get(JOB_A).firstSeen()).isEqualTo(T.minusSeconds(5));
  }

  @Test
  void aLaterAttemptReopensTheRun() {
    ChainState c = chain(run("completed", "failure", 1, T), run("queued", null, 2, T.plusSeconds(60)));
    assertThat(c.isComplete()).isFalse();
  }

  @Test
  void aRunLevelStatusThatIsNotCompletedWinsOverCompletedJobs() {
    ChainState c = chain(run("in_progress", null, 1, T), job(JOB_A, "completed", 1, T));
    assertThat(c.isComplete()).isFalse();
  }

  @Test
  void firesOnceForTheRunCoveringItsCredentials() {
    ChainState c = chain(job(JOB_A, "completed", 1, T)).apply(ChainMessage.edge(RUN, minted()));

    var first = JobCompletedTrigger.evaluate(c, T, Duration.ZERO, Mode.ENFORCE);
    assertThat(first.requests()).singleElement().satisfies(r -> {
      assertThat(r.requestId()).isEqualTo(DeterministicIds.of("trigger", "job-completed", RUN));
      assertThat(r.target()).isEqualTo(RUN);
      assertThat(r.mode()).isEqualTo(Mode.ENFORCE);
      assertThat(r.cascade()).isEqualTo(RevocationRequested.Cascade.DOWNSTREAM);
      assertThat(r.requestedAt()).isEqualTo(T);
    });
    assertThat(first.state().fired()).containsOnlyKeys(RUN, TOKEN);
    assertThat(first.state().revocationOf(TOKEN)).isEqualTo("requested");

    var again = JobCompletedTrigger.evaluate(first.state(), T.plusSeconds(1), Duration.ZERO, Mode.ENFORCE);
    assertThat(again.requests()).isEmpty();
    assertThat(again.state()).isEqualTo(first.state());
  }

  @Test
  void waitsForTheGraceCountedFromWhenCompletionWasFirstSeen() {
    ChainState c = chain(job(JOB_A, "completed", 1, T));
    var early = JobCompletedTrigger.evaluate(c, T, Duration.ofMinutes(2), Mode.DRY_RUN);
    assertThat(early.requests()).isEmpty();
    assertThat(early.state().completion().dueAt()).isEqualTo(T.plus(Duration.ofMinutes(2)));

    assertThat(JobCompletedTrigger.evaluate(early.state(), T.plusSeconds(119), Duration.ofMinutes(2), Mode.DRY_RUN)
        .requests()).isEmpty();
    assertThat(JobCompletedTrigger.evaluate(early.state(), T.plusSeconds(120), Duration.ofMinutes(2), Mode.DRY_RUN)
        .requests()).hasSize(1);
  }

  @Test
  void aCredentialThatJoinsAfterTheRunFiredGetsARequestOfItsOwnOnce() {
    var fired = JobCompletedTrigger.evaluate(chain(job(JOB_A, "completed", 1, T)), T, Duration.ZERO, Mode.DRY_RUN);
    ChainState later = fired.state().apply(ChainMessage.edge(RUN, minted()));

    var decision = JobCompletedTrigger.evaluate(later, T.plusSeconds(5), Duration.ZERO, Mode.DRY_RUN);
    assertThat(decision.requests()).singleElement().satisfies(r -> {
      assertThat(r.target()).isEqualTo(TOKEN);
      assertThat(r.requestId()).isEqualTo(DeterministicIds.of("trigger", "job-completed", RUN, TOKEN));
    });
    assertThat(JobCompletedTrigger.evaluate(decision.state(), T.plusSeconds(6), Duration.ZERO, Mode.DRY_RUN)
        .requests()).isEmpty();
  }

  @Test
  void summarizesTheJobsConclusionsWhenTheRunHasNone() {
    ChainState c = chain(job(JOB_A, "completed", 1, T), job(JOB_B, "completed", 1, T));
    c = c.apply(ChainMessage.ci(new CiFact(RUN, JOB_A, "completed", "failure", 1, T.plusSeconds(1), "x")));
    assertThat(JobCompletedTrigger.evaluate(c, T, Duration.ZERO, Mode.DRY_RUN).requests().get(0).reason())
        .isEqualTo("CI run completed (failure, unknown)");
  }

  private static EdgeState minted() {
    return EdgeState.of(EdgeFact.exact(USER, EdgeKind.MINTED, TOKEN, RUN, "a-1", T));
  }

  private static ChainMessage job(String job, String status, int attempt, Instant at) {
    return ChainMessage.ci(new CiFact(RUN, job, status, null, attempt, at, "e-" + job + status + at));
  }

  private static ChainMessage run(String status, String conclusion, int attempt, Instant at) {
    return ChainMessage.ci(new CiFact(RUN, null, status, conclusion, attempt, at, "r-" + status + attempt));
  }

  private static ChainState chain(ChainMessage... messages) {
    ChainState c = ChainState.empty(RUN);
    for (ChainMessage m : messages) {
      c = c.apply(m);
    }
    return c;
  }
}
