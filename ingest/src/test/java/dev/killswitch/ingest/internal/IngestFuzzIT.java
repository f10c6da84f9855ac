package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestServer;
import dev.killswitch.ingest.RunningIngest;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Every ingest endpoint over real HTTP against the testkit broker, fed a few hundred generated bad bodies
 * (fixtures with a random node replaced by another JSON type, truncated, garbage, deep nesting), forged GitHub
 * signatures, replayed deliveries and wrong content types. Never a 5xx; every 4xx is a JSON error; the event
 * topics hold exactly what the 2xx answers counted as accepted, each id once; every authenticated 400 left at
 * least one record on the dead letter topic.
 */
class IngestFuzzIT extends RunningIngest {

  private static final long SEED = Long.getLong("fuzz.seed", 20261127L);
  private static final int PER_ROUTE = Integer.getInteger("fuzz.perRoute", 40);
  private static final String BEARER = "Bearer " + IngestServer.INGEST_TOKEN;

  private final GithubSignature signer = new GithubSignature(IngestServer.GITHUB_SECRET);
  private final Random random = new Random(SEED);
  private int accepted;
  private int authenticated400;
  private int requests;

  @Test
  void badInputIsAnswered4xxWithAJsonErrorIsNeverPublishedAndIsDeadLettered() throws Exception {
    for (int i = 0; i < PER_ROUTE; i++) {
      byte[] gh = body(pick("github/workflow_job.in_progress.payload.json", "github/workflow_job.queued.payload.json",
          "github/workflow_run.completed.payload.json"));
      String event = random.nextBoolean() ? "workflow_job" : "workflow_run";
      String delivery = "fuzz-" + i;
      send(true, "/v1/ingest/github", gh, "Content-Type", "application/json", "X-GitHub-Event", event,
          "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", signer.sign(gh));
      // replayed delivery: at most one event for it
      send(true, "/v1/ingest/github", gh, "Content-Type", "application/json", "X-GitHub-Event", event,
          "X-GitHub-Delivery", delivery, "X-Hub-Signature-256", signer.sign(gh));
      // forged: signed with another secret, or a signature of other bytes
      String forged = random.nextBoolean() ? new GithubSignature("not-the-secret").sign(gh)
          : signer.sign((new String(gh, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8));
      int status = send(false, "/v1/ingest/github", gh, "Content-Type", "application/json", "X-GitHub-Event", event,
          "X-GitHub-Delivery", "forged-" + i, "X-Hub-Signature-256", forged);
      assertThat(status).isEqualTo(401);

      byte[] gl = body(pick("gitlab/go-gitlab-testdata-webhooks-build.json", "gitlab/go-gitlab-testdata-webhooks-job.json"));
      send(true, "/v1/ingest/gitlab", gl, "Content-Type", "application/json", "X-Gitlab-Event", "Job Hook",
          "X-Gitlab-Token", IngestServer.GITLAB_TOKEN, "X-Gitlab-Instance", nasty());
      assertThat(send(false, "/v1/ingest/gitlab", gl, "Content-Type", "application/json", "X-Gitlab-Event",
          "Job Hook", "X-Gitlab-Token", "wrong")).isEqualTo(401);

      byte[] k8s = body(pick("k8s-audit/falco_create_serviceaccount.json",
          "k8s-audit/falco_create_clusterrolebinding_RequestResponse.json",
          "k8s-audit/falco_create_sa-token-secret_kube-controller-manager.json"));
      if (random.nextBoolean()) {
        k8s = ("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
            + new String(k8s, StandardCharsets.UTF_8) + "]}").getBytes(StandardCharsets.UTF_8);
      }
      send(true, "/v1/ingest/k8s-audit/prod", k8s, "Content-Type", "application/json", "Authorization", BEARER);

      byte[] ct = body(pick("cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json",
          "cloudtrail/aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json",
          "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json"));
      if (random.nextInt(3) == 0) {
        send(true, "/v1/ingest/aws/cloudtrail", gzip(ct), "Content-Type", "application/gzip", "Authorization", BEARER);
      } else {
        send(true, "/v1/ingest/aws/cloudtrail", ct, "Content-Type", "application/json", "Authorization", BEARER);
      }

      byte[] gcp = body(pick("gcp-audit/google-docs_iam-admin-CreateServiceAccount.json",
          "gcp-audit/google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json"));
      if (random.nextBoolean()) {
        gcp = ("{\"message\":{\"data\":\"" + java.util.Base64.getEncoder().encodeToString(gcp)
            + "\",\"messageId\":\"m" + i + "\"},\"subscription\":\"projects/p/subscriptions/s\"}")
            .getBytes(StandardCharsets.UTF_8);
      }
      send(true, "/v1/ingest/gcp/audit", gcp, "Content-Type", "application/json", "Authorization", BEARER);

      byte[] cd = body(pick("cdevents/v0.4.1_taskrun_finished.json", "cdevents/v0.4.1_pipelinerun_finished.json"));
      String type = random.nextBoolean() ? "dev.cdevents.taskrun.finished.0.2.0" : "dev.cdevents.pipelinerun.finished.0.2.0";
      byte[] structured = ("{\"specversion\":\"1.0\",\"id\":\"ce-" + i + "\",\"source\":\"/fuzz\",\"type\":\"" + type
          + "\",\"datacontenttype\":\"application/json\",\"data\":" + (valid(cd) ? new String(cd, StandardCharsets.UTF_8)
          : Json.mapper().writeValueAsString(new String(cd, StandardCharsets.UTF_8))) + "}").getBytes(StandardCharsets.UTF_8);
      send(true, "/v1/ingest/cloudevents", random.nextInt(4) == 0 ? body(null) : structured,
          "Content-Type", "application/cloudevents+json", "Authorization", BEARER);

      // wrong content types on every bearer route
      String path = pick("/v1/ingest/k8s-audit/prod", "/v1/ingest/aws/cloudtrail", "/v1/ingest/gcp/audit");
      int wrong = send(true, path, "{}".getBytes(StandardCharsets.UTF_8), "Content-Type",
          pick("text/plain", "application/xml", "multipart/form-data; boundary=x"), "Authorization", BEARER);
      assertThat(wrong).isEqualTo(415);
    }
    // deep nesting on every route
    byte[] deep = ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
    for (String path : List.of("/v1/ingest/k8s-audit/prod", "/v1/ingest/aws/cloudtrail", "/v1/ingest/gcp/audit")) {
      assertThat(send(true, path, deep, "Content-Type", "application/json", "Authorization", BEARER)).isEqualTo(400);
    }
    assertThat(send(true, "/v1/ingest/github", deep, "Content-Type", "application/json", "X-GitHub-Event",
        "workflow_job", "X-GitHub-Delivery", "deep", "X-Hub-Signature-256", signer.sign(deep))).isEqualTo(400);

    List<ConsumerRecord<String, byte[]>> published = new ArrayList<>();
    for (String topic : List.of(topics.k8sEvents(), topics.ciEvents(), topics.cloudEvents())) {
      published.addAll(kafka.readToEnd(topic));
    }
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : published) {
      assertThat(ids.add(r.topic() + "/" + CloudEventCodec.fromKafka(r).id())).as("published once: %s", r).isTrue();
    }
    assertThat(published).as("what the 2xx answers counted as accepted, nothing for rejected input").hasSize(accepted);
    assertThat(kafka.readToEnd(topics.deadletter()).size()).isGreaterThanOrEqualTo(authenticated400);
    assertThat(authenticated400).as("the generator produced bad input").isGreaterThan(PER_ROUTE);
    assertThat(requests).isGreaterThan(10 * PER_ROUTE);
  }

  /** Posts and checks the answer; returns the status. */
  private int send(boolean authenticated, String path, byte[] body, String... headers) throws Exception {
    requests++;
    HttpResponse<String> r = server.post(path, body, headers);
    int status = r.statusCode();
    assertThat(status).as("%s answered %s: %s", path, status, r.body()).isLessThan(500);
    JsonNode answer = Json.mapper().readTree(r.body());
    if (status >= 400) {
      assertThat(answer.path("error").isTextual()).as("a JSON error: %s", r.body()).isTrue();
      assertThat(answer.path("message").isTextual()).as("a JSON error: %s", r.body()).isTrue();
      if (authenticated && status == 400) {
        authenticated400++;
      }
    } else {
      accepted += answer.path("accepted").asInt(0);
    }
    return status;
  }

  /** A fixture, mutated most of the time; sometimes cut or replaced with garbage. */
  private byte[] body(String fixture) throws Exception {
    int roll = random.nextInt(10);
    if (fixture == null || roll == 0) {
      return pick("", "{", "null", "[]", "{\"a\":}", "\u0000", "\ud800", "1e99999999", "[[[[[[[[",
          "{\"kind\":\"EventList\",\"items\":{}}", "{\"Records\":7}", "{\"message\":{\"data\":\"!!\"}}")
          .getBytes(StandardCharsets.UTF_8);
    }
    byte[] original = Fixtures.bytes(fixture);
    if (roll == 1) {
      return java.util.Arrays.copyOf(original, random.nextInt(original.length));
    }
    if (roll == 2) {
      return original;
    }
    return Json.mapper().writeValueAsBytes(
        NormalizerFuzzTest.MUTATOR.mutate(Fixtures.json(fixture), random, 1 + random.nextInt(3)));
  }

  private String nasty() {
    return pick("https://gitlab.example.com", "not a url", "http://[::1", "gitlab.com", "%%%", "::::");
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[random.nextInt(options.length)];
  }

  private static boolean valid(byte[] json) {
    try {
      Json.mapper().readTree(json);
      return json.length > 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }
}
