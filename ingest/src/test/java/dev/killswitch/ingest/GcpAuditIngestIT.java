package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.GcpAuditEvent;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class GcpAuditIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/gcp/audit";
  private static final String WIF_PRINCIPAL =
      "gcp:wif/projects/1234567890123/locations/global/workloadIdentityPools/aws-pool/012345678901";


  private HttpResponse<String> send(byte[] body) throws Exception {
    return server.post(PATH, body, "Content-Type", "application/json",
        "Authorization", "Bearer " + IngestServer.INGEST_TOKEN);
  }

  /** What a Pub/Sub push subscription POSTs for one message of a log sink's topic. */
  static byte[] push(byte[] logEntry) throws Exception {
    ObjectNode envelope = Json.mapper().createObjectNode();
    ObjectNode message = envelope.putObject("message");
    message.putObject("attributes").put("logging.googleapis.com/timestamp", "2025-03-14T09:25:11.398227Z");
    message.put("data", Base64.getEncoder().encodeToString(logEntry))
        .put("messageId", "2070443601311540").put("message_id", "2070443601311540")
        .put("publishTime", "2025-03-14T09:25:13.022Z").put("publish_time", "2025-03-14T09:25:13.022Z");
    envelope.put("subscription", "projects/acme-prod/subscriptions/killswitch-audit-push");
    return Json.mapper().writeValueAsBytes(envelope);
  }

  private static JsonNode fixture(String name) {
    return Fixtures.json("gcp-audit/" + name);
  }

  @Test
  void pubSubPushEnvelopePublishesItsLogEntryKeyedByTheActor() throws Exception {
    byte[] entry = Fixtures.bytes("gcp-audit/google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json");

    HttpResponse<String> response = send(push(entry));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(Json.mapper().readTree(response.body()).path("accepted").asInt()).isEqualTo(1);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.cloudEvents());
    assertThat(records).extracting(ConsumerRecord::key).containsExactly(WIF_PRINCIPAL);
    Envelope<?> event = CloudEventCodec.fromKafka(records.get(0));
    assertThat(event.source()).isEqualTo(URI.create("gcp://my-project"));
    assertThat(event.dataAs(GcpAuditEvent.class).target())
        .isEqualTo("gcp:my-project:sa/my-service-account@my-project.iam.gserviceaccount.com");
    assertThat(server.counter("gcp-audit", "accepted", "none")).isEqualTo(1.0);
  }

  @Test
  void privateKeyDataOfAPushedCreateServiceAccountKeyNeverReachesKafka() throws Exception {
    HttpResponse<String> response = send(push(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY.getBytes(StandardCharsets.UTF_8)));

    assertThat(response.statusCode()).isEqualTo(200);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.cloudEvents());
    assertThat(records).hasSize(1);
    assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
        .doesNotContain(CloudSamples.PRIVATE_KEY_DATA).contains(CloudSamples.GCP_KEY_ID);
    assertThat(CloudEventCodec.fromKafka(records.get(0)).dataAs(GcpAuditEvent.class).target())
        .endsWith("/" + CloudSamples.GCP_KEY_ID);
  }

  @Test
  void arrayWithABadEntryPublishesTheGoodOnesAndReportsTheBadOneByIndex() throws Exception {
    ObjectNode noMethod = (ObjectNode) CloudSamples.json(CloudSamples.GCP_CREATE_SERVICE_ACCOUNT_KEY);
    ((ObjectNode) noMethod.get("protoPayload")).remove("methodName");
    ArrayNode entries = Json.mapper().createArrayNode();
    entries.add(fixture("google-docs_wif_sts-ExchangeToken_azure.json")).add(noMethod)
        .add(fixture("google-docs_wif_pubsub-CreateTopic_impersonated-sa_serviceAccountDelegationInfo.json"));

    HttpResponse<String> response = send(Json.mapper().writeValueAsBytes(entries));

    assertThat(response.statusCode()).isEqualTo(207);
    JsonNode answer = Json.mapper().readTree(response.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(2);
    assertThat(answer.at("/rejected/0/index").asInt()).isEqualTo(1);
    assertThat(answer.at("/rejected/0/message").asText()).contains("methodName");
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(2);
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(header(dead.get(0), DeadLetter.ORIGIN)).isEqualTo("ingest:" + PATH + "#1");
    assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).doesNotContain(CloudSamples.PRIVATE_KEY_DATA);
  }

  @Test
  void malformedJsonAndAPushWhoseDataIsNotBase64AreRefusedWith400AndDeadLettered() throws Exception {
    ObjectNode notBase64 = Json.mapper().createObjectNode();
    notBase64.putObject("message").put("data", "%%% not base64 %%%").put("messageId", "1");

    HttpResponse<String> notJson = send("{\"message\":".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> badData = send(Json.mapper().writeValueAsBytes(notBase64));

    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(notJson.body()).path("error").asText()).isEqualTo("malformed-json");
    assertThat(badData.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(badData.body()).path("message").asText()).contains("base64");
    assertThat(kafka.readToEnd(topics.cloudEvents())).isEmpty();
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).extracting(r -> header(r, DeadLetter.REASON))
        .containsExactlyInAnyOrder("malformed-json", "invalid-event");
    // Data that cannot be decoded cannot be inspected for secrets: it is not dead-lettered.
    assertThat(dead).noneSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("not base64"));
  }

  @Test
  void withoutABearerTokenNothingIsPublished() throws Exception {
    byte[] body = push(Fixtures.bytes("gcp-audit/google-docs_wif_sts-ExchangeToken_azure.json"));

    HttpResponse<String> none = server.post(PATH, body, "Content-Type", "application/json");
    HttpResponse<String> oidc = server.post(PATH, body, "Content-Type", "application/json",
        "Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20ifQ.c2ln");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(Json.mapper().readTree(none.body()).path("error").asText()).isEqualTo("unauthorized");
    // A Pub/Sub push OIDC token is not a configured token (see docs/integrations/gcp-audit.md).
    assertThat(oidc.statusCode()).isEqualTo(403);
    assertThat(kafka.readToEnd(topics.cloudEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
