package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class CloudEventsIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/cloudevents";
  private static final String AUTH = "Bearer " + IngestServer.INGEST_TOKEN;

  /** The verbatim header lines of the Tekton fixture ({@code "Ce-Id": "77f7...",}) as name, value pairs. */
  private static List<String> tektonHeaders() {
    Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"").matcher(
        new String(Fixtures.bytes("tekton/taskrun-unknown-v1-cloudevent-http-headers.verbatim.txt"), StandardCharsets.UTF_8));
    List<String> headers = new ArrayList<>();
    while (m.find()) {
      headers.add(m.group(1));
      headers.add(m.group(2));
    }
    return headers;
  }

  /** A CDEvent in the structured CloudEvents JSON format, as the CDEvents SDKs write it. */
  private static ObjectNode structured(String fixture, String id) {
    ObjectNode cdevent = (ObjectNode) Fixtures.json("cdevents/" + fixture);
    ((ObjectNode) cdevent.get("context")).put("id", id);
    ObjectNode ce = Json.mapper().createObjectNode()
        .put("specversion", "1.0").put("id", id)
        .put("source", cdevent.at("/context/source").asText())
        .put("type", cdevent.at("/context/type").asText())
        .put("time", cdevent.at("/context/timestamp").asText())
        .put("datacontenttype", "application/json");
    ce.set("data", cdevent);
    return ce;
  }

  private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
    return server.post(PATH, body, "Content-Type", contentType, "Authorization", AUTH);
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void tektonBinaryModeRequestWithItsVerbatimHeadersBecomesACiJob() throws Exception {
    List<String> headers = new ArrayList<>(tektonHeaders());
    headers.addAll(List.of("Content-Type", "application/json", "Authorization", AUTH));

    HttpResponse<String> response = server.post(PATH, Fixtures.bytes("tekton/taskrun-unknown-v1-cloudevent-data.json"),
        headers.toArray(String[]::new));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).path("accepted").asInt()).isEqualTo(1);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    String job = "ci:cdevents:/apis/tekton.dev/v1beta1/namespaces/default/taskruns/curl-run-6gplk";
    assertThat(records.get(0).key()).isEqualTo(job);
    Envelope<?> e = CloudEventCodec.fromKafka(records.get(0));
    assertThat(e.id()).isEqualTo("77f78ae7-ff6d-4e39-9d05-b9a0b7850527");
    assertThat(e.dataAs(CiJobEvent.class).status()).isEqualTo("in_progress");
    assertThat(server.counter("cloudevents", "accepted", "none")).isEqualTo(1.0);
  }

  @Test
  void structuredCdEventBecomesACiRunAndItsRedeliveryIsNotPublishedAgain() throws Exception {
    byte[] body = Json.mapper().writeValueAsBytes(structured("v0.4.1_pipelinerun_started.json", "ctx-1"));

    HttpResponse<String> first = post("application/cloudevents+json; charset=utf-8", body);
    HttpResponse<String> again = post("application/cloudevents+json", body);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).path("deduplicated").asInt()).isEqualTo(1);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    Envelope<?> e = CloudEventCodec.fromKafka(records.get(0));
    assertThat(e.id()).isEqualTo("ctx-1");
    assertThat(e.dataAs(CiRunEvent.class).status()).isEqualTo("in_progress");
    assertThat(server.counter("cloudevents", "deduplicated", "event-seen")).isEqualTo(1.0);
  }

  @Test
  void batchPublishesTheGoodEventsAndReportsTheBadOneByIndex() throws Exception {
    ArrayNode batch = Json.mapper().createArrayNode();
    batch.add(structured("v0.4.1_pipelinerun_queued.json", "b-1"));
    batch.add(structured("main-0.6.0-draft_taskrun_finished.json", "b-2"));
    ObjectNode noId = structured("v0.4.1_pipelinerun_finished.json", "b-3");
    noId.remove("id");
    batch.add(noId);

    HttpResponse<String> response = post("application/cloudevents-batch+json", Json.mapper().writeValueAsBytes(batch));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
    JsonNode answer = json(response);
    assertThat(answer.path("accepted").asInt()).isEqualTo(2);
    assertThat(answer.path("rejected").get(0).path("index").asInt()).isEqualTo(2);
    assertThat(answer.path("rejected").get(0).path("error").asText()).isEqualTo("invalid-event");
    assertThat(kafka.readToEnd(topics.ciEvents())).hasSize(2);
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.ORIGIN).value(), StandardCharsets.UTF_8))
        .isEqualTo("ingest:" + PATH + "#2");
  }

  @Test
  void unknownCloudEventTypesAreAnswered202AndCounted() throws Exception {
    ObjectNode other = structured("v0.4.1_pipelinerun_queued.json", "u-1").put("type", "com.example.order.created");
    ObjectNode artifact = structured("v0.4.1_pipelinerun_queued.json", "u-2")
        .put("type", "dev.cdevents.artifact.packaged.0.1.1");
    ((ObjectNode) artifact.at("/data/context")).put("type", "dev.cdevents.artifact.packaged.0.1.1");

    HttpResponse<String> one = post("application/cloudevents+json", Json.mapper().writeValueAsBytes(other));
    HttpResponse<String> batch = post("application/cloudevents-batch+json",
        Json.mapper().writeValueAsBytes(Json.mapper().createArrayNode().add(other).add(artifact)));

    assertThat(one.statusCode()).isEqualTo(202);
    assertThat(json(one).path("ignored").asText()).isEqualTo("com.example.order.created");
    assertThat(batch.statusCode()).isEqualTo(202);
    assertThat(server.counter("cloudevents", "ignored", "unhandled-event-type")).isEqualTo(3.0);
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
  }

  @Test
  void unsupportedSpecVersionsAreRefusedWith400NamingTheVersion() throws Exception {
    ObjectNode ce2 = structured("v0.4.1_pipelinerun_queued.json", "v-1").put("specversion", "2.0");
    ObjectNode cdevents03 = structured("v0.4.1_pipelinerun_queued.json", "v-2");
    ((ObjectNode) cdevents03.at("/data/context")).put("version", "0.3.0");

    HttpResponse<String> cloudEvents = post("application/cloudevents+json", Json.mapper().writeValueAsBytes(ce2));
    HttpResponse<String> cdevents = server.post(PATH, Json.mapper().writeValueAsBytes(cdevents03.get("data")),
        "Content-Type", "application/json", "Authorization", AUTH, "ce-specversion", "1.0", "ce-id", "v-2",
        "ce-source", "%2Fevent%2Fsource%2F123", "ce-type", "dev.cdevents.pipelinerun.queued.0.2.0");

    assertThat(cloudEvents.statusCode()).isEqualTo(400);
    assertThat(json(cloudEvents).path("error").asText()).isEqualTo("unsupported-version");
    assertThat(json(cloudEvents).path("message").asText()).contains("2.0");
    assertThat(cdevents.statusCode()).isEqualTo(400);
    assertThat(json(cdevents).path("error").asText()).isEqualTo("unsupported-version");
    assertThat(json(cdevents).path("message").asText()).contains("0.3.0");
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).hasSize(2);
  }

  @Test
  void binaryModeWithoutSpecVersionOrTokenIsRefused() throws Exception {
    byte[] data = Fixtures.bytes("tekton/taskrun-unknown-v1-cloudevent-data.json");

    HttpResponse<String> noHeaders = post("application/json", data);
    HttpResponse<String> noToken = server.post(PATH, data, "Content-Type", "application/json", "ce-specversion", "1.0");

    assertThat(noHeaders.statusCode()).isEqualTo(400);
    assertThat(json(noHeaders).path("error").asText()).isEqualTo("missing-header");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
  }
}
