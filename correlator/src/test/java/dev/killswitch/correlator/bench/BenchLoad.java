package dev.killswitch.correlator.bench;

import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.K8sAuditEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Synthetic load shaped like the github-irsa scenario, per CI run: the job queued, in progress and completed; a
 * TokenRequest; {@link #uses} uses of the token (3 by default: ten events per run); an IRSA AssumeRoleWithWebIdentity;
 * two AWS calls with the session. Two credentials per run (the token and the session). Runs of one service account are 5 hours apart in
 * event time, so each session joins exactly its own run's token.
 */
final class BenchLoad {

  static final String CLUSTER = "bench";
  static final String ACCOUNT = "111122223333";
  static final String ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/BENCHBENCHBENCHBENCHBENCH0000000";
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final int SERVICE_ACCOUNTS = 20;
  /** Token uses per run (three by default: ten events per run). */
  static int uses = 3;

  static int eventsPerRun() {
    return 7 + uses;
  }

  private BenchLoad() {}

  static String run(long i) {
    return IdentityRef.githubRun(repo(i), Long.toString(7_000_000_000L + i)).toString();
  }

  /** The ten events of run {@code i}, in source order. */
  static List<Envelope<?>> run(long i, Instant base) {
    Instant t = base.plus(Duration.ofMinutes(15).multipliedBy(i));
    String repo = repo(i);
    String run = run(i);
    String job = IdentityRef.githubJob(repo, Long.toString(9_000_000_000L + i)).toString();
    String sa = "sa-" + (i % SERVICE_ACCOUNTS);
    String jti = String.format("00000000-0000-4000-8000-%012d", i);
    String session = IdentityRef.awsSession(ACCOUNT, String.format("ASIABENCH%011d", i)).toString();
    List<Envelope<?>> out = new ArrayList<>(eventsPerRun());
    out.add(job("q-" + i, run, job, repo, "queued", null, t));
    out.add(job("p-" + i, run, job, repo, "in_progress", null, t.plusSeconds(2)));
    out.add(tokenRequest("tr-" + i, run, jti, sa, t.plusSeconds(5)));
    for (int u = 0; u < uses; u++) {
      out.add(tokenUse("tu-" + i + "-" + u, jti, sa, t.plusSeconds(6).plusMillis(u * 100L)));
    }
    out.add(assume("as-" + i, sa, session, t.plusSeconds(10)));
    out.add(call("c1-" + i, session, "GetObject", t.plusSeconds(12)));
    out.add(call("c2-" + i, session, "GetSecretValue", t.plusSeconds(13)));
    out.add(job("d-" + i, run, job, repo, "completed", "success", t.plusSeconds(30)));
    return out;
  }

  /** A TokenRequest attributed to {@code run} and its completion: the trigger-latency probe. */
  static List<Envelope<?>> probe(long i, Instant at) {
    String repo = "acme/probe";
    String run = IdentityRef.githubRun(repo, Long.toString(8_000_000_000L + i)).toString();
    String job = IdentityRef.githubJob(repo, Long.toString(8_500_000_000L + i)).toString();
    return List.of(tokenRequest("ptr-" + i, run, String.format("11111111-0000-4000-8000-%012d", i), "probe", at),
        job("pd-" + i, run, job, repo, "completed", "success", at.plusSeconds(5)));
  }

  static String probeRun(long i) {
    return IdentityRef.githubRun("acme/probe", Long.toString(8_000_000_000L + i)).toString();
  }

  private static String repo(long i) {
    return "acme/svc-" + (i % 50);
  }

  private static Envelope<?> job(String id, String run, String job, String repo, String status, String conclusion,
                                 Instant at) {
    CiJobEvent d = new CiJobEvent("github", job, run, repo, "deploy", status, conclusion, 1, "runner", List.of(),
        "main", "6113728f27ae82c7b1a177c8d03f9e96e0adf246", null, at, "completed".equals(status) ? at : null, null);
    return new Envelope<>(id, URI.create("github://" + repo), EventType.CI_JOB, run, utc(at), run, d);
  }

  private static Envelope<?> tokenRequest(String id, String run, String jti, String sa, Instant at) {
    String user = "github:repo:acme/bench:ref:refs/heads/main";
    String actor = IdentityRef.k8sUser(CLUSTER, user).toString();
    K8sAuditEvent d = new K8sAuditEvent(CLUSTER, id, "ResponseComplete", "Metadata", "create",
        "/api/v1/namespaces/bench/serviceaccounts/" + sa + "/token",
        new K8sAuditEvent.User(user, null, List.of("system:authenticated"),
            Map.of("killswitch.dev/ci-run", List.of(run))), actor, null, null, null, null, run,
        new K8sAuditEvent.ObjectRef(null, "v1", "serviceaccounts", "token", "bench", sa), List.of("203.0.113.10"),
        "kubectl", "allow", "", 201, jti, IdentityRef.k8sServiceAccount(CLUSTER, "bench", sa).toString(), null,
        false, at, at, null);
    return new Envelope<>(id + ":ResponseComplete", URI.create("k8s://" + CLUSTER), EventType.K8S_AUDIT, actor,
        utc(at), actor, d);
  }

  private static Envelope<?> tokenUse(String id, String jti, String sa, Instant at) {
    String actor = IdentityRef.k8sToken(CLUSTER, jti).toString();
    K8sAuditEvent d = new K8sAuditEvent(CLUSTER, id, "ResponseComplete", "Metadata", "get",
        "/api/v1/namespaces/bench/configmaps", new K8sAuditEvent.User("system:serviceaccount:bench:" + sa, null,
        List.of("system:serviceaccounts"), Map.of("authentication.kubernetes.io/credential-id", List.of("JTI=" + jti))),
        actor, jti, IdentityRef.k8sServiceAccount(CLUSTER, "bench", sa).toString(), null, null, null,
        new K8sAuditEvent.ObjectRef(null, "v1", "configmaps", null, "bench", null), List.of("203.0.113.10"),
        "kubectl", "allow", "", 200, null, null, null, false, at, at, null);
    return new Envelope<>(id + ":ResponseComplete", URI.create("k8s://" + CLUSTER), EventType.K8S_AUDIT, actor,
        utc(at), actor, d);
  }

  private static Envelope<?> assume(String id, String sa, String session, Instant at) {
    String provider = "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + ISSUER;
    String actor = IdentityRef.oidcSubject("oidc.eks.eu-west-1.amazonaws.com",
        "system:serviceaccount:bench:" + sa).toString();
    AwsCloudTrailEvent d = new AwsCloudTrailEvent(id, "AssumeRoleWithWebIdentity", "sts.amazonaws.com",
        "eu-west-1", ACCOUNT, actor, new AwsCloudTrailEvent.Identity("WebIdentityUser", null, null, null, null, null,
        null, null, null, provider, null), session, IdentityRef.awsRole(ACCOUNT, "bench").toString(), "s", null,
        Map.of(), null, "203.0.113.10", "aws-sdk", null, null, true, Json.mapper().createObjectNode());
    return new Envelope<>(id, URI.create("aws://" + ACCOUNT + "/eu-west-1"), EventType.AWS_CLOUDTRAIL, actor,
        utc(at), actor, d);
  }

  private static Envelope<?> call(String id, String session, String name, Instant at) {
    String key = IdentityRef.parse(session).leaf();
    AwsCloudTrailEvent d = new AwsCloudTrailEvent(id, name, "s3.amazonaws.com", "eu-west-1", ACCOUNT, session,
        new AwsCloudTrailEvent.Identity("AssumedRole", null, null, ACCOUNT, key,
            "arn:aws:iam::" + ACCOUNT + ":role/bench", "Role", "bench", null, null, null), null, null, null, null,
        Map.of(), null, "203.0.113.10", "aws-sdk", null, null, true, Json.mapper().createObjectNode());
    return new Envelope<>(id, URI.create("aws://" + ACCOUNT + "/eu-west-1"), EventType.AWS_CLOUDTRAIL, session,
        utc(at), session, d);
  }

  private static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
