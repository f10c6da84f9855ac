package dev.killswitch.revoker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {

  @Test
  void theCommittableOffsetStopsAtTheOldestActionNotDoneWhileLaterOnesFinish() {
    PartitionProgress p = new PartitionProgress(1);
    assertThat(p.committable()).isEqualTo(-1);
    p.read(10);
    p.read(11);
    p.read(12);

    p.done(11);
    p.done(12);
    assertThat(p.committable()).isEqualTo(10);

    p.done(10);
    assertThat(p.committable()).isEqualTo(13);
    assertThat(p.moved()).isTrue();
    p.committed(13);
    assertThat(p.moved()).isFalse();
  }

  @Test
  void recordsThatNeedNoWorkLetTheOffsetMoveOn() {
    PartitionProgress p = new PartitionProgress(1);
    p.read(3);
    p.done(3);
    p.read(7);
    p.done(7);

    assertThat(p.committable()).isEqualTo(8);
  }
}
