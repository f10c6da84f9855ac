package dev.killswitch.correlator.internal.graph;

import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.IdentityRef.Kind;
import dev.killswitch.schemas.event.GcpAuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The facts of one Cloud Audit Logs entry. The credential of a call is the last delegator of its
 * serviceAccountDelegationInfo (a workload identity federation principal, or a service account that impersonated
 * the caller), else the caller's service-account key or federation principal.
 *
 * <ul>
 *   <li>STS ExchangeToken by a federation principal {@code gcp:wif/<pool>/<subject>} whose subject comes from a
 *       known issuer (the pool's configured issuer, else GitHub for {@code repo:...} subjects and gitlab.com for
 *       {@code project_path:...}): {@code oidc:<issuer>/<subject> -authenticated-as-> principal} (exact, the
 *       subject is the same string).</li>
 *   <li>GenerateAccessToken, GenerateIdToken, SignJwt, SignBlob naming a service account:
 *       {@code credential -impersonated-> service account}.</li>
 *   <li>CreateServiceAccountKey: {@code credential -minted-> key}, {@code key -credential-of-> its account}.</li>
 *   <li>Any other call with a credential: {@code credential -used-> the service account that called}, verb =
 *       methodName, resource = resourceName, with caller IP, project and outcome.</li>
 * </ul>
 * A federation principal is shared by every run of its subject, so each of its observations is also sent to the
 * OIDC subject, which attributes it to the runs active in the window ({@link Joins.Mode#RUNS_OF_SUBJECT}).
 */
final class GcpFacts {

  private static final Set<String> IMPERSONATION = Set.of("GenerateAccessToken", "GenerateIdToken", "SignJwt",
      "SignBlob");

  private GcpFacts() {}

  static Facts extract(String eventId, GcpAuditEvent e, Instant at, JoinSettings s) {
    boolean ok = e.statusCode() == null || e.statusCode() == 0;
    List<String> ips = Refs.ips(e.callerIp());
    IdentityRef actor = e.actor() == null ? null : Refs.ref(e.actor(), "actor");
    List<String> chain = e.delegationChain() == null ? List.of() : e.delegationChain();
    IdentityRef credential = !chain.isEmpty() ? Refs.ref(chain.get(chain.size() - 1), "delegationChain")
        : actor != null && (actor.kind() == Kind.GCP_SA_KEY || actor.kind() == Kind.GCP_WIF_PRINCIPAL) ? actor : null;
    IdentityRef target = e.target() == null ? null : Refs.ref(e.target(), "target");
    String method = e.methodName() == null ? "" : e.methodName().substring(e.methodName().lastIndexOf('.') + 1);
    String root = actor != null && s.isRoot(actor.toString()) ? actor.toString()
        : credential != null && s.isRoot(credential.toString()) ? credential.toString() : null;

    List<EdgeFact> edges = new ArrayList<>();
    List<NodeMessage> nodes = new ArrayList<>();
    if (root != null) {
      nodes.add(NodeMessage.member(root, root));
    }
    IdentityRef subject = null;
    if (method.equals("ExchangeToken") && actor != null && actor.kind() == Kind.GCP_WIF_PRINCIPAL) {
      subject = subjectOf(actor, s);
      if (subject != null && ok) {
        edges.add(new EdgeFact(subject.toString(), actor.toString(), EdgeKind.AUTHENTICATED_AS, root, 1.0, eventId,
            at, 1, e.methodName(), null, ips, true, e.project(), "exact:principal-subject", false));
      }
    } else if (IMPERSONATION.contains(method) && target != null && target.kind() == Kind.GCP_SERVICE_ACCOUNT) {
      IdentityRef who = credential != null ? credential : actor;
      if (who != null && ok) {
        edges.add(new EdgeFact(who.toString(), target.toString(), EdgeKind.IMPERSONATED, root, 1.0, eventId, at, 1,
            e.methodName(), null, ips, true, e.project(), "exact:principal-subject", false));
      }
    } else if (target != null && target.kind() == Kind.GCP_SA_KEY) {
      IdentityRef who = credential != null ? credential : actor;
      if (who != null) {
        edges.add(EdgeFact.exact(who.toString(), EdgeKind.MINTED, target.toString(), root, eventId, at,
            "exact:service-account-key", ips));
        IdentityRef owner = Refs.lenient(() -> IdentityRef.gcpServiceAccount(target.scope(), target.part("email")));
        if (owner != null) {
          edges.add(EdgeFact.exact(target.toString(), EdgeKind.CREDENTIAL_OF, owner.toString(), root, eventId, at,
              "exact:service-account-key", List.of()));
        }
      }
    }
    IdentityRef principal = !chain.isEmpty() ? actor : actor != null && actor.kind() == Kind.GCP_SA_KEY
        ? Refs.lenient(() -> IdentityRef.gcpServiceAccount(actor.scope(), actor.part("email"))) : null;
    if (credential != null && principal != null && !principal.equals(credential)) {
      edges.add(new EdgeFact(credential.toString(), principal.toString(), EdgeKind.USED, root, 1.0, eventId, at, 1,
          e.methodName(), e.resourceName(), ips, ok, e.project(), "exact:delegation-info", false));
    }
    IdentityRef federated = credential != null && credential.kind() == Kind.GCP_WIF_PRINCIPAL ? credential
        : actor != null && actor.kind() == Kind.GCP_WIF_PRINCIPAL ? actor : null;
    IdentityRef key = subject != null ? subject : federated == null ? null : subjectOf(federated, s);
    for (EdgeFact f : edges) {
      nodes.addAll(NodeMessage.bothEnds(f));
      if (key != null && f.root() == null) {
        nodes.add(NodeMessage.attribute(key.toString(), f));
      }
    }
    return new Facts(nodes);
  }

  /**
   * The OIDC subject behind a federation principal: its subject under the pool's issuer. The pool's issuer is
   * configured; without it, a GitHub-shaped subject ({@code repo:...}) is GitHub's and a GitLab-shaped one
   * ({@code project_path:...}) gitlab.com's.
   */
  static IdentityRef subjectOf(IdentityRef principal, JoinSettings s) {
    String sub = principal.leaf();
    String issuer = s.wifPoolIssuers().get(principal.scope());
    if (issuer == null) {
      issuer = sub.startsWith("repo:") ? s.githubIssuer() : sub.startsWith("project_path:") ? "gitlab.com" : null;
    }
    String host = issuer;
    return host == null ? null : Refs.lenient(() -> IdentityRef.oidcSubject(host, sub));
  }
}
