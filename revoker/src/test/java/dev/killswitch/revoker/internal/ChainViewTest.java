package dev.killswitch.revoker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ChainViewTest {

  private static final String RUN = "ci:github:acme/app/runs/1";
  private static final String TOKEN = "k8s:prod:token/0b8d6e1f";
  private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void showsATargetCoveredOnlyOnceASnapshotMarksItRequestedOrRevoked() {
    ChainView view = new ChainView();
    view.apply(record(snapshot(1, "none", "none")));
    assertThat(view.showsRequested(RUN)).isFalse();
    assertThat(view.showsRequested(TOKEN)).isFalse();

    view.apply(record(snapshot(2, "requested", "requested")));
    assertThat(view.showsRequested(RUN)).isTrue();
    assertThat(view.showsRequested(TOKEN)).isTrue();

    view.apply(record(snapshot(3, "requested", "revoked")));
    assertThat(view.showsRequested(TOKEN)).isTrue();
    assertThat(view.showsRequested("k8s:prod:token/someone-else")).isFalse();
  }

  private static ChainSnapshot snapshot(int version, String run, String token) {
    return new ChainSnapshot(DeterministicIds.chainId(RUN), RUN, "completed",
        List.of(new ChainSnapshot.Node(RUN, "github-run", T, T, run),
            new ChainSnapshot.Node(TOKEN, "k8s-token", T, T, token)),
        List.of(new ChainSnapshot.Edge(RUN, TOKEN, "minted", 1.0, List.of("e" + version), T, T, 1)),
        T.plusSeconds(version));
  }

  private static ConsumerRecord<String, byte[]> record(ChainSnapshot s) {
    ProducerRecord<String, byte[]> p = CloudEventCodec.toKafka("killswitch.chains", new Envelope<>(
        "snap-" + s.updatedAt(), URI.create("killswitch://correlator"), EventType.CHAIN, s.root(),
        OffsetDateTime.ofInstant(s.updatedAt(), ZoneOffset.UTC), s.chainId(), s));
    return new ConsumerRecord<>(p.topic(), 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0, p.key(), p.value(), p.headers(),
        java.util.Optional.empty());
  }
}
