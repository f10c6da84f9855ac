package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class K8sAuditIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/k8s-audit/prod-eu";
  private static final String TOKEN_ACTOR = "k8s:prod-eu:token/" + AuditSamples.ISSUED_JTI;
  private static final String CI_USER = "k8s:prod-eu:user/github:repo:acme/app:ref:refs/heads/main";

  private HttpResponse<String> send(byte[] body) throws Exception {
    return server.post(PATH, body, "Content-Type", "application/json",
        "Authorization", "Bearer " + IngestServer.INGEST_TOKEN);
  }

  private static byte[] eventList(JsonNode... items) throws Exception {
    ObjectNode list = Json.mapper().createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
    list.putObject("metadata");
    ArrayNode array = list.putArray("items");
    for (JsonNode item : items) {
      array.add(item);
    }
    return Json.mapper().writeValueAsBytes(list);
  }

  private Map<String, Envelope<?>> publishedById() {
    return kafka.readToEnd(topics.k8sEvents()).stream()
        .collect(Collectors.toMap(r -> CloudEventCodec.fromKafka(r).id(), CloudEventCodec::fromKafka));
  }

  @Test
  void eventListBecomesOneEventPerAuditEventKeyedByActorWithRequestReceivedDropped() throws Exception {
    ObjectNode received = (ObjectNode) AuditSamples.json(AuditSamples.TOKEN_REQUEST);
    received.put("stage", "RequestReceived");
    byte[] body = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST), received,
        AuditSamples.json(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN),
        Fixtures.json("k8s-audit/aws-samples_eks-cloudwatch-audit_eks-k8s-metrics_list-deployments.json"));

    HttpResponse<String> response = send(body);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = Json.mapper().readTree(response.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(3);
    assertThat(answer.path("dropped").asInt()).isEqualTo(1);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.k8sEvents());
    assertThat(records).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder(CI_USER, TOKEN_ACTOR, "k8s:prod-eu:user/eks:k8s-metrics");
    Map<String, Envelope<?>> byId = publishedById();
    K8sAuditEvent tokenRequest = byId.get("1f5e9c1a-2a4e-4d0b-8f3c-0b6f6a3c9e11:ResponseComplete")
        .dataAs(K8sAuditEvent.class);
    assertThat(tokenRequest.issuedCredentialId()).isEqualTo(AuditSamples.ISSUED_JTI);
    assertThat(tokenRequest.ciRun()).isEqualTo(AuditSamples.RUN);
    assertThat(tokenRequest.issuedFor()).isEqualTo("k8s:prod-eu:sa/ci/deployer");
    assertThat(server.counter("k8s-audit", "accepted", "none")).isEqualTo(3.0);
    assertThat(server.counter("k8s-audit", "ignored", "stage-request-received")).isEqualTo(1.0);
  }

  @Test
  void secretsNeverReachKafkaInRaw() throws Exception {
    ObjectNode secretCreate = (ObjectNode) Fixtures.json("k8s-audit/falco_create_secret_minikube-user.json");
    secretCreate.put("level", "RequestResponse");
    secretCreate.putObject("requestObject").put("kind", "Secret").put("apiVersion", "v1")
        .putObject("data").put("password", "aHVudGVyMg==");

    HttpResponse<String> response = send(eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST), secretCreate));

    assertThat(response.statusCode()).isEqualTo(200);
    for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topics.k8sEvents())) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      assertThat(value).doesNotContain(AuditSamples.TOKEN_VALUE).doesNotContain("aHVudGVyMg==");
    }
    K8sAuditEvent secret = publishedById().get("55a81824-ab56-46c5-8b02-96336f5e78d7:ResponseComplete")
        .dataAs(K8sAuditEvent.class);
    assertThat(secret.secretAccess()).isTrue();
    assertThat(secret.raw().at("/requestObject/data/password").asText()).isEqualTo("[REDACTED]");
  }

  @Test
  void batchWithABadEventPublishesTheGoodOnesAndReportsTheBadOneByIndexWith207() throws Exception {
    ObjectNode noAuditId = (ObjectNode) AuditSamples.json(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN);
    noAuditId.remove("auditID");
    byte[] body = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST), noAuditId);

    HttpResponse<String> response = send(body);

    assertThat(response.statusCode()).isEqualTo(207);
    JsonNode answer = Json.mapper().readTree(response.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(1);
    assertThat(answer.path("rejected")).hasSize(1);
    assertThat(answer.path("rejected").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(answer.path("rejected").get(0).path("error").asText()).isEqualTo("invalid-event");
    assertThat(kafka.readToEnd(topics.k8sEvents())).extracting(ConsumerRecord::key).containsExactly(CI_USER);
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("invalid-event");
    assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.ORIGIN).value(), StandardCharsets.UTF_8))
        .isEqualTo("ingest:" + PATH + "#1");
  }

  @Test
  void oneAuditEventOutsideAListIsAccepted() throws Exception {
    HttpResponse<String> response = send(AuditSamples.TOKEN_REQUEST.getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(kafka.readToEnd(topics.k8sEvents())).hasSize(1);
  }

  @Test
  void withoutTheIngestRoleTheRequestIsRefusedAndNothingIsPublished() throws Exception {
    byte[] body = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST));

    HttpResponse<String> none = server.post(PATH, body, "Content-Type", "application/json");
    HttpResponse<String> unknown = server.post(PATH, body, "Authorization", "Bearer nope");
    HttpResponse<String> analyst = server.post(PATH, body, "Authorization", "Bearer " + IngestServer.ANALYST_TOKEN);

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(403);
    assertThat(analyst.statusCode()).isEqualTo(403);
    assertThat(Json.mapper().readTree(analyst.body()).path("error").asText()).isEqualTo("forbidden");
    assertThat(kafka.readToEnd(topics.k8sEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
  }

  @Test
  void malformedJsonIsRefusedWith400AndDeadLettered() throws Exception {
    HttpResponse<String> response = send("{\"kind\":\"EventList\",\"items\":[".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(response.body()).path("error").asText()).isEqualTo("malformed-json");
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("malformed-json");
  }

  @Test
  void wrongContentTypeIs415AndAnUnknownEventListVersionIs400() throws Exception {
    byte[] body = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST));
    ObjectNode v2 = (ObjectNode) Json.mapper().readTree(body);
    v2.put("apiVersion", "audit.k8s.io/v2");

    HttpResponse<String> text = server.post(PATH, body, "Content-Type", "text/plain",
        "Authorization", "Bearer " + IngestServer.INGEST_TOKEN);
    HttpResponse<String> unknownVersion = send(Json.mapper().writeValueAsBytes(v2));

    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(unknownVersion.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(unknownVersion.body()).path("error").asText()).isEqualTo("unsupported-version");
    assertThat(kafka.readToEnd(topics.k8sEvents())).isEmpty();
  }

  @Test
  void bodyOverTheRequestLimitIs413AndAnEventOverTheEventLimitIsRefusedByIndex() throws Exception {
    server.close();
    server = IngestServer.start(IngestServer.config().withMaxRequestBytes(12 * 1024).withMaxEventBytes(6 * 1024),
        topics, kafka.bootstrapServers(), Map.of());
    ObjectNode big = (ObjectNode) AuditSamples.json(AuditSamples.SECRET_READ_WITH_BOUND_TOKEN);
    big.put("auditID", "big-one").put("userAgent", "x".repeat(5 * 1024));
    byte[] tooLarge = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST), big, big, big);
    byte[] oneTooBig = eventList(AuditSamples.json(AuditSamples.TOKEN_REQUEST), big);

    HttpResponse<String> requestTooLarge = send(tooLarge);
    HttpResponse<String> eventTooLarge = send(oneTooBig);

    assertThat(requestTooLarge.statusCode()).isEqualTo(413);
    assertThat(Json.mapper().readTree(requestTooLarge.body()).path("error").asText()).isEqualTo("request-too-large");
    assertThat(eventTooLarge.statusCode()).isEqualTo(207);
    assertThat(Json.mapper().readTree(eventTooLarge.body()).at("/rejected/0/error").asText())
        .isEqualTo("event-too-large");
    assertThat(kafka.readToEnd(topics.k8sEvents())).hasSize(1);
  }
}
