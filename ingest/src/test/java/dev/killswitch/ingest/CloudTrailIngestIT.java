package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class CloudTrailIngestIT extends RunningIngest {

  private static final String PATH = "/v1/ingest/aws/cloudtrail";
  private static final String POD_SESSION = "aws:823571991546:session/ASIA37QFXJP5MQOWRZ6Q";
  private static final String GITHUB_SUBJECT = "oidc:token.actions.githubusercontent.com/" + CloudSamples.GITHUB_SUB;
  private static final String GITHUB_SESSION = "aws:" + CloudSamples.ACCOUNT + ":session/" + CloudSamples.GITHUB_SESSION_KEY;
  /** The start of the real session token in the shared sts AssumeRole fixture. */
  private static final String FIXTURE_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEIL";


  private HttpResponse<String> send(byte[] body, String... headers) throws Exception {
    List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + IngestServer.INGEST_TOKEN));
    all.addAll(List.of(headers));
    return server.post(PATH, body, all.toArray(String[]::new));
  }

  private static byte[] logFile(JsonNode... records) throws Exception {
    ObjectNode file = Json.mapper().createObjectNode();
    ArrayNode array = file.putArray("Records");
    for (JsonNode r : records) {
      array.add(r);
    }
    return Json.mapper().writeValueAsBytes(file);
  }

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static JsonNode fixture(String name) {
    return Fixtures.json("cloudtrail/" + name);
  }

  private Map<String, Envelope<?>> publishedById() {
    return kafka.readToEnd(topics.cloudEvents()).stream()
        .collect(Collectors.toMap(r -> CloudEventCodec.fromKafka(r).id(), CloudEventCodec::fromKafka));
  }

  /** Every byte Ingest wrote: record keys, values and headers of the cloud and dead-letter topics. */
  private String everythingPublished() {
    StringBuilder all = new StringBuilder();
    for (String topic : List.of(topics.cloudEvents(), topics.deadletter())) {
      for (ConsumerRecord<String, byte[]> r : kafka.readToEnd(topic)) {
        all.append(r.key()).append('\n').append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
        for (Header h : r.headers()) {
          all.append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8)).append('\n');
        }
      }
    }
    return all.toString();
  }

  @Test
  void gzipLogFilePublishesEveryRecordKeyedByItsActorOrMintedSession() throws Exception {
    byte[] file = gzip(logFile(
        fixture("aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json"),
        fixture("aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json"),
        CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY),
        CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY)));

    HttpResponse<String> response = send(file, "Content-Type", "application/json", "Content-Encoding", "gzip");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(Json.mapper().readTree(response.body()).path("accepted").asInt()).isEqualTo(4);
    assertThat(kafka.readToEnd(topics.cloudEvents())).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(
        "aws:823571991546:session/ASIA37QFXJP5LMALW5PH", POD_SESSION, GITHUB_SUBJECT, GITHUB_SESSION);
    Map<String, Envelope<?>> byId = publishedById();
    AwsCloudTrailEvent podSession = byId.get("7b7e4636-4713-3d04-b86a-cd6774cdbae9").dataAs(AwsCloudTrailEvent.class);
    assertThat(podSession.sessionTags()).containsEntry("kubernetes-service-account", "sa1");
    assertThat(byId.get("5c3b1a6e-9f2d-4e7a-b8c0-1d2e3f4a5b6c").dataAs(AwsCloudTrailEvent.class).mintedSession())
        .isEqualTo(GITHUB_SESSION);
    assertThat(server.counter("aws-cloudtrail", "accepted", "none")).isEqualTo(4.0);
  }

  @Test
  void gzipFileIsRecognizedByItsMagicBytesWithoutContentEncoding() throws Exception {
    byte[] file = gzip(logFile(fixture("aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json")));

    HttpResponse<String> response = send(file, "Content-Type", "application/gzip");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(1);
  }

  @Test
  void noSecretValueSurvivesAnywhereInThePublishedBytesOfEventsOrDeadLetters() throws Exception {
    ObjectNode badWithSecret = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    badWithSecret.remove("eventID");
    byte[] batch = logFile(
        CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY),
        CloudSamples.json(CloudSamples.IRSA_ASSUME_ROLE_WITH_WEB_IDENTITY),
        CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY),
        fixture("aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json"),
        badWithSecret);
    String createAccessKey = Json.mapper().writeValueAsString(CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY));
    byte[] truncated = createAccessKey.substring(0, createAccessKey.indexOf(CloudSamples.NEW_KEY_SECRET)
        + CloudSamples.NEW_KEY_SECRET.length() + 3).getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> partly = send(batch, "Content-Type", "application/json");
    HttpResponse<String> malformed = send(truncated, "Content-Type", "application/json");

    assertThat(partly.statusCode()).isEqualTo(207);
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(4);
    assertThat(kafka.readToEnd(topics.deadletter())).hasSize(2);
    String published = everythingPublished();
    assertThat(published).contains(CloudSamples.GITHUB_SESSION_KEY).contains(CloudSamples.NEW_ACCESS_KEY)
        .doesNotContain(CloudSamples.SECRET_ACCESS_KEY)
        .doesNotContain(CloudSamples.NEW_KEY_SECRET)
        .doesNotContain(CloudSamples.SESSION_TOKEN)
        .doesNotContain(FIXTURE_SESSION_TOKEN);
  }

  @Test
  void eventBridgeEventAndLookupEventsOutputArePublished() throws Exception {
    byte[] eventBridge = Fixtures.bytes(
        "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json");
    byte[] lookup = Fixtures.bytes("cloudtrail/aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json");

    HttpResponse<String> single = send(eventBridge, "Content-Type", "application/json; charset=utf-8");
    HttpResponse<String> list = send(lookup, "Content-Type", "application/json");

    assertThat(single.statusCode()).isEqualTo(200);
    assertThat(list.statusCode()).isEqualTo(200);
    Map<String, Envelope<?>> byId = publishedById();
    assertThat(byId).containsOnlyKeys("cdc4b7ed-e171-4cef-975a-ad829d4123e8", "d647586b-b713-46af-b7f9-512c7f5145dd");
    assertThat(byId.get("d647586b-b713-46af-b7f9-512c7f5145dd").dataAs(AwsCloudTrailEvent.class).errorCode())
        .isEqualTo("AccessDenied");
  }

  @Test
  void batchWithABadRecordPublishesTheGoodOnesAndReportsTheBadOneByIndex() throws Exception {
    ObjectNode noUser = (ObjectNode) CloudSamples.json(CloudSamples.CREATE_ACCESS_KEY);
    noUser.remove("userIdentity");
    byte[] body = logFile(CloudSamples.json(CloudSamples.GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY), noUser,
        fixture("aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json"));

    HttpResponse<String> response = send(gzip(body), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(207);
    JsonNode answer = Json.mapper().readTree(response.body());
    assertThat(answer.path("accepted").asInt()).isEqualTo(2);
    assertThat(answer.path("rejected")).hasSize(1);
    assertThat(answer.at("/rejected/0/index").asInt()).isEqualTo(1);
    assertThat(answer.at("/rejected/0/error").asText()).isEqualTo("invalid-event");
    assertThat(answer.at("/rejected/0/message").asText()).contains("userIdentity");
    assertThat(kafka.readToEnd(topics.cloudEvents())).hasSize(2);
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).hasSize(1);
    assertThat(header(dead.get(0), DeadLetter.ORIGIN)).isEqualTo("ingest:" + PATH + "#1");
    assertThat(server.counter("aws-cloudtrail", "rejected", "invalid-event")).isEqualTo(1.0);
  }

  @Test
  void malformedJsonAndCorruptGzipAreRefusedWith400AndDeadLettered() throws Exception {
    byte[] corrupt = gzip(logFile(fixture("aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json")));
    corrupt = Arrays.copyOf(corrupt, corrupt.length / 2);

    HttpResponse<String> notJson = send("{\"Records\":[".getBytes(StandardCharsets.UTF_8),
        "Content-Type", "application/json");
    HttpResponse<String> badGzip = send(corrupt, "Content-Encoding", "gzip");
    HttpResponse<String> notCloudTrail = send("[1,2]".getBytes(StandardCharsets.UTF_8));

    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(notJson.body()).path("error").asText()).isEqualTo("malformed-json");
    assertThat(badGzip.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(badGzip.body()).path("message").asText()).contains("gzip");
    assertThat(notCloudTrail.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(notCloudTrail.body()).path("rejected")).hasSize(2);
    assertThat(kafka.readToEnd(topics.cloudEvents())).isEmpty();
    List<ConsumerRecord<String, byte[]>> dead = kafka.readToEnd(topics.deadletter());
    assertThat(dead).extracting(r -> header(r, DeadLetter.REASON))
        .containsExactlyInAnyOrder("malformed-json", "malformed-json", "invalid-event", "invalid-event");
    // What could be inflated of the corrupt file is dead-lettered as text, not as compressed bytes.
    assertThat(dead).anySatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).startsWith("{\"Records\""));
  }

  @Test
  void withoutTheIngestRoleNothingIsPublished() throws Exception {
    byte[] body = logFile(fixture("aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json"));

    HttpResponse<String> none = server.post(PATH, body, "Content-Type", "application/json");
    HttpResponse<String> analyst = server.post(PATH, body, "Authorization", "Bearer " + IngestServer.ANALYST_TOKEN);

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(Json.mapper().readTree(none.body()).path("error").asText()).isEqualTo("unauthorized");
    assertThat(analyst.statusCode()).isEqualTo(403);
    assertThat(kafka.readToEnd(topics.cloudEvents())).isEmpty();
    assertThat(kafka.readToEnd(topics.deadletter())).isEmpty();
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
