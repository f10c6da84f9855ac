package dev.killswitch.revoker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.revoker.plan.ChainGraph.Edge;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The planner is a pure function: deterministic whatever the edge order, and never acts on a protected identity. */
class PlannerPropertiesTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final List<String> PROTECTED_EXTRA = List.of("aws:*:role/break-glass", "aws:*:session/ASIABG*");

  /** Nodes of every kind, protected ones included, in two clusters and two accounts. */
  static final List<String> NODES = List.of(
      "ci:github:acme/app/runs/1", "ci:github:acme/app/runs/2", "ci:github:acme/app/jobs/3",
      "k8s:prod:user/ci:acme/app", "k8s:prod:user/system:node:n1", "k8s:prod:user/system:kube-scheduler",
      "k8s:dev:user/alice",
      "k8s:prod:sa/ci/deployer", "k8s:prod:sa/kube-system/replicaset-controller", "k8s:dev:sa/default/app",
      "k8s:prod:token/jti-1", "k8s:prod:token/jti-2", "k8s:prod:token/jti-3", "k8s:dev:token/jti-1",
      "k8s:prod:secret-token/ci/deployer-token", "k8s:prod:secret-token/kube-system/old-token",
      "k8s:prod:pod/ci/runner", "k8s:prod:binding/ci/deployer-edit", "k8s:prod:binding/_cluster/cluster-admin",
      "k8s:prod:binding/kube-system/system:controller:bootstrap-signer",
      "aws:123456789012:role/deployer", "aws:123456789012:role/break-glass",
      "aws:123456789012:access-key/AKIA1", "aws:123456789012:session/ASIA1", "aws:123456789012:session/ASIABG1",
      "aws:210987654321:user/legacy",
      "gcp:proj:sa/ci@proj.iam.gserviceaccount.com", "gcp:proj:sa-key/ci@proj.iam.gserviceaccount.com/k1",
      "gcp:wif/projects/1/locations/global/workloadIdentityPools/ci/repo:acme/app",
      "oidc:token.actions.githubusercontent.com/repo:acme/app:ref:refs/heads/main",
      "not-a-ref-the-correlator-should-not-write");

  static final List<String> EDGE_KINDS =
      List.of("authenticated-as", "minted", "credential-of", "assumed", "impersonated", "used");

  @Provide
  Arbitrary<List<Edge>> edges() {
    Arbitrary<Edge> edge = Combinators.combine(Arbitraries.of(NODES), Arbitraries.of(NODES), Arbitraries.of(EDGE_KINDS))
        .as(Edge::new);
    return edge.list().ofMaxSize(60);
  }

  @Provide
  Arbitrary<RevocationRequested> requests() {
    return Combinators.combine(
        Arbitraries.of(NODES.subList(0, NODES.size() - 1)),
        Arbitraries.of(Cascade.class),
        Arbitraries.of(Mode.ENFORCE, Mode.DRY_RUN, Mode.SHADOW),
        Arbitraries.of(true, false),
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12))
        .as((target, cascade, mode, override, id) -> new RevocationRequested(id, target, cascade, "test", "user:prop",
            mode, NOW, null, override));
  }

  @Property
  void theSameRequestAndEdgesGiveTheSamePlanInAnyOrderAndSplitOverAnySnapshots(
      @ForAll("requests") RevocationRequested request, @ForAll("edges") List<Edge> edges, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int budget) {
    Guardrails guardrails = Guardrails.withDefaults(PROTECTED_EXTRA, budget);
    List<Edge> shuffled = new ArrayList<>(edges);
    Collections.shuffle(shuffled, new Random(seed));
    shuffled.addAll(edges.subList(0, edges.size() / 3));   // duplicates, as overlapping snapshots carry

    Plan once = Planner.plan(request, ChainGraph.of(edges), guardrails, NOW);
    Plan again = Planner.plan(request, ChainGraph.of(edges), guardrails, NOW);
    Plan reordered = Planner.plan(request, ChainGraph.ofSnapshots(split(shuffled, seed)), guardrails, NOW);

    assertThat(again).isEqualTo(once);
    assertThat(reordered).isEqualTo(once);
  }

  @Property
  void neverActsOnAProtectedIdentityWithoutOverride(
      @ForAll("requests") RevocationRequested request, @ForAll("edges") List<Edge> edges,
      @ForAll @IntRange(min = 1, max = 8) int budget) {
    Guardrails guardrails = Guardrails.withDefaults(PROTECTED_EXTRA, budget);
    ChainGraph graph = ChainGraph.of(edges);
    RevocationRequested withoutOverride = new RevocationRequested(request.requestId(), request.target(),
        request.cascade(), request.reason(), request.requestedBy(), request.mode(), request.requestedAt(), null, false);

    Plan plan = Planner.plan(withoutOverride, graph, guardrails, NOW);

    for (RevocationAction action : plan.actions()) {
      assertThat(guardrails.protectingPattern(action.target())).as(action.target()).isEmpty();
      for (Edge owner : graph.outgoing(action.target())) {
        if (owner.kind().equals("credential-of")) {
          assertThat(guardrails.protectingPattern(owner.to())).as(action.target() + " credential of " + owner.to())
              .isEmpty();
        }
      }
      for (String subject : action.params().getOrDefault("subjects", "").split(",")) {
        if (!subject.isEmpty()) {
          assertThat(guardrails.protectingPattern(subject)).as("subject " + subject).isEmpty();
        }
      }
    }
  }

  @Property
  void actionIdsAreTheHashOfRequestActionAndTargetAndTheBudgetHolds(
      @ForAll("requests") RevocationRequested request, @ForAll("edges") List<Edge> edges,
      @ForAll @IntRange(min = 1, max = 8) int budget) {
    Plan plan = Planner.plan(request, ChainGraph.of(edges), Guardrails.withDefaults(PROTECTED_EXTRA, budget), NOW);

    assertThat(plan.actions()).hasSizeLessThanOrEqualTo(budget);
    Set<String> ids = new HashSet<>();
    for (RevocationAction a : plan.actions()) {
      assertThat(a.actionId()).isEqualTo(DeterministicIds.actionId(request.requestId(), a.action(), a.target()));
      assertThat(a.mode()).isEqualTo(request.mode());
      assertThat(ids.add(a.actionId())).isTrue();
    }
    for (Plan.Skip s : plan.skipped()) {
      assertThat(s.actionId()).isEqualTo(DeterministicIds.actionId(request.requestId(), s.action(), s.target()));
      assertThat(ids.add(s.actionId())).isTrue();
    }
  }

  /** The edges spread over up to three snapshots, as the chains topic holds them. */
  static List<ChainSnapshot> split(List<Edge> edges, long seed) {
    Random random = new Random(seed);
    List<List<ChainSnapshot.Edge>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Edge e : edges) {
      parts.get(random.nextInt(3)).add(new ChainSnapshot.Edge(e.from(), e.to(), e.kind(), 1.0, List.of("ev"), NOW, NOW, 1));
    }
    List<ChainSnapshot> snapshots = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      snapshots.add(new ChainSnapshot("c" + i, "ci:github:acme/app/runs/" + i, "active", List.of(), parts.get(i), NOW));
    }
    return snapshots;
  }
}
