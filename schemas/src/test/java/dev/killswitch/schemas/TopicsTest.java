package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.TopicSpec.CleanupPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  @Test
  void defaultCatalogueHasEveryTopicOfTheDesign() {
    assertThat(Topics.defaults().all()).extracting(TopicSpec::name).containsExactly(
        "killswitch.events.k8s",
        "killswitch.events.ci",
        "killswitch.events.cloud",
        "killswitch.revocation.requests",
        "killswitch.revocation.actions",
        "killswitch.revocation.results",
        "killswitch.denylist",
        "killswitch.chains",
        "killswitch.alerts",
        "killswitch.deadletter");
  }

  @Test
  void accessorsNameTheSameTopicsAsTheCatalogue() {
    Topics t = Topics.defaults();
    assertThat(List.of(t.k8sEvents(), t.ciEvents(), t.cloudEvents(), t.revocationRequests(), t.revocationActions(),
        t.revocationResults(), t.denylist(), t.chains(), t.alerts(), t.deadletter()))
        .containsExactlyElementsOf(t.all().stream().map(TopicSpec::name).toList());
  }

  @Test
  void everyEventTypeHasTheTopicOfTheDesign() {
    Topics t = Topics.defaults();
    assertThat(t.of(EventType.K8S_AUDIT)).isEqualTo("killswitch.events.k8s");
    assertThat(t.of(EventType.CI_RUN)).isEqualTo("killswitch.events.ci");
    assertThat(t.of(EventType.CI_JOB)).isEqualTo("killswitch.events.ci");
    assertThat(t.of(EventType.AWS_CLOUDTRAIL)).isEqualTo("killswitch.events.cloud");
    assertThat(t.of(EventType.GCP_AUDIT)).isEqualTo("killswitch.events.cloud");
    assertThat(t.of(EventType.REVOCATION_REQUESTED)).isEqualTo("killswitch.revocation.requests");
    assertThat(t.of(EventType.REVOCATION_ACTION)).isEqualTo("killswitch.revocation.actions");
    assertThat(t.of(EventType.REVOCATION_RESULT)).isEqualTo("killswitch.revocation.results");
    assertThat(t.of(EventType.CHAIN)).isEqualTo("killswitch.chains");
    assertThat(t.of(EventType.ALERT)).isEqualTo("killswitch.alerts");
  }

  @Test
  void onlyResultsChainsAndDenylistAreCompacted() {
    Topics t = Topics.defaults();
    assertThat(t.all()).filteredOn(s -> s.cleanupPolicy() == CleanupPolicy.COMPACT).extracting(TopicSpec::name)
        .containsExactlyInAnyOrder(t.revocationResults(), t.chains(), t.denylist());
  }

  @Test
  void compactedTopicsKeepTheLatestValueAndTheOthersExpire() {
    for (TopicSpec spec : Topics.defaults().all()) {
      if (spec.cleanupPolicy() == CleanupPolicy.COMPACT) {
        assertThat(spec.retention()).as(spec.name()).isNull();
        assertThat(spec.configs()).containsEntry("cleanup.policy", "compact").doesNotContainKey("retention.ms");
      } else {
        assertThat(spec.retention()).as(spec.name()).isPositive();
        assertThat(spec.configs()).containsEntry("cleanup.policy", "delete")
            .containsEntry("retention.ms", Long.toString(spec.retention().toMillis()));
      }
      assertThat(spec.partitions()).as(spec.name()).isPositive();
    }
  }

  @Test
  void namesAreUnique() {
    List<String> names = Topics.defaults().all().stream().map(TopicSpec::name).toList();
    assertThat(names).doesNotHaveDuplicates();
  }

  @Test
  void aTestPrefixMovesEveryTopic() {
    Topics t = new Topics("it-7f3a");
    assertThat(t.all()).extracting(TopicSpec::name).allMatch(n -> n.startsWith("it-7f3a."));
    assertThat(t.deadletter()).isEqualTo("it-7f3a.deadletter");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "kill switch", "ks/events", "ks:events", "töpic"})
  void rejectsAPrefixKafkaCannotUse(String prefix) {
    assertThatThrownBy(() -> new Topics(prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic prefix must be letters, digits, '.', '_' or '-'");
  }

  @Test
  void rejectsANullPrefix() {
    assertThatThrownBy(() -> new Topics(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("prefix");
  }
}
