package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.internal.GithubSignature;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.CiJobEvent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class GithubIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/github";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final GithubSignature signer = new GithubSignature(IngestServer.GITHUB_SECRET);

  private HttpResponse<String> deliver(String event, String delivery, byte[] body) throws Exception {
    return server.post(PATH, body, "Content-Type", "application/json", "X-GitHub-Event", event,
        "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", signer.sign(body));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void signedWorkflowJobIsAcknowledgedOnlyOnceOnTheCiTopicAsACiJobKeyedByItsRun() throws Exception {
    String delivery = UUID.randomUUID().toString();
    byte[] body = Fixtures.bytes("github/workflow_job.completed.success.with-organization.payload.json");

    HttpResponse<String> response = deliver("workflow_job", delivery, body);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("id").asText()).isEqualTo(delivery);
    // 200 is sent after the acknowledgement, so the record is already there to be read.
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    ConsumerRecord<String, byte[]> record = records.get(0);
    Envelope<?> event = CloudEventCodec.fromKafka(record);
    String run = "ci:github:Codertocat/Hello-World/runs/2202229078";
    assertThat(record.key()).isEqualTo(run);
    assertThat(event.type()).isEqualTo(EventType.CI_JOB);
    assertThat(event.id()).isEqualTo(delivery);
    assertThat(event.subject()).isEqualTo(run);
    assertThat(event.source().toString()).isEqualTo("github://Codertocat/Hello-World");
    CiJobEvent job = event.dataAs(CiJobEvent.class);
    assertThat(job.job()).isEqualTo("ci:github:Codertocat/Hello-World/jobs/289782451");
    assertThat(job.status()).isEqualTo("completed");
    assertThat(job.conclusion()).isEqualTo("success");
    assertThat(server.counter("github", "accepted", "none")).isEqualTo(1.0);
  }

  @Test
  void wrongOrMissingSignatureIsRefusedWith401AndNothingIsPublished() throws Exception {
    byte[] body = Fixtures.bytes("github/workflow_job.queued.payload.json");

    HttpResponse<String> forged = server.post(PATH, body, "Content-Type", "application/json",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", new GithubSignature("another secret").sign(body));
    HttpResponse<String> unsigned = server.post(PATH, body, "Content-Type", "application/json",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", UUID.randomUUID().toString());

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(json(forged).path("error").asText()).isEqualTo("bad-signature");
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
    assertThat(server.counter("github", "rejected", "bad-signature")).isEqualTo(2.0);
  }

  @Test
  void malformedJsonIsRefusedWith400AndItsRedactedBytesGoToTheDeadLetterTopic() throws Exception {
    byte[] body = "{\"action\": \"queued\", \"token\": \"ghs_0123456789abcdefghijklmnopqrstuvwxyz\", \"workflow_job\": {"
        .getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> response = deliver("workflow_job", UUID.randomUUID().toString(), body);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asText()).isEqualTo("malformed-json");
    assertThat(json(response).path("message").asText()).isNotBlank();
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(header(dead.get(0), DeadLetter.REASON)).isEqualTo("malformed-json");
    assertThat(header(dead.get(0), DeadLetter.ORIGIN)).isEqualTo("ingest:" + PATH);
    String value = new String(dead.get(0).value(), StandardCharsets.UTF_8);
    assertThat(value).startsWith("{\"action\": \"queued\"").doesNotContain("ghs_0123456789");
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
  }

  @Test
  void redeliveredDeliveryIsAnsweredAsDuplicateAndPublishedOnce() throws Exception {
    String delivery = UUID.randomUUID().toString();
    byte[] body = Fixtures.bytes("github/workflow_run.completed.payload.json");

    HttpResponse<String> first = deliver("workflow_run", delivery, body);
    HttpResponse<String> again = deliver("workflow_run", delivery, body);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).path("duplicate").asBoolean()).isTrue();
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    assertThat(CloudEventCodec.fromKafka(records.get(0)).type()).isEqualTo(EventType.CI_RUN);
    assertThat(server.counter("github", "deduplicated", "delivery-seen")).isEqualTo(1.0);
  }

  @Test
  void pingIsAnsweredAndOtherEventTypesAreIgnoredWith202() throws Exception {
    byte[] ping = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] push = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> pong = deliver("ping", UUID.randomUUID().toString(), ping);
    HttpResponse<String> ignored = deliver("push", UUID.randomUUID().toString(), push);

    assertThat(pong.statusCode()).isEqualTo(200);
    assertThat(json(pong).path("ok").asBoolean()).isTrue();
    assertThat(ignored.statusCode()).isEqualTo(202);
    assertThat(json(ignored).path("ignored").asText()).isEqualTo("push");
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
    assertThat(server.counter("github", "ignored", "unhandled-event-type")).isEqualTo(1.0);
  }

  @Test
  void formEncodedDeliveryIsAcceptedAndOtherContentTypesAreRefusedWith415() throws Exception {
    byte[] json = Fixtures.bytes("github/workflow_job.queued.payload.json");
    byte[] form = ("payload=" + java.net.URLEncoder.encode(new String(json, StandardCharsets.UTF_8),
        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> formResponse = server.post(PATH, form, "Content-Type", "application/x-www-form-urlencoded",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", signer.sign(form));
    HttpResponse<String> xml = server.post(PATH, json, "Content-Type", "application/xml",
        "X-GitHub-Event", "workflow_job", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", signer.sign(json));

    assertThat(formResponse.statusCode()).isEqualTo(200);
    assertThat(xml.statusCode()).isEqualTo(415);
    assertThat(json(xml).path("error").asText()).isEqualTo("unsupported-media-type");
    assertThat(kafka.readToEnd(topics.ciEvents())).hasSize(1);
    assertThat(header(kafka.readToEnd(topics.deadletter()).get(0), DeadLetter.REASON))
        .isEqualTo("unsupported-media-type");
  }

  @Test
  void bodyLargerThanTheHttpServersOwnDefaultLimitIsReadUpToIngestsLimit() throws Exception {
    byte[] ping = ("{\"zen\":\"" + "z".repeat(2 * 1024 * 1024) + "\",\"hook_id\":1}").getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> pong = deliver("ping", UUID.randomUUID().toString(), ping);

    assertThat(pong.statusCode()).isEqualTo(200);
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
