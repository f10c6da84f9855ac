package dev.killswitch.correlator.internal.graph;

import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.CiJobEvent;
import dev.killswitch.schemas.event.CiRunEvent;
import dev.killswitch.schemas.event.K8sAuditEvent;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one decoded event into graph facts. Pure: no state, no I/O, no clock; the same event always gives the
 * same facts. Each edge is told to both of its endpoints (outbound to the source, inbound to the target).
 *
 * <ul>
 *   <li>ci.run / ci.job: the run is the root of its own chain, a job is part of its run's chain; the status goes
 *       to the run's node, which passes it on to the chain.</li>
 *   <li>k8s.audit with a CI run in user.extra: run -authenticated-as-> actor.</li>
 *   <li>k8s.audit TokenRequest (issued credential id): actor -minted-> token, token -credential-of-> service
 *       account, attributed to the run when the event carries one.</li>
 *   <li>k8s.audit whose actor is a credential: credential -used-> the principal it acted as, with verb, resource
 *       and source IPs.</li>
 *   <li>revocation.result: the outcome, told to the node it targets.</li>
 *   <li>aws.cloudtrail, gcp.audit: nothing yet (issue 4).</li>
 * </ul>
 */
public final class FactExtractor {

  private static final String JTI_PREFIX = "JTI=";

  private FactExtractor() {}

  /**
   * @param recordTime used when the event has no {@code time}
   * @throws CorrelatorException when the event is of a type the correlator does not read, or names an
   *     identity that is not a well-formed reference
   */
  public static Facts extract(Envelope<?> event, Instant recordTime) {
    Instant at = event.time() != null ? event.time().toInstant() : recordTime;
    return switch (event.type()) {
      case CI_JOB -> ciJob(event.id(), event.dataAs(CiJobEvent.class), at);
      case CI_RUN -> ciRun(event.id(), event.dataAs(CiRunEvent.class), at);
      case K8S_AUDIT -> k8sAudit(event.id(), event.dataAs(K8sAuditEvent.class), at);
      case REVOCATION_RESULT -> result(event.dataAs(RevocationResult.class));
      case AWS_CLOUDTRAIL, GCP_AUDIT -> Facts.NONE;
      default -> throw CorrelatorException.unexpectedType(event.type());
    };
  }

  private static Facts ciJob(String eventId, CiJobEvent job, Instant at) {
    String run = required(job.run(), "ci.job", "run");
    String jobRef = required(job.job(), "ci.job", "job");
    String status = required(job.status(), "ci.job", "status").toLowerCase(Locale.ROOT);
    return new Facts(List.of(
        NodeMessage.runStatus(new CiFact(run, jobRef, status, job.conclusion(), job.attempt(), at, eventId)),
        NodeMessage.member(jobRef, run)));
  }

  private static Facts ciRun(String eventId, CiRunEvent run, Instant at) {
    String runRef = required(run.run(), "ci.run", "run");
    String status = required(run.status(), "ci.run", "status").toLowerCase(Locale.ROOT);
    return new Facts(List.of(
        NodeMessage.runStatus(new CiFact(runRef, null, status, run.conclusion(), run.attempt(), at, eventId))));
  }

  private static Facts k8sAudit(String eventId, K8sAuditEvent a, Instant at) {
    String cluster = required(a.cluster(), "k8s.audit", "cluster");
    IdentityRef actor = actor(a, cluster);
    List<EdgeFact> edges = new ArrayList<>();
    long counts = countsAsUse(a.stage()) ? 1 : 0;

    String root = null;
    if (a.ciRun() != null) {
      IdentityRef run = ref(a.ciRun(), "ciRun");
      if (Nodes.isRoot(run.kind())) {
        root = run.toString();
        edges.add(new EdgeFact(root, actor.toString(), EdgeKind.AUTHENTICATED_AS, root, 1.0, eventId, at, counts,
            null, null, List.of()));
      }
    }
    if (actor.kind().isCredential()) {
      IdentityRef principal = principal(a, cluster);
      if (principal != null && !principal.equals(actor)) {
        edges.add(new EdgeFact(actor.toString(), principal.toString(), EdgeKind.USED, null, 1.0, eventId, at, counts,
            a.verb(), resource(a), a.sourceIps()));
      }
    }
    if (a.issuedCredentialId() != null && succeeded(a)) {
      String jti = a.issuedCredentialId().startsWith(JTI_PREFIX)
          ? a.issuedCredentialId().substring(JTI_PREFIX.length()) : a.issuedCredentialId();
      String token = build(() -> IdentityRef.k8sToken(cluster, jti), "issuedCredentialId").toString();
      edges.add(EdgeFact.exact(actor.toString(), EdgeKind.MINTED, token, root, eventId, at));
      IdentityRef sa = issuedFor(a, cluster);
      if (sa != null) {
        edges.add(EdgeFact.exact(token, EdgeKind.CREDENTIAL_OF, sa.toString(), root, eventId, at));
      }
    }
    List<NodeMessage> nodes = new ArrayList<>();
    for (EdgeFact e : edges) {
      nodes.add(NodeMessage.outbound(e));
      nodes.add(NodeMessage.inbound(e));
    }
    return new Facts(nodes);
  }

  private static Facts result(RevocationResult r) {
    String target = required(r.target(), "revocation.result", "target");
    String actionId = required(r.actionId(), "revocation.result", "actionId");
    RevocationMark mark = RevocationMark.of(r);
    return new Facts(List.of(NodeMessage.revocation(new RevocationMark(actionId, mark.requestId(), mark.action(),
        target, mark.outcome(), mark.detail(), mark.recordedAt()))));
  }

  /** The actor as ingest named it; failing that, the service account or user from the event. */
  private static IdentityRef actor(K8sAuditEvent a, String cluster) {
    if (a.actor() != null) {
      return ref(a.actor(), "actor");
    }
    IdentityRef principal = principal(a, cluster);
    if (principal == null) {
      throw CorrelatorException.missingField("k8s.audit", "actor");
    }
    return principal;
  }

  /** Who the request acted as: the service account, else the user. */
  private static IdentityRef principal(K8sAuditEvent a, String cluster) {
    if (a.serviceAccount() != null) {
      return ref(a.serviceAccount(), "serviceAccount");
    }
    if (a.user() != null && a.user().username() != null) {
      return build(() -> IdentityRef.k8sUser(cluster, a.user().username()), "user.username");
    }
    return null;
  }

  private static IdentityRef issuedFor(K8sAuditEvent a, String cluster) {
    if (a.issuedFor() != null) {
      return ref(a.issuedFor(), "issuedFor");
    }
    K8sAuditEvent.ObjectRef o = a.objectRef();
    if (o != null && "serviceaccounts".equals(o.resource()) && o.namespace() != null && o.name() != null) {
      return build(() -> IdentityRef.k8sServiceAccount(cluster, o.namespace(), o.name()), "objectRef");
    }
    return null;
  }

  /**
   * A request counts once: at ResponseComplete (or Panic). A long-running request also has a ResponseStarted
   * stage, which adds detail but is not counted again. Ingest drops RequestReceived.
   */
  private static boolean countsAsUse(String stage) {
    return stage == null || stage.equals("ResponseComplete") || stage.equals("Panic");
  }

  private static boolean succeeded(K8sAuditEvent a) {
    return (a.responseCode() == null || a.responseCode() < 400) && !"forbid".equals(a.decision());
  }

  /** {@code [namespace/]resource[/subresource]}, or the request path of a non-resource request. */
  static String resource(K8sAuditEvent a) {
    K8sAuditEvent.ObjectRef o = a.objectRef();
    if (o != null && o.resource() != null) {
      return (o.namespace() != null ? o.namespace() + "/" : "") + o.resource()
          + (o.subresource() != null ? "/" + o.subresource() : "");
    }
    if (a.requestUri() != null) {
      int q = a.requestUri().indexOf('?');
      return q < 0 ? a.requestUri() : a.requestUri().substring(0, q);
    }
    return null;
  }

  private static String required(String value, String type, String field) {
    if (value == null || value.isBlank()) {
      throw CorrelatorException.missingField(type, field);
    }
    return isRefField(field) ? ref(value, field).toString() : value;
  }

  private static boolean isRefField(String field) {
    return field.equals("run") || field.equals("job") || field.equals("target");
  }

  private static IdentityRef ref(String text, String field) {
    return build(() -> IdentityRef.parse(text), field);
  }

  private static IdentityRef build(java.util.function.Supplier<IdentityRef> factory, String field) {
    try {
      return factory.get();
    } catch (InvalidIdentityRefException e) {
      throw CorrelatorException.invalidRef(field, e);
    }
  }
}
