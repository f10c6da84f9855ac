package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentIdsTest {

  @Test
  void remembersUpToItsCapacityAndForgetsTheLeastRecentlySeenFirst() {
    RecentIds ids = new RecentIds(2);
    ids.remember("a");
    ids.remember("b");
    assertThat(ids.contains("a")).isTrue();

    ids.remember("c");

    assertThat(ids.contains("b")).as("b was seen least recently").isFalse();
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("c")).isTrue();
    assertThat(ids.size()).isEqualTo(2);
  }
}
