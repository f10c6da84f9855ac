package dev.killswitch.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.bench.Fixtures;
import dev.killswitch.ingest.internal.CloudTrailNormalizer;
import dev.killswitch.ingest.internal.GithubNormalizer;
import dev.killswitch.ingest.internal.K8sAuditNormalizer;
import dev.killswitch.ingest.internal.Normalized;
import dev.killswitch.ingest.internal.Redactor;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ingest's normalization of one event, from the request's bytes: JSON parse, normalize (redaction included; the
 * normalizers redact the tree in place, so each call parses afresh) and, in the {@code *Encoded} variants, the
 * structured CloudEvent bytes that go to Kafka. {@code parse*} is the JSON parse alone, to subtract.
 * Fixtures: a service account's {@code get} from ingest's test resources (OpenShift docs), the TokenRequest and
 * the IRSA {@code AssumeRoleWithWebIdentity} of examples/, GitHub's workflow_job completed from ingest's tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NormalizeBench {

  private final Redactor redactor = new Redactor();
  private final K8sAuditNormalizer k8s = new K8sAuditNormalizer("killswitch.dev/ci-run", redactor);
  private final CloudTrailNormalizer cloudTrail = new CloudTrailNormalizer(redactor);
  private final GithubNormalizer github = new GithubNormalizer(redactor);

  private byte[] k8sGet;
  private byte[] k8sTokenRequest;
  private byte[] assumeRoleWithWebIdentity;
  private byte[] workflowJob;

  @Setup
  public void load() throws IOException {
    k8sGet = Fixtures.bytes("ingest/k8s-audit/"
        + "redhat-openshift-docs_kube-apiserver_sa-openshift-kube-scheduler-operator_get-serviceaccount_legacy-token.json");
    // An EventList and a CloudTrail log file ({"Records": [...]}) of one item each; the routes normalize each item.
    k8sTokenRequest = firstItem("examples/k8s/tokenrequest.json", "items");
    assumeRoleWithWebIdentity = firstItem(
        "examples/scenarios/github-irsa/04-cloudtrail-assume-role-with-web-identity.json", "Records");
    workflowJob = Fixtures.bytes("ingest/github/workflow_job.completed.success.with-organization.payload.json");
    // Fail at set-up, not in the measurement, when a fixture no longer normalizes to a published event.
    publish(k8sAuditGet());
    publish(k8sAuditTokenRequest());
    publish(cloudTrailAssumeRoleWithWebIdentity());
    githubWorkflowJob().orElseThrow();
  }

  @Benchmark
  public Normalized k8sAuditGet() throws IOException {
    return k8s.normalize("prod", Json.mapper().readTree(k8sGet));
  }

  @Benchmark
  public Normalized k8sAuditTokenRequest() throws IOException {
    return k8s.normalize("prod", Json.mapper().readTree(k8sTokenRequest));
  }

  @Benchmark
  public Normalized cloudTrailAssumeRoleWithWebIdentity() throws IOException {
    return cloudTrail.normalize(Json.mapper().readTree(assumeRoleWithWebIdentity), null, null);
  }

  @Benchmark
  public Optional<Envelope<?>> githubWorkflowJob() throws IOException {
    return github.normalize(GithubNormalizer.WORKFLOW_JOB, "bench-delivery", Json.mapper().readTree(workflowJob));
  }

  @Benchmark
  public byte[] k8sAuditTokenRequestEncoded() throws IOException {
    return CloudEventCodec.toStructuredJson(publish(k8sAuditTokenRequest()));
  }

  @Benchmark
  public byte[] cloudTrailAssumeRoleWithWebIdentityEncoded() throws IOException {
    return CloudEventCodec.toStructuredJson(publish(cloudTrailAssumeRoleWithWebIdentity()));
  }

  @Benchmark
  public JsonNode parseK8sAuditTokenRequest() throws IOException {
    return Json.mapper().readTree(k8sTokenRequest);
  }

  @Benchmark
  public JsonNode parseCloudTrailAssumeRoleWithWebIdentity() throws IOException {
    return Json.mapper().readTree(assumeRoleWithWebIdentity);
  }

  private static byte[] firstItem(String fixture, String array) throws IOException {
    return Json.mapper().writeValueAsBytes(Json.mapper().readTree(Fixtures.bytes(fixture)).path(array).get(0));
  }

  private static Envelope<?> publish(Normalized n) {
    if (n instanceof Normalized.Publish p) {
      return p.event();
    }
    throw new IllegalStateException("fixture not published: " + n);
  }
}
