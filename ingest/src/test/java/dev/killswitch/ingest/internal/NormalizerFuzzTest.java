package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.fuzz.JsonMutator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of every ingest parser: each source's bytes go through what its route does with them (JSON reading,
 * splitting into items, normalizing, encoding the CloudEvent, redacting the dead letter copy). Whatever the
 * input, the only way to refuse it is an {@link IngestException} (or an {@link InvalidIdentityRefException},
 * which the routes turn into {@code invalid-event}, or gzip's checked rejections); never another exception,
 * a StackOverflowError or an OutOfMemoryError, which the HTTP server would answer with a 500.
 */
class NormalizerFuzzTest {

  private static final String[] GITHUB = {"github/workflow_job.completed.success.with-organization.payload.json",
      "github/workflow_job.in_progress.payload.json", "github/workflow_job.queued.payload.json",
      "github/workflow_run.completed.payload.json"};
  private static final String[] GITLAB = {"gitlab/go-gitlab-testdata-webhooks-build.json",
      "gitlab/go-gitlab-testdata-webhooks-job.json"};
  private static final String[] K8S = {"k8s-audit/falco_create_clusterrolebinding_RequestResponse.json",
      "k8s-audit/falco_create_kube-system_secret_bootstrap-token_admin.json",
      "k8s-audit/falco_create_pod_by_sa-replicaset-controller_v1beta1.json",
      "k8s-audit/falco_create_sa-token-secret_kube-controller-manager.json",
      "k8s-audit/falco_create_serviceaccount.json", "k8s-audit/falco_pods-exec_create_ResponseStarted.json",
      "k8s-audit/aws-samples_eks-cloudwatch-audit_eks-k8s-metrics_list-deployments.json",
      "k8s-audit/redhat-openshift-docs_kube-apiserver_sa-openshift-kube-scheduler-operator_get-serviceaccount_legacy-token.json"};
  private static final String[] CLOUDTRAIL = {
      "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_AccessDenied.json",
      "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_from-lookup-events.json",
      "cloudtrail/aws-samples_eks-pod-identity_AssumeRoleForPodIdentity_success.json",
      "cloudtrail/aws-samples_eks-pod-identity_lookup-events-output_AccessDenied.json",
      "cloudtrail/aws-samples_eks-pod-identity_sts-AssumeRole_by-pods.eks.amazonaws.com_session-tags.json",
      "cloudtrail/awsdocs-stepfunctions_eventbridge-envelope_AWS-API-Call-via-CloudTrail_s3-PutObject.json"};
  private static final String[] GCP = {"gcp-audit/google-docs_iam-admin-CreateServiceAccount.json",
      "gcp-audit/google-docs_iam-admin-SetIAMPolicy_grant-serviceAccountUser.json",
      "gcp-audit/google-docs_wif_iamcredentials-GenerateAccessToken_federated-principal.json",
      "gcp-audit/google-docs_wif_pubsub-CreateTopic_impersonated-sa_serviceAccountDelegationInfo.json",
      "gcp-audit/google-docs_wif_sts-ExchangeToken_azure.json"};
  private static final String[] CDEVENTS = {"cdevents/main-0.6.0-draft_pipelinerun_finished.json",
      "cdevents/main-0.6.0-draft_taskrun_finished.json", "cdevents/v0.4.1_pipelinerun_finished.json",
      "cdevents/v0.4.1_pipelinerun_started.json", "cdevents/v0.4.1_taskrun_finished.json"};

  static final JsonMutator MUTATOR = new JsonMutator("../../etc/passwd", "a/b/../c", "%00", "k8s:prod:token/",
      "aws:1:role/", "ci:github:a/b/runs/1", "JTI=");

  private final Redactor redactor = new Redactor();
  private final GithubNormalizer github = new GithubNormalizer(redactor);
  private final GitlabNormalizer gitlab = new GitlabNormalizer(redactor);
  private final K8sAuditNormalizer k8s = new K8sAuditNormalizer("killswitch.dev/ci-run", redactor);
  private final CloudTrailNormalizer cloudTrail = new CloudTrailNormalizer(redactor);
  private final GcpAuditNormalizer gcp = new GcpAuditNormalizer(redactor);
  private final CloudEventsRoute cloudEvents = new CloudEventsRoute(null, 0, "t", new CdEventsNormalizer(redactor),
      new TektonNormalizer(redactor), null, null);

  // ---- the property, per source ----

  @Property(tries = 150)
  void githubNeverFailsOtherThanByRejecting(@ForAll("githubBodies") byte[] body, @ForAll("eventNames") String event,
                                            @ForAll("nasty") String delivery) {
    strictly(() -> {
      JsonNode payload = Bodies.json(body);
      Optional<Envelope<?>> e = github.normalize(event, delivery.isEmpty() ? "d-1" : delivery, payload);
      e.ifPresent(this::encode);
      redactor.redactToBytes(payload);
    });
  }

  @Property(tries = 100)
  void gitlabNeverFailsOtherThanByRejecting(@ForAll("gitlabBodies") byte[] body, @ForAll("nasty") String instance) {
    strictly(() -> {
      JsonNode payload = Bodies.json(body);
      for (String event : new String[] {GitlabNormalizer.JOB_HOOK, GitlabNormalizer.PIPELINE_HOOK}) {
        gitlab.normalize(event, instance.isEmpty() ? "gitlab.com" : instance, payload).ifPresent(this::encode);
      }
      redactor.redactToBytes(payload);
    });
  }

  @Property(tries = 150)
  void k8sAuditNeverFailsOtherThanByRejecting(@ForAll("k8sBodies") byte[] body) {
    survives(() -> {
      JsonNode root = Bodies.json(body);
      List<JsonNode> events = new ArrayList<>();
      if (root.isObject() && "EventList".equals(Fields.text(root, "kind")) && root.path("items").isArray()) {
        root.get("items").forEach(events::add);
      } else {
        events.add(root);
      }
      for (JsonNode ev : events) {
        each(() -> publish(k8s.normalize("prod", ev)));
        redactor.redactToBytes(ev);
      }
    });
  }

  @Property(tries = 150)
  void k8sAuditRecordsAreWhatTheGenericEncodingWrote(@ForAll("k8sBodies") byte[] body) {
    K8sAuditEncodingTest.encodeAndCompare(body);
  }

  @Property(tries = 150)
  void cloudTrailNeverFailsOtherThanByRejecting(@ForAll("cloudTrailBodies") byte[] body) {
    survives(() -> {
      byte[] bytes = Gzip.isGzip(body) ? Gzip.inflate(body, 1 << 20) : body;
      JsonNode root = Bodies.json(bytes);
      for (CloudTrailRoute.Item item : CloudTrailRoute.items(root)) {
        each(() -> publish(cloudTrail.normalize(CloudTrailRoute.recordOf(item), item.envelopeAccount(),
            item.envelopeRegion())));
        redactor.redactToBytes(item.node());
      }
    });
  }

  @Property(tries = 150)
  void gcpAuditNeverFailsOtherThanByRejecting(@ForAll("gcpBodies") byte[] body) {
    survives(() -> {
      for (JsonNode item : elements(Bodies.json(body))) {
        each(() -> publish(gcp.normalize(GcpAuditRoute.isPush(item) ? GcpAuditRoute.pushedEntry(item) : item)));
        redactor.redactToBytes(item);
      }
    });
  }

  @Property(tries = 150)
  void cloudEventsNeverFailsOtherThanByRejecting(@ForAll("cloudEventBodies") byte[] body) {
    survives(() -> {
      for (JsonNode item : elements(Bodies.json(body))) {
        each(() -> publish(cloudEvents.normalize(item)));
        redactor.redactToBytes(item);
      }
    });
  }

  /** The elements of an array body, or the body itself (GCP and CloudEvents batches are arrays). */
  private static List<JsonNode> elements(JsonNode root) {
    List<JsonNode> items = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(items::add);
    } else {
      items.add(root);
    }
    return items;
  }

  // ---- fixed nasties every run sees ----

  @Example
  void tenThousandNestedArraysAreRejectedAsMalformedJson() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    for (String body : List.of(deep, deepObject)) {
      survives(() -> Bodies.json(body.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Example
  void nestingJustUnderTheParserLimitGoesThroughEveryNormalizer() {
    // Jackson refuses more than 1000 levels; 990 levels reach the normalizers, redactor and encoders.
    JsonNode real = Fixtures.json(K8S[0]);
    for (String[] source : List.of(GITHUB, GITLAB, K8S, CLOUDTRAIL, GCP, CDEVENTS)) {
      JsonNode fixture = Fixtures.json(source[0]);
      for (String field : fieldNames(fixture)) {
        ObjectNode copy = fixture.deepCopy();
        copy.set(field, JsonMutator.nested(990));
        byte[] body = JsonMutator.bytes(copy);
        survives(() -> runAll(body));
      }
    }
    assertThat(real).isNotNull();
  }

  @Example
  void gzipBombAndTruncatedGzipAreRejected() throws IOException {
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
      gz.write(new byte[8 << 20]);
    }
    byte[] bombBytes = bomb.toByteArray();
    survives(() -> Gzip.inflate(bombBytes, 1 << 20));
    byte[] ok = gzip(Fixtures.bytes(CLOUDTRAIL[0]));
    for (int cut = 0; cut < ok.length; cut += 7) {
      byte[] truncated = java.util.Arrays.copyOf(ok, cut);
      survives(() -> Bodies.json(Gzip.inflate(truncated, 1 << 20)));
    }
  }

  private void runAll(byte[] body) throws Exception {
    JsonNode root = Bodies.json(body);
    each(() -> github.normalize("workflow_job", "d", root).ifPresent(this::encode));
    each(() -> gitlab.normalize(GitlabNormalizer.JOB_HOOK, "gitlab.com", root).ifPresent(this::encode));
    each(() -> publish(k8s.normalize("prod", root)));
    each(() -> {
      for (CloudTrailRoute.Item item : CloudTrailRoute.items(root)) {
        publish(cloudTrail.normalize(CloudTrailRoute.recordOf(item), null, null));
      }
    });
    each(() -> publish(gcp.normalize(root)));
    each(() -> publish(cloudEvents.normalize(root)));
    each(() -> new CdEventsNormalizer(redactor).normalize(root.path("context").path("type").asText(), root));
    redactor.redactToBytes(root);
  }

  // ---- generators ----

  @Provide
  Arbitrary<String> eventNames() {
    return Arbitraries.of(GithubNormalizer.WORKFLOW_JOB, GithubNormalizer.WORKFLOW_RUN);
  }

  @Provide
  Arbitrary<String> nasty() {
    return Arbitraries.oneOf(Arbitraries.of(MUTATOR.strings()), Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(20));
  }

  @Provide
  Arbitrary<byte[]> githubBodies() {
    return bodies(GITHUB);
  }

  @Provide
  Arbitrary<byte[]> gitlabBodies() {
    return bodies(GITLAB);
  }

  @Provide
  Arbitrary<byte[]> k8sBodies() {
    return Arbitraries.oneOf(bodies(K8S), bodies(K8S).map(NormalizerFuzzTest::eventList));
  }

  @Provide
  Arbitrary<byte[]> cloudTrailBodies() {
    return Arbitraries.oneOf(bodies(CLOUDTRAIL), bodies(CLOUDTRAIL).map(NormalizerFuzzTest::gzip),
        bodies(CLOUDTRAIL).map(NormalizerFuzzTest::gzip).map(NormalizerFuzzTest::flipOneByte));
  }

  @Provide
  Arbitrary<byte[]> gcpBodies() {
    return Arbitraries.oneOf(bodies(GCP), bodies(GCP).map(NormalizerFuzzTest::pushEnvelope),
        bodies(GCP).map(b -> "[" + new String(b, StandardCharsets.UTF_8) + "]").map(NormalizerFuzzTest::utf8));
  }

  @Provide
  Arbitrary<byte[]> cloudEventBodies() {
    return Arbitraries.oneOf(bodies(CDEVENTS).map(NormalizerFuzzTest::structured),
        bodies(new String[] {"tekton/taskrun-unknown-v1-cloudevent-data.json"}).map(NormalizerFuzzTest::tekton),
        // the envelope itself mutated
        Arbitraries.longs().map(seed -> MUTATOR.mutate(tree(structured(Fixtures.bytes(CDEVENTS[0]))),
            new Random(seed))).map(JsonMutator::bytes));
  }

  /** Bodies derived from the fixtures: mutated (a random node replaced with another type), cut, flipped, garbage. */
  private static Arbitrary<byte[]> bodies(String[] fixtures) {
    Arbitrary<String> fixture = Arbitraries.of(fixtures);
    Arbitrary<byte[]> mutated = fixture.flatMap(f -> Arbitraries.longs().map(seed -> {
      Random random = new Random(seed);
      return JsonMutator.bytes(MUTATOR.mutate(Fixtures.json(f), random, 1 + random.nextInt(3)));
    }));
    Arbitrary<byte[]> truncated = fixture.flatMap(f -> {
      byte[] b = Fixtures.bytes(f);
      return Arbitraries.integers().between(0, b.length).map(n -> java.util.Arrays.copyOf(b, n));
    });
    Arbitrary<byte[]> flipped = fixture.map(Fixtures::bytes).flatMap(b ->
        Arbitraries.longs().map(seed -> flipOneByte(b, new Random(seed))));
    Arbitrary<byte[]> garbage = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(200).map(NormalizerFuzzTest::utf8),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
        Arbitraries.of("null", "1", "\"x\"", "[]", "{}", "true", "[null]", "{\"a\":}", "{\"a\":1}{", "1e999999999",
            "-0", "99999999999999999999999999999999999999", "\"\\ud800\"", "{\"\u0000\":\"\u0000\"}",
            "[\"\\udfff\\ud800\"]", "\ufeff{}").map(NormalizerFuzzTest::utf8));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, mutated), net.jqwik.api.Tuple.of(1, truncated),
        net.jqwik.api.Tuple.of(1, flipped), net.jqwik.api.Tuple.of(1, garbage));
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static byte[] eventList(byte[] event) {
    return utf8("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
        + new String(event, StandardCharsets.UTF_8) + "]}");
  }

  private static byte[] pushEnvelope(byte[] entry) {
    return utf8("{\"message\":{\"data\":\"" + Base64.getEncoder().encodeToString(entry)
        + "\",\"messageId\":\"1\"},\"subscription\":\"projects/p/subscriptions/s\"}");
  }

  private static byte[] structured(byte[] cdevent) {
    String type;
    try {
      type = Json.mapper().readTree(cdevent).path("context").path("type").asText("dev.cdevents.taskrun.finished.0.2.0");
    } catch (IOException e) {
      type = "dev.cdevents.taskrun.finished.0.2.0";
    }
    return utf8("{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/tekton\",\"type\":" + quote(type)
        + ",\"datacontenttype\":\"application/json\",\"data\":" + jsonOrString(cdevent) + "}");
  }

  private static byte[] tekton(byte[] data) {
    return utf8("{\"specversion\":\"1.0\",\"id\":\"77f78ae7\",\"source\":\"/apis/tekton.dev/v1beta1/namespaces/default/"
        + "taskruns/curl-run-6gplk\",\"type\":\"dev.tekton.event.taskrun.unknown.v1\",\"subject\":\"curl-run-6gplk\","
        + "\"time\":\"2021-01-29T14:47:58.157819Z\",\"datacontenttype\":\"application/json\",\"data\":"
        + jsonOrString(data) + "}");
  }

  private static String jsonOrString(byte[] b) {
    try {
      return Json.mapper().writeValueAsString(Json.mapper().readTree(b));
    } catch (IOException | RuntimeException e) {
      return quote(new String(b, StandardCharsets.UTF_8));
    }
  }

  private static String quote(String s) {
    try {
      return Json.mapper().writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] flipOneByte(byte[] b) {
    return flipOneByte(b, new Random(b.length));
  }

  private static byte[] flipOneByte(byte[] b, Random random) {
    byte[] copy = b.clone();
    if (copy.length > 0) {
      copy[10 + random.nextInt(Math.max(1, copy.length - 10)) % copy.length] ^= (byte) (1 + random.nextInt(255));
    }
    return copy;
  }

  private static JsonNode tree(byte[] b) {
    try {
      return Json.mapper().readTree(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- the property itself ----

  private void publish(Normalized n) {
    if (n instanceof Normalized.Publish p) {
      encode(p.event());
    }
  }

  private void encode(Envelope<?> e) {
    CloudEventCodec.toKafka("killswitch.events.test", e);
  }

  interface Step {
    void run() throws Exception;
  }

  /** One item: rejected (or not) on its own, as a batch does; the next item still runs. */
  private static void each(Step step) throws Exception {
    try {
      step.run();
    } catch (IngestException | InvalidIdentityRefException | Gzip.Corrupt | Bodies.TooLarge e) {
      // refused: what the route answers 4xx for
    }
  }

  /** The GitHub and GitLab routes catch only {@link IngestException}: anything else would be a 500. */
  private static void strictly(Step step) {
    try {
      step.run();
    } catch (IngestException e) {
      // refused
    } catch (Throwable t) {
      throw new AssertionError("not an IngestException: " + t, t);
    }
  }

  private static void survives(Step step) {
    try {
      step.run();
    } catch (IngestException | InvalidIdentityRefException | Gzip.Corrupt | Bodies.TooLarge e) {
      // refused
    } catch (Throwable t) {
      throw new AssertionError("not a rejection: " + t, t);
    }
  }
}
