package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec.CodecException;
import dev.killswitch.schemas.CloudEventCodec.CodecException.Reason;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class CloudEventCodecTest {

  private static final String TOPIC = "killswitch.revocation.requests";
  private static final String TARGET = "ci:github:acme/app/runs/1234";

  private static Envelope<RevocationRequested> revocationRequest() {
    RevocationRequested data = new RevocationRequested("req-2f9c1e", TARGET, Cascade.DOWNSTREAM,
        "run completed", "trigger:job-completed", Mode.DRY_RUN, Instant.parse("2025-03-14T09:27:31.123Z"),
        null, false);
    return new Envelope<>("req-2f9c1e", URI.create("urn:killswitch:correlator"), EventType.REVOCATION_REQUESTED,
        TARGET, OffsetDateTime.parse("2025-03-14T09:27:31.123Z"), TARGET, data);
  }

  private static Envelope<K8sAuditEvent> auditEvent() throws Exception {
    JsonNode raw = Json.mapper().readTree("""
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",
         "auditID":"4d1c7b0e-2a35-4f5e-9c61-8e0f3b2a9d17","stage":"ResponseComplete",
         "annotations":{"authentication.kubernetes.io/issued-credential-id":"JTI=7c1a0e1f-6b9d-4c3e-9a55-0f2d8e4b1a77"}}""");
    K8sAuditEvent data = new K8sAuditEvent("prod-eu", "4d1c7b0e-2a35-4f5e-9c61-8e0f3b2a9d17", "ResponseComplete",
        "Metadata", "create", "/api/v1/namespaces/ci/serviceaccounts/deployer/token",
        new K8sAuditEvent.User("github:repo:acme/app:ref:refs/heads/main", null, List.of("system:authenticated"),
            Map.of("killswitch.dev/ci-run", List.of(TARGET))),
        "k8s:prod-eu:user/github:repo:acme/app:ref:refs/heads/main", null, null, null, null, TARGET,
        new K8sAuditEvent.ObjectRef("", "v1", "serviceaccounts", "token", "ci", "deployer"),
        List.of("203.0.113.7"), "kubectl/v1.31.0", "allow", "", 201,
        "7c1a0e1f-6b9d-4c3e-9a55-0f2d8e4b1a77", "k8s:prod-eu:sa/ci/deployer", null, false,
        Instant.parse("2025-03-14T09:21:07.412Z"), Instant.parse("2025-03-14T09:21:07.431Z"), raw);
    return new Envelope<>("4d1c7b0e-2a35-4f5e-9c61-8e0f3b2a9d17:ResponseComplete", URI.create("k8s://prod-eu"),
        EventType.K8S_AUDIT, data.actor(), OffsetDateTime.parse("2025-03-14T09:21:07.431Z"), data.actor(), data);
  }

  private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> produced) {
    Headers headers = new RecordHeaders();
    produced.headers().forEach(h -> headers.add(h.key(), h.value()));
    return new ConsumerRecord<>(produced.topic(), 0, 42L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
        produced.key() == null ? -1 : produced.key().length(), produced.value().length, produced.key(),
        produced.value(), headers, Optional.empty());
  }

  private static String header(Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void writesBinaryModeWithTheContextAttributesInCeHeadersAndThePartitionKeyAsRecordKey() {
    Envelope<RevocationRequested> event = revocationRequest();

    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka(TOPIC, event);

    assertThat(record.topic()).isEqualTo(TOPIC);
    assertThat(record.key()).isEqualTo(TARGET);
    Headers h = record.headers();
    assertThat(header(h, "ce_specversion")).isEqualTo("1.0");
    assertThat(header(h, "ce_id")).isEqualTo("req-2f9c1e");
    assertThat(header(h, "ce_type")).isEqualTo("dev.killswitch.revocation.requested.v1");
    assertThat(header(h, "ce_source")).isEqualTo("urn:killswitch:correlator");
    assertThat(header(h, "ce_subject")).isEqualTo(TARGET);
    assertThat(header(h, "ce_partitionkey")).isEqualTo(TARGET);
    assertThat(header(h, "ce_dataschema")).isEqualTo("https://killswitch.dev/schemas/revocation.requested.v1.json");
    assertThat(OffsetDateTime.parse(header(h, "ce_time"))).isEqualTo(event.time());
    assertThat(header(h, "content-type")).isEqualTo("application/json");
  }

  @Test
  void valueIsThePlainJsonOfTheDataRecord() throws Exception {
    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka(TOPIC, revocationRequest());

    JsonNode value = Json.mapper().readTree(record.value());
    assertThat(value.get("target").asText()).isEqualTo(TARGET);
    assertThat(value.get("mode").asText()).isEqualTo("dry-run");
    assertThat(value.get("cascade").asText()).isEqualTo("downstream");
    assertThat(value.has("expiresAt")).as("nulls are left out").isFalse();
  }

  @Test
  void kafkaBinaryModeRoundTripGivesBackTheEnvelope() throws Exception {
    for (Envelope<?> event : List.of(revocationRequest(), auditEvent())) {
      ProducerRecord<String, byte[]> produced = CloudEventCodec.toKafka(TOPIC, event);

      assertThat(CloudEventCodec.fromKafka(consumed(produced))).isEqualTo(event);
      assertThat(CloudEventCodec.fromKafka(produced.headers(), produced.value())).isEqualTo(event);
    }
  }

  @Test
  void roundTripKeepsTheInstantOfATimeGivenInAnotherOffset() {
    Envelope<RevocationRequested> utc = revocationRequest();
    OffsetDateTime paris = utc.time().withOffsetSameInstant(ZoneOffset.ofHours(1));
    Envelope<RevocationRequested> event = new Envelope<>(utc.id(), utc.source(), utc.type(), utc.subject(), paris,
        utc.partitionKey(), utc.data());

    assertThat(event.time()).as("envelopes hold UTC times").isEqualTo(utc.time());
    assertThat(event.time().getOffset()).isEqualTo(ZoneOffset.UTC);
    assertThat(CloudEventCodec.fromKafka(consumed(CloudEventCodec.toKafka(TOPIC, event)))).isEqualTo(event);
    assertThat(CloudEventCodec.fromStructuredJson(CloudEventCodec.toStructuredJson(event))).isEqualTo(event);
  }

  @Test
  void leavesOutOptionalAttributesAndTheKeyWhenAbsent() {
    Envelope<RevocationRequested> full = revocationRequest();
    Envelope<RevocationRequested> bare = new Envelope<>(full.id(), full.source(), full.type(), null, null, null,
        full.data());

    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka(TOPIC, bare);

    assertThat(record.key()).isNull();
    assertThat(record.headers().lastHeader("ce_partitionkey")).isNull();
    assertThat(record.headers().lastHeader("ce_subject")).isNull();
    assertThat(record.headers().lastHeader("ce_time")).isNull();
    assertThat(CloudEventCodec.fromKafka(consumed(record))).isEqualTo(bare);
  }

  @Test
  void structuredJsonRoundTripGivesBackTheEnvelope() throws Exception {
    for (Envelope<?> event : List.of(revocationRequest(), auditEvent())) {
      byte[] json = CloudEventCodec.toStructuredJson(event);

      assertThat(CloudEventCodec.fromStructuredJson(json)).isEqualTo(event);
    }
  }

  @Test
  void structuredJsonCarriesTheDataAsAJsonObject() throws Exception {
    JsonNode json = Json.mapper().readTree(CloudEventCodec.toStructuredJson(revocationRequest()));

    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("type").asText()).isEqualTo("dev.killswitch.revocation.requested.v1");
    assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(json.get("partitionkey").asText()).isEqualTo(TARGET);
    assertThat(json.get("data").isObject()).isTrue();
    assertThat(json.get("data").get("requestId").asText()).isEqualTo("req-2f9c1e");
    assertThat(json.has("data_base64")).isFalse();
  }

  @Test
  void decodesAStructuredModeKafkaRecordToo() {
    Envelope<RevocationRequested> event = revocationRequest();
    Headers headers = new RecordHeaders();
    headers.add("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));

    assertThat(CloudEventCodec.fromKafka(headers, CloudEventCodec.toStructuredJson(event))).isEqualTo(event);
  }

  @Test
  void rejectsAPlainJsonRecordAsNotACloudEvent() {
    byte[] value = "{\"requestId\":\"r1\",\"target\":\"k8s:prod:token/abc\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> CloudEventCodec.fromKafka(new RecordHeaders(), value))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_CLOUDEVENT))
        .hasMessageStartingWith("not a CloudEvent");
  }

  @Test
  void rejectsStructuredBytesThatAreNotACloudEvent() {
    assertThatThrownBy(() -> CloudEventCodec.fromStructuredJson("{\"hello\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_CLOUDEVENT));
    assertThatThrownBy(() -> CloudEventCodec.fromStructuredJson("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_CLOUDEVENT));
  }

  @Test
  void rejectsAnUnknownTypeNamingIt() {
    ProducerRecord<String, byte[]> record = CloudEventCodec.toKafka(TOPIC, revocationRequest());
    record.headers().remove("ce_type");
    record.headers().add("ce_type", "dev.cdevents.pipelinerun.finished.0.1.1".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> CloudEventCodec.fromKafka(consumed(record)))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE))
        .hasMessage("unknown CloudEvent type dev.cdevents.pipelinerun.finished.0.1.1");
  }

  @Test
  void rejectsDataThatDoesNotBindNamingTheTypeAndTheProblem() throws Exception {
    ProducerRecord<String, byte[]> good = CloudEventCodec.toKafka(TOPIC, revocationRequest());
    ObjectNode data = (ObjectNode) Json.mapper().readTree(good.value());
    data.put("mode", "enforce-now");

    assertThatThrownBy(() -> CloudEventCodec.fromKafka(good.headers(), Json.mapper().writeValueAsBytes(data)))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_DATA))
        .hasMessageStartingWith("data of dev.killswitch.revocation.requested.v1 does not bind: ")
        .hasMessageContaining("enforce-now");
  }

  @Test
  void rejectsDataThatIsNotJsonOrMissingOrNull() {
    Headers headers = CloudEventCodec.toKafka(TOPIC, revocationRequest()).headers();
    for (String value : new String[] {"<xml/>", "", "null", "[1,2]", "\"text\""}) {
      assertThatThrownBy(() -> CloudEventCodec.fromKafka(headers, value.getBytes(StandardCharsets.UTF_8)))
          .as(value)
          .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_DATA))
          .hasMessageStartingWith("data of dev.killswitch.revocation.requested.v1 does not bind: ");
    }
    assertThatThrownBy(() -> CloudEventCodec.fromKafka(headers, null))
        .isInstanceOfSatisfying(CodecException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_DATA))
        .hasMessageContaining("no data");
  }

  @Test
  void anEnvelopeRefusesDataOfAnotherType() {
    Envelope<RevocationRequested> ok = revocationRequest();
    assertThatThrownBy(() -> new Envelope<>(ok.id(), ok.source(), EventType.ALERT, null, null, null, ok.data()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dev.killswitch.alert.v1 carries Alert, not RevocationRequested");
  }
}
