package dev.killswitch.correlator.internal.graph;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.IdentityRef.Kind;
import dev.killswitch.schemas.event.AwsCloudTrailEvent;
import dev.killswitch.schemas.event.ChainSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * The facts of one CloudTrail record.
 *
 * <ul>
 *   <li>A call made with a credential (session ASIA..., access key AKIA...): {@code credential -used-> the role or
 *       user it acted as}, verb = eventName, resource = the record's first resource ARN (else the secret id, the
 *       bucket), with source IP, account and outcome.</li>
 *   <li>STS AssumeRole* that minted a session: {@code session -credential-of-> role}, carrying what the record says
 *       about the session ({@link #sessionAttributes}: role ARN and id, session name, source identity, expiry; the
 *       chain snapshot shows them on the session's node), and, by who assumed it:
 *     <ul>
 *       <li>a credential: {@code credential -assumed-> session} (role chaining; exact, the caller's key id);</li>
 *       <li>a GitHub Actions subject ({@code repo:<owner>/<repo>:...}): with a run id in the session tags
 *           ({@code ciRunKey}, {@code run_id}), the source identity or the session name,
 *           {@code run -authenticated-as-> subject -assumed-> session}, exact; without one,
 *           {@code subject -assumed-> session} joined to the runs of the subject active in the window
 *           ({@link Joins.Mode#RUNS_OF_SUBJECT});</li>
 *       <li>an EKS service-account subject (IRSA: {@code system:serviceaccount:<ns>:<sa>}, the provider's issuer
 *           mapped to a cluster): {@code service account -assumed-> session} joined to the tokens of the account
 *           active in the window ({@link Joins.Mode#TOKENS_OF_SERVICE_ACCOUNT});</li>
 *       <li>EKS Pod Identity (pods.eks.amazonaws.com, session tags {@code eks-cluster-name},
 *           {@code kubernetes-namespace}, {@code kubernetes-service-account}, {@code kubernetes-pod-name}):
 *           {@code pod -assumed-> session} and {@code service account -assumed-> session}, exact; without a pod
 *           name the service account's tokens in the window, as for IRSA;</li>
 *       <li>anyone else: {@code caller -assumed-> session}.</li>
 *     </ul></li>
 *   <li>IAM CreateAccessKey by a credential: {@code credential -minted-> access key}.</li>
 * </ul>
 * A caller or assumed role matching a root pattern (a break-glass role) roots the chain of what follows.
 */
final class AwsFacts {

  static final String TAG_CLUSTER_NAME = "eks-cluster-name";
  static final String TAG_CLUSTER_ARN = "eks-cluster-arn";
  static final String TAG_NAMESPACE = "kubernetes-namespace";
  static final String TAG_SERVICE_ACCOUNT = "kubernetes-service-account";
  static final String TAG_POD = "kubernetes-pod-name";
  private static final String SA_SUBJECT = "system:serviceaccount:";

  private AwsFacts() {}

  static Facts extract(String eventId, AwsCloudTrailEvent e, Instant at, JoinSettings s) {
    boolean ok = e.errorCode() == null;
    List<String> ips = Refs.ips(e.sourceIp());
    IdentityRef actor = e.actor() == null ? null : Refs.ref(e.actor(), "actor");
    String root = null;
    List<NodeMessage> nodes = new ArrayList<>();
    if (actor != null && s.isRoot(actor.toString())) {
      root = actor.toString();
    } else if (e.assumedRole() != null && s.isRoot(e.assumedRole())) {
      root = Refs.ref(e.assumedRole(), "assumedRole").toString();
    }
    if (root != null) {
      nodes.add(NodeMessage.member(root, root));
    }
    List<EdgeFact> edges = new ArrayList<>();
    if (actor != null && actor.kind().isCredential()) {
      IdentityRef principal = principal(e.identity(), actor.scope());
      if (principal != null) {
        edges.add(new EdgeFact(actor.toString(), principal.toString(), EdgeKind.USED, root, 1.0, eventId, at, 1,
            e.eventName(), resource(e), ips, ok, e.account(), null, false));
      }
      if (ok && e.iamTarget() != null && Refs.ref(e.iamTarget(), "iamTarget").kind() == Kind.AWS_ACCESS_KEY) {
        edges.add(EdgeFact.exact(actor.toString(), EdgeKind.MINTED, e.iamTarget(), root, eventId, at,
            "exact:access-key-id", ips));
      }
    }
    if (e.mintedSession() != null && e.assumedRole() != null) {
      assumption(eventId, e, at, actor, root, ips, s, edges, nodes);
    }
    for (EdgeFact f : edges) {
      nodes.addAll(NodeMessage.bothEnds(f));
    }
    return new Facts(nodes);
  }

  private static void assumption(String eventId, AwsCloudTrailEvent e, Instant at, IdentityRef actor, String root,
                                 List<String> ips, JoinSettings s, List<EdgeFact> edges, List<NodeMessage> nodes) {
    String session = Refs.ref(e.mintedSession(), "mintedSession").toString();
    String role = Refs.ref(e.assumedRole(), "assumedRole").toString();
    edges.add(EdgeFact.exact(session, EdgeKind.CREDENTIAL_OF, role, root, eventId, at, "exact:assumed-role-user",
        List.of()).withFromAttributes(sessionAttributes(e)));
    Map<String, String> tags = e.sessionTags() == null ? Map.of() : e.sessionTags();
    if (actor != null && actor.kind().isCredential()) {
      edges.add(assumed(actor.toString(), session, root, eventId, at, ips, e, "exact:access-key-id"));
    } else if (actor != null && actor.kind() == Kind.OIDC_SUBJECT && actor.leaf().startsWith(SA_SUBJECT)) {
      String cluster = s.cluster(issuer(e));
      IdentityRef sa = cluster == null ? null : serviceAccount(cluster, actor.leaf().substring(SA_SUBJECT.length()));
      if (sa == null) {
        edges.add(assumed(actor.toString(), session, root, eventId, at, ips, e, "exact:web-identity"));
      } else {
        EdgeFact f = assumed(sa.toString(), session, root, eventId, at, ips, e, "exact:web-identity-subject+issuer");
        edges.add(f);
        nodes.add(NodeMessage.attribute(sa.toString(), f));
      }
    } else if (actor != null && actor.kind() == Kind.OIDC_SUBJECT && actor.scope().equals(s.githubIssuer())) {
      githubFederation(eventId, e, at, actor, session, ips, s, tags, edges, nodes);
    } else if (actor == null && tags.containsKey(TAG_NAMESPACE) && tags.containsKey(TAG_SERVICE_ACCOUNT)) {
      podIdentity(eventId, e, at, session, root, ips, s, tags, edges, nodes);
    } else if (actor != null) {
      edges.add(assumed(actor.toString(), session, root, eventId, at, ips, e, "exact:caller"));
    }
  }

  /**
   * What the AssumeRole* record says about the session it minted that the session's reference (its access key id)
   * does not hold, and the revoker needs to deny that one session: the role's ARN and unique id, the session name
   * ({@code aws:userid} = {@code <role id>:<session name>}), the source identity, and when it expires.
   */
  static Map<String, String> sessionAttributes(AwsCloudTrailEvent e) {
    Map<String, String> a = new TreeMap<>();
    putIfSet(a, ChainSnapshot.Node.ROLE_ARN, e.roleArn());
    putIfSet(a, ChainSnapshot.Node.ROLE_ID, e.roleId());
    putIfSet(a, ChainSnapshot.Node.SESSION_NAME, e.sessionName());
    putIfSet(a, ChainSnapshot.Node.SOURCE_IDENTITY, e.sourceIdentity());
    putIfSet(a, ChainSnapshot.Node.EXPIRES_AT, e.sessionExpiresAt() == null ? null : e.sessionExpiresAt().toString());
    return a;
  }

  private static void putIfSet(Map<String, String> attributes, String name, String value) {
    if (value != null && !value.isBlank()) {
      attributes.put(name, value);
    }
  }

  private static void githubFederation(String eventId, AwsCloudTrailEvent e, Instant at, IdentityRef subject,
                                       String session, List<String> ips, JoinSettings s, Map<String, String> tags,
                                       List<EdgeFact> edges, List<NodeMessage> nodes) {
    String repo = repository(subject.leaf());
    String run = repo == null ? null : runOf(repo, e, tags, s);
    if (run != null) {
      edges.add(new EdgeFact(run, subject.toString(), EdgeKind.AUTHENTICATED_AS, run, 1.0, eventId, at, 1, null,
          null, List.of(), null, null, "exact:session-run-id", false));
      edges.add(assumed(subject.toString(), session, run, eventId, at, ips, e, "exact:session-run-id"));
    } else {
      EdgeFact f = assumed(subject.toString(), session, null, eventId, at, ips, e, "exact:web-identity");
      edges.add(f);
      nodes.add(NodeMessage.attribute(subject.toString(), f));
    }
  }

  private static void podIdentity(String eventId, AwsCloudTrailEvent e, Instant at, String session, String root,
                                  List<String> ips, JoinSettings s, Map<String, String> tags, List<EdgeFact> edges,
                                  List<NodeMessage> nodes) {
    String cluster = Refs.firstNonNull(s.cluster(tags.get(TAG_CLUSTER_ARN)), s.cluster(tags.get(TAG_CLUSTER_NAME)),
        tags.get(TAG_CLUSTER_NAME));
    if (cluster == null) {
      return;
    }
    String ns = tags.get(TAG_NAMESPACE);
    IdentityRef sa = Refs.lenient(() -> IdentityRef.k8sServiceAccount(cluster, ns, tags.get(TAG_SERVICE_ACCOUNT)));
    String podName = tags.get(TAG_POD);
    IdentityRef pod = podName == null ? null : Refs.lenient(() -> IdentityRef.k8sPod(cluster, ns, podName));
    if (pod != null) {
      edges.add(assumed(pod.toString(), session, root, eventId, at, ips, e, "exact:session-tags"));
    }
    if (sa != null) {
      EdgeFact f = assumed(sa.toString(), session, root, eventId, at, ips, e, "exact:session-tags");
      edges.add(f);
      if (pod == null) {
        nodes.add(NodeMessage.attribute(sa.toString(), f));
      }
    }
  }

  private static EdgeFact assumed(String from, String session, String root, String eventId, Instant at,
                                  List<String> ips, AwsCloudTrailEvent e, String basis) {
    return new EdgeFact(from, session, EdgeKind.ASSUMED, root, 1.0, eventId, at, 1, e.eventName(), null, ips, true,
        e.account(), basis, false);
  }

  /** A CI run id from the session tags, the source identity or the session name; null when none says. */
  static String runOf(String repo, AwsCloudTrailEvent e, Map<String, String> tags, JoinSettings s) {
    String tagged = tags.get(s.ciRunKey());
    if (tagged != null) {
      IdentityRef r = Refs.lenient(() -> IdentityRef.parse(tagged));
      if (r != null && r.kind() == Kind.GITHUB_RUN) {
        return r.toString();
      }
    }
    String id = Refs.firstNonNull(tags.get("run_id"), tags.get("run-id"), runId(e.sourceIdentity(), s),
        runId(e.sessionName(), s));
    IdentityRef r = id == null ? null : Refs.lenient(() -> IdentityRef.githubRun(repo, id));
    return r == null ? null : r.toString();
  }

  private static String runId(String name, JoinSettings s) {
    if (name == null) {
      return null;
    }
    Matcher m = s.sessionRunId().matcher(name);
    if (!m.matches()) {
      return null;
    }
    for (String group : new String[] {"run", "run2"}) {
      try {
        if (m.group(group) != null) {
          return m.group(group);
        }
      } catch (IllegalArgumentException e) {
        // a configured pattern need not have both groups
      }
    }
    return null;
  }

  /** {@code owner/repo} of a GitHub subject {@code repo:<owner>/<repo>:<rest>}. */
  static String repository(String sub) {
    if (!sub.startsWith("repo:")) {
      return null;
    }
    int end = sub.indexOf(':', 5);
    String repo = end < 0 ? sub.substring(5) : sub.substring(5, end);
    return repo.contains("/") ? repo : null;
  }

  /** The OIDC provider's issuer ({@code oidc.eks.<region>.amazonaws.com/id/<id>}), from its IAM provider ARN. */
  private static String issuer(AwsCloudTrailEvent e) {
    String provider = e.identity() == null ? null : e.identity().webIdFederationProvider();
    if (provider == null && e.raw() != null) {
      provider = e.raw().path("responseElements").path("provider").asText(null);
    }
    if (provider == null) {
      return null;
    }
    int marker = provider.indexOf(":oidc-provider/");
    return marker < 0 ? provider : provider.substring(marker + ":oidc-provider/".length());
  }

  private static IdentityRef serviceAccount(String cluster, String nsAndName) {
    String[] p = nsAndName.split(":", -1);
    return p.length != 2 ? null : Refs.lenient(() -> IdentityRef.k8sServiceAccount(cluster, p[0], p[1]));
  }

  /** The role (of a session) or user (of a key) a credential acted as, from userIdentity. */
  private static IdentityRef principal(AwsCloudTrailEvent.Identity id, String account) {
    if (id == null) {
      return null;
    }
    if ("AssumedRole".equals(id.type())) {
      String name = lastSegment(Refs.firstNonNull(id.sessionIssuerArn(), null), "role/");
      if (name == null && id.arn() != null && id.arn().contains(":assumed-role/")) {
        String rest = id.arn().substring(id.arn().indexOf(":assumed-role/") + ":assumed-role/".length());
        name = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
      }
      String role = name;
      return role == null ? null : Refs.lenient(() -> IdentityRef.awsRole(account, role));
    }
    if ("IAMUser".equals(id.type())) {
      String user = lastSegment(id.arn(), "user/");
      return user == null ? null : Refs.lenient(() -> IdentityRef.awsUser(account, user));
    }
    return null;
  }

  private static String lastSegment(String arn, String resourceType) {
    if (arn == null) {
      return null;
    }
    int i = arn.indexOf(":" + resourceType);
    if (i < 0) {
      return null;
    }
    String rest = arn.substring(i + resourceType.length() + 1);
    return rest.isEmpty() ? null : rest.substring(rest.lastIndexOf('/') + 1);
  }

  /** What the call acted on: its first resource ARN, else the secret or bucket it names, else the service. */
  static String resource(AwsCloudTrailEvent e) {
    JsonNode raw = e.raw();
    if (raw != null) {
      for (JsonNode r : raw.path("resources")) {
        String arn = r.path("ARN").asText(null);
        if (arn != null) {
          return arn;
        }
      }
      JsonNode p = raw.path("requestParameters");
      String secret = p.path("secretId").asText(null);
      if (secret != null) {
        return secret;
      }
      String bucket = p.path("bucketName").asText(null);
      if (bucket != null) {
        String key = p.path("key").asText(null);
        return "arn:aws:s3:::" + bucket + (key == null ? "" : "/" + key);
      }
    }
    return e.eventSource();
  }
}
