package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.CiJobEvent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class GitlabIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/gitlab";

  private HttpResponse<String> hook(String event, String token, byte[] body) throws Exception {
    return server.post(PATH, body, "Content-Type", "application/json", "X-Gitlab-Event", event,
        "X-Gitlab-Token", token, "X-Gitlab-Instance", "https://gitlab.com");
  }

  @Test
  void jobHookWithTheRightTokenIsPublishedOnceAsACiJobKeyedByItsPipeline() throws Exception {
    byte[] body = Fixtures.bytes("gitlab/go-gitlab-testdata-webhooks-job.json");

    HttpResponse<String> first = hook("Job Hook", IngestServer.GITLAB_TOKEN, body);
    HttpResponse<String> again = hook("Job Hook", IngestServer.GITLAB_TOKEN, body);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(again.body()).path("duplicate").asBoolean()).isTrue();
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo("ci:gitlab:gitlab.com/jsmithy2/release-tools-fake/pipelines/743121198");
    Envelope<?> event = CloudEventCodec.fromKafka(records.get(0));
    assertThat(event.type()).isEqualTo(EventType.CI_JOB);
    assertThat(event.dataAs(CiJobEvent.class).conclusion()).isEqualTo("success");
    assertThat(server.counter("gitlab", "deduplicated", "event-seen")).isEqualTo(1.0);
  }

  @Test
  void pipelineHookIsPublishedAsACiRun() throws Exception {
    HttpResponse<String> response = hook("Pipeline Hook", IngestServer.GITLAB_TOKEN,
        GitlabSamples.PIPELINE_SUCCESS.getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    List<ConsumerRecord<String, byte[]>> records = kafka.readToEnd(topics.ciEvents());
    assertThat(records).hasSize(1);
    assertThat(CloudEventCodec.fromKafka(records.get(0)).type()).isEqualTo(EventType.CI_RUN);
    assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).doesNotContain(GitlabSamples.VARIABLE_VALUE);
  }

  @Test
  void wrongOrMissingTokenIsRefusedWith401AndNothingIsPublished() throws Exception {
    byte[] body = Fixtures.bytes("gitlab/go-gitlab-testdata-webhooks-job.json");

    HttpResponse<String> wrong = hook("Job Hook", "not-the-token", body);
    HttpResponse<String> missing = server.post(PATH, body, "Content-Type", "application/json",
        "X-Gitlab-Event", "Job Hook");

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(Json.mapper().readTree(wrong.body()).path("error").asText()).isEqualTo("bad-token");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
  }

  @Test
  void otherHooksAreIgnoredWith202() throws Exception {
    HttpResponse<String> response = hook("Push Hook", IngestServer.GITLAB_TOKEN,
        "{\"object_kind\":\"push\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(Json.mapper().readTree(response.body()).path("ignored").asText()).isEqualTo("Push Hook");
    assertThat(kafka.readToEnd(topics.ciEvents())).isEmpty();
  }
}
