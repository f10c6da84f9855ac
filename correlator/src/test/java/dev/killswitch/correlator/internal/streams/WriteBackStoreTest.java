package dev.killswitch.correlator.internal.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBackStoreTest {

  private KeyValueStore<String, String> below;
  private WriteBackStore<String> store;

  @BeforeEach
  void init() {
    below = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(), Serdes.String())
        .withLoggingDisabled().build();
    store = new WriteBackStore<>(below);
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
  }

  @Test
  void rowsChangedWithinACommitReachTheStoreBelowOnceTheCachesAreFlushed() {
    store.put("chain-1", "v1");
    store.put("chain-1", "v2");
    store.put("chain-2", "w1");
    store.delete("chain-2");

    assertThat(store.get("chain-1")).isEqualTo("v2");
    assertThat(store.get("chain-2")).isNull();
    assertThat(below.get("chain-1")).isNull();

    store.flushCache();

    assertThat(below.get("chain-1")).isEqualTo("v2");
    assertThat(below.get("chain-2")).isNull();
  }

  @Test
  void aDeleteHidesAWrittenRowUntilItIsWrittenToo() {
    store.put("a", "1");
    store.flushCache();
    store.delete("a");

    assertThat(store.get("a")).isNull();
    assertThat(below.get("a")).isEqualTo("1");
    store.flushCache();
    assertThat(below.get("a")).isNull();
  }

  @Test
  void scansOnTheStreamThreadSeePendingRows() {
    store.put("node-1 out used x", "e1");
    store.put("node-2 out used y", "e2");

    List<String> seen = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.prefixScan("node-1 ", new StringSerializer())) {
      it.forEachRemaining(kv -> seen.add(kv.key + "=" + kv.value));
    }

    assertThat(seen).containsExactly("node-1 out used x=e1");
  }

  @Test
  void aScanWritesOnlyThePendingRowsItCovers() {
    store.put("node-1 out used x", "e1");
    store.put("node-2 out used y", "e2");

    try (KeyValueIterator<String, String> it = store.prefixScan("node-1 ", new StringSerializer())) {
      it.forEachRemaining(kv -> { });
    }

    assertThat(below.get("node-1 out used x")).isEqualTo("e1");
    assertThat(below.get("node-2 out used y")).isNull();
    assertThat(store.get("node-2 out used y")).isEqualTo("e2");
  }

  @Test
  void aScanFromAnotherThreadLeavesPendingRowsToTheStreamThread() throws Exception {
    store.put("node-1 out used x", "e1");

    Thread query = new Thread(() -> {
      try (KeyValueIterator<String, String> it = store.prefixScan("node-1 ", new StringSerializer())) {
        it.forEachRemaining(kv -> { });
      }
    });
    query.start();
    query.join();

    assertThat(below.get("node-1 out used x")).isNull();
    assertThat(store.get("node-1 out used x")).isEqualTo("e1");
  }

  @Test
  void clearingTheCachesDropsPendingRows() {
    store.put("a", "1");
    store.clearCache();
    store.flushCache();

    assertThat(store.get("a")).isNull();
    assertThat(below.get("a")).isNull();
  }
}
