package dev.killswitch.correlator.internal.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.correlator.internal.graph.EdgeFact;
import dev.killswitch.correlator.internal.graph.EdgeKind;
import dev.killswitch.correlator.internal.graph.EdgeState;
import dev.killswitch.correlator.internal.graph.NodeEdge;
import dev.killswitch.correlator.internal.graph.NodeMessage;
import dev.killswitch.schemas.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordSerdeTest {

  private static final Instant T = Instant.parse("2026-03-01T10:00:00.123456Z");
  private final RecordSerde<NodeEdge> serde = RecordSerde.of(NodeEdge.class);

  private static NodeEdge row() {
    EdgeState e = EdgeState.of(new EdgeFact("k8s:prod:token/jti-1", "k8s:prod:sa/ci/deployer", EdgeKind.USED,
        "ci:github:acme/app/runs/42", 1.0, "ev-1", T, 1, "get", "secrets/db", List.of("10.0.0.7")));
    return new NodeEdge(e.merge(new EdgeFact("k8s:prod:token/jti-1", "k8s:prod:sa/ci/deployer", EdgeKind.USED,
        "ci:github:acme/app/runs/42", 1.0, "ev-2", T.plusSeconds(3), 1, "list", "pods", List.of("10.0.0.7"))), T);
  }

  @Test
  void rowsComeBackAsTheyWereWritten() {
    byte[] bytes = serde.serializer().serialize("t", row());

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(row());
  }

  @Test
  void readsRowsThatEarlierVersionsWroteAsJson() throws Exception {
    byte[] json = Json.mapper().writeValueAsBytes(row());

    assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(row());
  }

  @Test
  void timesFarOutsideTheUsualRangeComeBackToo() {
    Instant far = Instant.parse("+30000-01-01T00:00:00.5Z");
    Instant old = Instant.parse("1601-01-01T00:00:00Z");
    RecordSerde<NodeEdge> s = RecordSerde.of(NodeEdge.class);

    for (Instant t : List.of(far, old)) {
      NodeEdge row = new NodeEdge(row().edge(), t);
      assertThat(s.deserializer().deserialize("t", s.serializer().serialize("t", row))).isEqualTo(row);
    }
  }

  @Test
  void writesFewerBytesThanJson() throws Exception {
    assertThat(serde.serializer().serialize("t", row()).length)
        .isLessThan(Json.mapper().writeValueAsBytes(row()).length);
  }

  @Test
  void aNodesMessagesOfACommitTravelAsOneRecordAndComeBackInOrder() {
    String token = "k8s:prod:token/jti-1";
    EdgeFact use = new EdgeFact(token, "k8s:prod:sa/ci/deployer", EdgeKind.USED, null, 1.0, "ev-1", T, 1, "get",
        "secrets/db", List.of("10.0.0.7"));
    List<NodeMessage> messages = List.of(NodeMessage.member(token, "ci:github:acme/app/runs/42"),
        NodeMessage.outbound(use), NodeMessage.outbound(new EdgeFact(token, "k8s:prod:sa/ci/deployer",
            EdgeKind.USED, null, 1.0, "ev-2", T.plusSeconds(1), 1, "list", "pods", List.of("10.0.0.8"))));
    RecordSerde<NodeMessage> s = RecordSerde.of(NodeMessage.class);

    NodeMessage one = s.deserializer().deserialize("t", s.serializer().serialize("t", NodeMessage.inOrder(messages)));

    assertThat(one.each()).isEqualTo(messages);
    assertThat(NodeMessage.inOrder(messages.subList(0, 1))).isSameAs(messages.get(0));
  }

  @Test
  void aNodeMessageWithoutFollowersIsOneMessageAsEarlierVersionsWroteIt() throws Exception {
    NodeMessage m = NodeMessage.member("k8s:prod:token/jti-1", "ci:github:acme/app/runs/42");
    byte[] json = Json.mapper().writeValueAsBytes(m);

    assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("more");
    assertThat(RecordSerde.of(NodeMessage.class).deserializer().deserialize("t", json).each()).containsExactly(m);
  }

  @Test
  void onlyOneNodesSingleMessagesMakeOneRecord() {
    NodeMessage a = NodeMessage.member("k8s:prod:token/jti-1", "ci:github:acme/app/runs/42");
    NodeMessage b = NodeMessage.member("k8s:prod:token/jti-2", "ci:github:acme/app/runs/42");

    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> NodeMessage.inOrder(List.of(a, b)));
  }
}
