package dev.killswitch.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.internal.GithubSignature;
import dev.killswitch.schemas.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scrapes the meter registry after real requests to every route: each source has accepted, rejected (by reason),
 * deduplicated and lag meters.
 */
class IngestMetricsIT extends RunningIngest {

  private static final String BEARER = "Bearer " + IngestServer.INGEST_TOKEN;
  private static final byte[] NOT_JSON = "{oops".getBytes(StandardCharsets.UTF_8);

  /** Sends the good body twice (the second is deduplicated) and a malformed one. */
  private void exercise(String path, byte[] good, String... headers) throws Exception {
    HttpResponse<String> first = server.post(path, good, headers);
    HttpResponse<String> again = server.post(path, good, headers);
    assertThat(first.statusCode()).as(path + ": " + first.body()).isEqualTo(200);
    assertThat(again.statusCode()).as(path + ": " + again.body()).isEqualTo(200);
  }

  private HttpResponse<String> malformed(String path, String... headers) throws Exception {
    return server.post(path, NOT_JSON, headers);
  }

  @Test
  void everyRouteCountsAcceptedRejectedByReasonDeduplicatedAndRecordsLag() throws Exception {
    GithubSignature github = new GithubSignature(IngestServer.GITHUB_SECRET);
    byte[] job = Fixtures.bytes("github/workflow_job.queued.payload.json");
    exercise("/v1/ingest/github", job, "Content-Type", "application/json", "X-GitHub-Event", "workflow_job",
        "X-GitHub-Delivery", "d-metrics", "X-Hub-Signature-256", github.sign(job));
    malformed("/v1/ingest/github", "Content-Type", "application/json", "X-GitHub-Event", "workflow_job",
        "X-GitHub-Delivery", "d-bad", "X-Hub-Signature-256", github.sign(NOT_JSON));

    String[] gitlab = {"Content-Type", "application/json", "X-Gitlab-Event", "Job Hook",
        "X-Gitlab-Token", IngestServer.GITLAB_TOKEN};
    exercise("/v1/ingest/gitlab", Fixtures.bytes("gitlab/go-gitlab-testdata-webhooks-job.json"), gitlab);
    malformed("/v1/ingest/gitlab", gitlab);

    String[] bearer = {"Content-Type", "application/json", "Authorization", BEARER};
    exercise("/v1/ingest/k8s-audit/prod", AuditSamples.TOKEN_REQUEST.getBytes(StandardCharsets.UTF_8), bearer);
    malformed("/v1/ingest/k8s-audit/prod", bearer);

    exercise("/v1/ingest/aws/cloudtrail",
        Fixtures.bytes("cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json"), bearer);
    malformed("/v1/ingest/aws/cloudtrail", bearer);

    // Google's abbreviated samples carry no timestamp; LogEntry.timestamp is set here so the lag has a time.
    ObjectNode entry = (ObjectNode) Fixtures.json("gcp-audit/google-docs_iam-admin-CreateServiceAccount.json");
    entry.put("timestamp", "2025-06-01T12:00:00Z");
    exercise("/v1/ingest/gcp/audit", Json.mapper().writeValueAsBytes(entry), bearer);
    malformed("/v1/ingest/gcp/audit", bearer);

    ObjectNode cdevent = (ObjectNode) Fixtures.json("cdevents/v0.4.1_pipelinerun_started.json");
    exercise("/v1/ingest/cloudevents", Json.mapper().writeValueAsBytes(cdevent), "Content-Type", "application/json",
        "Authorization", BEARER, "ce-specversion", "1.0", "ce-id", cdevent.at("/context/id").asText(),
        "ce-source", "/event/source/123", "ce-type", "dev.cdevents.pipelinerun.started.0.2.0");
    malformed("/v1/ingest/cloudevents", "Content-Type", "application/json", "Authorization", BEARER,
        "ce-specversion", "1.0");

    Map<String, String> dedupeReason = Map.of("github", "delivery-seen");
    for (String source : List.of("github", "gitlab", "k8s-audit", "aws-cloudtrail", "gcp-audit", "cloudevents")) {
      assertThat(server.counter(source, "accepted", "none")).as(source + " accepted").isEqualTo(1.0);
      assertThat(server.counter(source, "rejected", "malformed-json")).as(source + " rejected").isEqualTo(1.0);
      assertThat(server.counter(source, "deduplicated", dedupeReason.getOrDefault(source, "event-seen")))
          .as(source + " deduplicated").isEqualTo(1.0);
      Timer lag = server.registry.find("killswitch.ingest.event.lag").tag("source", source).timer();
      assertThat(lag).as(source + " lag").isNotNull();
      assertThat(lag.count()).isEqualTo(1);
    }
    Counter any = server.registry.find("killswitch.ingest.events").counter();
    assertThat(any.getId().getTags()).extracting(t -> t.getKey()).contains("source", "outcome", "reason");
  }
}
