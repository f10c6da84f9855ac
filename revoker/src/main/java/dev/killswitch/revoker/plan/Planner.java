package dev.killswitch.revoker.plan;

import dev.killswitch.revoker.plan.ChainGraph.Edge;
import dev.killswitch.revoker.plan.Plan.Skip;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.IdentityRef.Kind;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a revocation request and the access graph into actions. A pure function: no I/O, no clock (the caller
 * passes {@code now}), and the same request and graph give the same plan whatever order the edges came in.
 *
 * <p>With {@code cascade: downstream} the target and every node reachable from it are considered, following
 * every edge kind except {@code used} (use is evidence that a credential was exercised, not that the actor
 * derived it, so it must not widen the blast radius). Each node whose kind has an action ({@link Actions#forKind})
 * becomes one action; CI runs, users and other principals are expanded, not acted on, except the request's own
 * target, which gets {@link Actions#forTarget} (a service account is rotated, a pod deleted, ...). A temporary
 * lock ({@code expiresAt}) plans only {@link Actions#REVERSIBLE} actions. Actions are ordered by
 * distance from the target, then target, then action; that order decides which actions fit the budget.
 *
 * <p>An action is <em>protected</em> when its target, or a principal the target is a {@code credential-of}, or
 * (for a binding) a subject to be removed from it, matches a protected pattern. Protected actions are skipped
 * with the reason unless the request carries {@code override}.
 */
public final class Planner {

  /** Edge kind that does not cascade (see the class comment). */
  public static final String USED = "used";
  public static final String CREDENTIAL_OF = "credential-of";

  /** Action parameter: distance in edges from the request's target. */
  public static final String PARAM_DEPTH = "depth";
  /** Action parameter: the node the target was reached from (absent for the request's target itself). */
  public static final String PARAM_VIA = "via";
  /** Action parameter of k8s.remove-binding-subject: the subjects to remove, comma-separated, sorted. */
  public static final String PARAM_SUBJECTS = "subjects";
  /**
   * Action parameter: present ("true") when the request overrides protection, so that a provider's preflight
   * also lets a target through whose live object is protected (a label the planner cannot see).
   */
  public static final String PARAM_OVERRIDE = "override";
  /**
   * Action parameter of the AWS credential actions: the principal the chain says the credential is a
   * {@code credential-of} (a session's role, a key's user), which the provider needs and the reference lacks.
   */
  public static final String PARAM_PRINCIPAL = "principal";
  /**
   * Action parameters of {@code aws.deny-session}, from the session node's attributes in the chain (its STS
   * AssumeRole* record): the role's ARN and unique id, the session name, the source identity and when the session
   * expires. They let the provider deny that one session ({@code aws:userid} = {@code <role id>:<session name>}, or
   * {@code aws:SourceIdentity}); an attribute the chain lacks is left out.
   */
  public static final String PARAM_ROLE = "role";
  public static final String PARAM_ROLE_ID = "roleId";
  public static final String PARAM_SESSION_NAME = "sessionName";
  public static final String PARAM_SOURCE_IDENTITY = "sourceIdentity";
  public static final String PARAM_SESSION_EXPIRES_AT = "sessionExpiresAt";
  private static final Map<String, String> SESSION_PARAMS = Map.of(
      ChainSnapshot.Node.ROLE_ARN, PARAM_ROLE,
      ChainSnapshot.Node.ROLE_ID, PARAM_ROLE_ID,
      ChainSnapshot.Node.SESSION_NAME, PARAM_SESSION_NAME,
      ChainSnapshot.Node.SOURCE_IDENTITY, PARAM_SOURCE_IDENTITY,
      ChainSnapshot.Node.EXPIRES_AT, PARAM_SESSION_EXPIRES_AT);

  private Planner() {}

  /**
   * Plans the request.
   *
   * @throws InvalidIdentityRefException when the request's target is not an identity reference
   */
  public static Plan plan(RevocationRequested request, ChainGraph graph, Guardrails guardrails, Instant now) {
    return plan(request, graph, guardrails, now, Integer.MAX_VALUE);
  }

  /**
   * Plans the request with at most {@code minuteBudgetLeft} actions (what is left of the per-minute blast-radius
   * budget, which the caller counts); actions beyond it are skipped with the reason, like those beyond the
   * per-request budget.
   *
   * @throws InvalidIdentityRefException when the request's target is not an identity reference
   */
  public static Plan plan(RevocationRequested request, ChainGraph graph, Guardrails guardrails, Instant now,
                          int minuteBudgetLeft) {
    String root = IdentityRef.parse(request.target()).toString();
    Map<String, Reach> reached = request.cascade() == Cascade.NONE
        ? Map.of(root, new Reach(0, null))
        : downstream(root, graph);

    List<Candidate> candidates = new ArrayList<>();
    for (Map.Entry<String, Reach> e : reached.entrySet()) {
      boolean isTarget = e.getValue().depth == 0;
      parseOrNull(e.getKey()).flatMap(ref -> (isTarget ? Actions.forTarget(ref.kind()) : Actions.forKind(ref.kind()))
          .map(action -> new Candidate(ref, action, e.getValue(), subjectsToRemove(ref, graph, reached))))
          .ifPresent(candidates::add);
    }
    candidates.sort(Comparator.comparingInt((Candidate c) -> c.reach.depth)
        .thenComparing(c -> c.ref.toString()).thenComparing(c -> c.action));

    List<RevocationAction> actions = new ArrayList<>();
    List<Skip> skipped = new ArrayList<>();
    for (Candidate c : candidates) {
      String target = c.ref.toString();
      String actionId = DeterministicIds.actionId(request.requestId(), c.action, target);
      if (c.ref.kind() == Kind.K8S_BINDING && c.bindingSubjects.isEmpty()) {
        skipped.add(new Skip(actionId, c.action, target,
            "no service account or user of the chain is a subject of the binding (binding -credential-of-> "
                + "subject), nothing to remove"));
        continue;
      }
      Optional<String> protection = protection(c, graph, guardrails);
      if (protection.isPresent() && !request.override()) {
        skipped.add(new Skip(actionId, c.action, target, protection.get() + "; set override to act on it"));
        continue;
      }
      if (request.expiresAt() != null && !Actions.REVERSIBLE.contains(c.action)) {
        skipped.add(new Skip(actionId, c.action, target, "not reversible: a temporary lock (expiresAt) plans only "
            + "actions that can be lifted"));
        continue;
      }
      if (actions.size() >= guardrails.maxActionsPerRequest()) {
        skipped.add(new Skip(actionId, c.action, target,
            "blast-radius budget: at most " + guardrails.maxActionsPerRequest() + " actions per request"));
        continue;
      }
      if (actions.size() >= minuteBudgetLeft) {
        skipped.add(new Skip(actionId, c.action, target,
            "blast-radius budget: the per-minute budget of this planner is spent"));
        continue;
      }
      actions.add(new RevocationAction(actionId, request.requestId(), c.action, target,
          params(c, graph, request.override()), mode(request), request.reason(), request.requestedBy(), now,
          request.expiresAt()));
    }
    return new Plan(request.requestId(), actions, skipped);
  }

  /** A request without a mode never calls a provider. */
  private static Mode mode(RevocationRequested request) {
    return request.mode() == null ? Mode.DRY_RUN : request.mode();
  }

  private record Reach(int depth, String via) {}

  private record Candidate(IdentityRef ref, String action, Reach reach, List<String> bindingSubjects) {}

  /**
   * Breadth-first from the root; each level in reference order, so that depth and {@code via} (the smallest
   * reference one level up) do not depend on the order edges were added.
   */
  private static Map<String, Reach> downstream(String root, ChainGraph graph) {
    Map<String, Reach> reached = new LinkedHashMap<>();
    reached.put(root, new Reach(0, null));
    TreeSet<String> level = new TreeSet<>(List.of(root));
    for (int depth = 1; !level.isEmpty(); depth++) {
      TreeSet<String> next = new TreeSet<>();
      for (String node : level) {
        for (Edge e : graph.outgoing(node)) {
          if (!USED.equals(e.kind()) && !reached.containsKey(e.to())) {
            reached.put(e.to(), new Reach(depth, node));
            next.add(e.to());
          }
        }
      }
      level = next;
    }
    return reached;
  }

  /**
   * For a binding: the subjects to remove. The correlator's model (docs/correlation.md, {@code exact:binding-change})
   * is {@code actor -minted-> binding -credential-of-> subject}: the subjects are the service accounts and users the
   * binding's {@code credential-of} edges reach. Whoever created or changed the binding ({@code -minted->}) is not a
   * subject of it and is never removed (nor does it make the action protected). Only subjects in the revoked part of
   * the graph are removed: reached from the target, or every subject when the binding is the target itself.
   */
  private static List<String> subjectsToRemove(IdentityRef ref, ChainGraph graph, Map<String, Reach> reached) {
    if (ref.kind() != Kind.K8S_BINDING) {
      return List.of();
    }
    String binding = ref.toString();
    boolean isTarget = reached.get(binding).depth == 0;
    TreeSet<String> subjects = new TreeSet<>();
    List<String> linked = new ArrayList<>();
    graph.outgoing(binding).stream().filter(e -> CREDENTIAL_OF.equals(e.kind())).forEach(e -> linked.add(e.to()));
    for (String node : linked) {
      boolean subjectKind = parseOrNull(node)
          .map(n -> n.kind() == Kind.K8S_SERVICE_ACCOUNT || n.kind() == Kind.K8S_USER)
          .orElse(false);
      if (subjectKind && (isTarget || reached.containsKey(node))) {
        subjects.add(node);
      }
    }
    return List.copyOf(subjects);
  }

  /** Why the action touches a protected identity ({@code "protected identity ..."}), or empty. */
  private static Optional<String> protection(Candidate c, ChainGraph graph, Guardrails guardrails) {
    List<String> subjects = new ArrayList<>();
    subjects.add(c.ref.toString());
    for (Edge e : graph.outgoing(c.ref.toString())) {
      if (CREDENTIAL_OF.equals(e.kind())) {
        subjects.add(e.to());
      }
    }
    subjects.addAll(c.bindingSubjects);
    for (String subject : subjects) {
      Optional<String> pattern = guardrails.protectingPattern(subject);
      if (pattern.isPresent()) {
        String whose = subject.equals(c.ref.toString()) ? "" : " (" + subject + ")";
        return Optional.of("protected identity" + whose + " matches " + pattern.get());
      }
    }
    return Optional.empty();
  }

  private static SortedMap<String, String> params(Candidate c, ChainGraph graph, boolean overridden) {
    SortedMap<String, String> params = new TreeMap<>();
    if (c.ref.kind() == Kind.AWS_SESSION || c.ref.kind() == Kind.AWS_ACCESS_KEY) {
      graph.outgoing(c.ref.toString()).stream().filter(e -> CREDENTIAL_OF.equals(e.kind())).findFirst()
          .ifPresent(e -> params.put(PARAM_PRINCIPAL, e.to()));
    }
    if (c.ref.kind() == Kind.AWS_SESSION) {
      graph.attributes(c.ref.toString()).forEach((name, value) -> {
        String param = SESSION_PARAMS.get(name);
        if (param != null) {
          params.put(param, value);
        }
      });
    }
    params.put(PARAM_DEPTH, Integer.toString(c.reach.depth));
    if (c.reach.via != null) {
      params.put(PARAM_VIA, c.reach.via);
    }
    if (!c.bindingSubjects.isEmpty()) {
      params.put(PARAM_SUBJECTS, String.join(",", c.bindingSubjects));
    }
    if (overridden) {
      params.put(PARAM_OVERRIDE, "true");
    }
    return Collections.unmodifiableSortedMap(params);
  }

  private static Optional<IdentityRef> parseOrNull(String ref) {
    try {
      return Optional.of(IdentityRef.parse(ref));
    } catch (InvalidIdentityRefException e) {
      return Optional.empty();
    }
  }
}
