package dev.killswitch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Request bodies shaped like the sources', from the fixtures of examples/ with ids and times replaced:
 * <ul>
 *   <li>a CI run: GitHub {@code workflow_job} in progress and completed (examples/github), and the TokenRequest its
 *       job makes with the run in {@code user.extra} (examples/k8s/tokenrequest.json), minting token {@code jti};</li>
 *   <li>background: Kubernetes audit requests made with one of {@code pool} service-account tokens
 *       ({@code user.extra} credential id), and CloudTrail S3 GetObject calls made with one of {@code pool} IRSA
 *       sessions (examples/scenarios/github-irsa/05), batched like the sources batch them (EventList, Records).</li>
 * </ul>
 * Every event carries the current time and a fresh id. Bodies are built from string templates, not Jackson trees,
 * so that the load generator stays cheap next to the process it loads.
 */
public final class Sources {

  public static final String CLUSTER = "prod";
  private static final String REPO = "Codertocat/Hello-World";
  private static final String ID = "%%ID%%";
  private static final String TIME = "%%TIME%%";
  private static final String KEY = "%%KEY%%";
  private static final String SA = "%%SA%%";
  /** Background tokens belong to this many service accounts of namespace bg. */
  private static final int SERVICE_ACCOUNTS = 100;

  private final JsonNode jobInProgress = tree(Fixtures.bytes("examples/github/workflow_job.in_progress.json"));
  private final JsonNode jobCompleted = tree(Fixtures.bytes("examples/github/workflow_job.completed.json"));
  private final JsonNode tokenRequest = tree(Fixtures.bytes("examples/k8s/tokenrequest.json")).path("items").get(0);
  private final String auditUse;
  private final String cloudTrailUse;

  public Sources() {
    ObjectNode use = tokenRequest.deepCopy();
    use.put("auditID", ID).put("verb", "get").put("requestURI", "/api/v1/namespaces/bg/configmaps/app-config")
        .put("requestReceivedTimestamp", TIME).put("stageTimestamp", TIME);
    ObjectNode user = use.putObject("user");
    user.put("username", "system:serviceaccount:" + SA);
    user.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
    user.putObject("extra").putArray("authentication.kubernetes.io/credential-id").add("JTI=" + KEY);
    use.putObject("objectRef").put("resource", "configmaps").put("namespace", "bg").put("name", "app-config")
        .put("apiVersion", "v1");
    use.putObject("responseStatus").put("code", 200);
    use.putObject("annotations").put("authorization.k8s.io/decision", "allow")
        .put("authorization.k8s.io/reason", "RBAC: allowed by RoleBinding \"reader/bg\"");
    auditUse = write(use);
    ObjectNode call = (ObjectNode) tree(Fixtures.bytes("examples/scenarios/github-irsa/05-cloudtrail-s3-getobject.json"))
        .path("Records").get(0).deepCopy();
    call.put("eventID", ID).put("requestID", ID).put("eventTime", TIME);
    ((ObjectNode) call.path("userIdentity")).put("accessKeyId", KEY);
    cloudTrailUse = write(call);
  }

  /** The token a probe run mints, as the revoker's results name it. */
  public static String tokenRef(String jti) {
    return IdentityRef.k8sToken(CLUSTER, jti).toString();
  }

  /** The GitHub workflow_job of run {@code runId}, job {@code runId}, in progress or completed. */
  public byte[] job(long runId, boolean completed) {
    ObjectNode p = (completed ? jobCompleted : jobInProgress).deepCopy();
    ObjectNode job = (ObjectNode) p.path("workflow_job");
    String now = now();
    job.put("id", runId).put("run_id", runId).put("created_at", now).put("started_at", now);
    if (completed) {
      job.put("completed_at", now);
    }
    return bytes(p);
  }

  /** An EventList holding the TokenRequest of run {@code runId}'s job, minting token {@code jti}. */
  public byte[] tokenRequest(long runId, String jti) {
    ObjectNode list = Json.mapper().createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
    list.putArray("items").add(tokenRequestEvent(runId, jti));
    return bytes(list);
  }

  private ObjectNode tokenRequestEvent(long runId, String jti) {
    ObjectNode ev = tokenRequest.deepCopy();
    String now = now();
    ev.put("auditID", UUID.randomUUID().toString()).put("requestReceivedTimestamp", now).put("stageTimestamp", now);
    ObjectNode extra = (ObjectNode) ev.path("user").path("extra");
    extra.putArray("killswitch.dev/ci-run").add(IdentityRef.githubRun(REPO, Long.toString(runId)).toString());
    extra.putArray("killswitch.dev/ci-job").add(IdentityRef.githubJob(REPO, Long.toString(runId)).toString());
    ((ObjectNode) ev.path("annotations")).put("authentication.kubernetes.io/issued-credential-id", "JTI=" + jti);
    return ev;
  }

  /** The JTI of token {@code key} (background uses and {@link MemoryBench}'s runs). */
  public static String jti(long key) {
    return new UUID(0xb6L, key).toString();
  }

  /** Keys {@code first % pool}, {@code (first + 1) % pool}, ...: {@code n} of them. */
  public static long[] keys(int n, long first, int pool) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = (first + i) % pool;
    }
    return k;
  }

  /**
   * An EventList of one request per key made with token {@link #jti}(key) by service account {@code bg:sa-<key % 100>},
   * for {@code POST /v1/ingest/k8s-audit/prod}.
   */
  public byte[] auditUses(long[] keys) {
    return auditUses(keys, null);
  }

  /** As {@link #auditUses(long[])}, by service account {@code namespace:name} (null: {@code bg:sa-<key % 100>}). */
  public byte[] auditUses(long[] keys, String serviceAccount) {
    StringBuilder b = new StringBuilder("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[");
    String now = now();
    for (int i = 0; i < keys.length; i++) {
      b.append(i == 0 ? "" : ",").append(auditUse.replace(ID, UUID.randomUUID().toString()).replace(TIME, now)
          .replace(KEY, jti(keys[i])).replace(SA, serviceAccount != null ? serviceAccount : "bg:sa-" + keys[i] % SERVICE_ACCOUNTS));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A CloudTrail log file of one S3 call per key made with session {@code ASIABENCH<key>}, for {@code POST /v1/ingest/aws/cloudtrail}. */
  public byte[] cloudTrailUses(long[] keys) {
    StringBuilder b = new StringBuilder("{\"Records\":[");
    String now = now();
    for (int i = 0; i < keys.length; i++) {
      b.append(i == 0 ? "" : ",").append(cloudTrailUse.replace(ID, UUID.randomUUID().toString()).replace(TIME, now)
          .replace(KEY, String.format("ASIABENCH%011d", keys[i])));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** An EventList of TokenRequests, one per run {@code runIds[i]} minting token {@link #jti}(keys[i]). */
  public byte[] tokenRequests(long[] runIds, long[] keys) {
    ObjectNode list = Json.mapper().createObjectNode().put("kind", "EventList").put("apiVersion", "audit.k8s.io/v1");
    var items = list.putArray("items");
    for (int i = 0; i < runIds.length; i++) {
      items.add(tokenRequestEvent(runIds[i], jti(keys[i])));
    }
    return bytes(list);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static JsonNode tree(byte[] json) {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(JsonNode node) {
    return write(node).getBytes(StandardCharsets.UTF_8);
  }

  private static String write(JsonNode node) {
    try {
      return Json.mapper().writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
