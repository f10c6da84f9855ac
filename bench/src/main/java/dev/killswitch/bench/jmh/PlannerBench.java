package dev.killswitch.bench.jmh;

import dev.killswitch.revoker.plan.ChainGraph;
import dev.killswitch.revoker.plan.Guardrails;
import dev.killswitch.revoker.plan.Plan;
import dev.killswitch.revoker.plan.Planner;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The revoker's {@link Planner} on a chain snapshot shaped like the correlator's for the github-irsa scenario
 * (run, OIDC user, TokenRequest'd token, service account, IRSA role and session, {@code used} edges to the S3
 * and Secrets Manager calls' principal), the job-completed trigger's request (enforce, cascade downstream), default
 * guardrails. {@code jobs} repeats the run's jobs: each job's user mints its own token, whose session assumes the
 * role; 1 is the scenario, 25 a larger matrix build. Building the {@link ChainGraph} from the snapshot is measured
 * separately ({@code graph}), as the revoker does it per request from its chain view.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlannerBench {

  private static final String RUN = "ci:github:acme/payments/runs/12345678901";
  private static final String SA = "k8s:prod-eu:sa/payments/billing-api";
  private static final String ROLE = "aws:111122223333:role/billing-api-irsa";
  private static final Instant AT = Instant.parse("2025-06-01T10:00:00Z");

  @Param({"1", "25"})
  public int jobs;

  private ChainSnapshot snapshot;
  private ChainGraph graph;
  private RevocationRequested request;
  private final Guardrails guardrails = Guardrails.defaults();

  @Setup
  public void chain() {
    List<ChainSnapshot.Edge> edges = new ArrayList<>();
    edges.add(edge(SA, ROLE, "assumed"));
    for (int j = 0; j < jobs; j++) {
      String user = "k8s:prod-eu:user/github:repo:acme/payments:ref:refs/heads/main:job:" + j;
      String token = IdentityRef.k8sToken("prod-eu", "8c1a3f4e-2b7d-4e9a-9f61-0d3c5b7a" + String.format("%04d", j)).toString();
      String session = IdentityRef.awsSession("111122223333", "ASIAIRSAEXAMPLE" + String.format("%05d", j)).toString();
      edges.add(edge(RUN, user, "authenticated-as"));
      edges.add(edge(user, token, "minted"));
      edges.add(edge(token, SA, "credential-of"));
      edges.add(edge(token, session, "assumed"));
      edges.add(edge(session, ROLE, "credential-of"));
      edges.add(edge(session, ROLE, "used"));
    }
    TreeSet<String> refs = new TreeSet<>();
    edges.forEach(e -> {
      refs.add(e.from());
      refs.add(e.to());
    });
    List<ChainSnapshot.Node> nodes = refs.stream()
        .map(r -> new ChainSnapshot.Node(r, IdentityRef.parse(r).kind().wireName(), AT, AT, "requested")).toList();
    snapshot = new ChainSnapshot(DeterministicIds.chainId(RUN), RUN, "completed", nodes, edges, AT);
    graph = graph();
    request = new RevocationRequested(DeterministicIds.of("trigger", "job-completed", RUN), RUN, Cascade.DOWNSTREAM,
        "job completed", "trigger:job-completed", Mode.ENFORCE, AT, null, false);
    Plan plan = plan();
    if (plan.actions().isEmpty()) {
      throw new IllegalStateException("the chain planned no action: " + plan);
    }
  }

  private static ChainSnapshot.Edge edge(String from, String to, String kind) {
    return new ChainSnapshot.Edge(from, to, kind, 1.0, List.of("evidence-" + from.hashCode()), AT, AT, 1);
  }

  @Benchmark
  public Plan plan() {
    return Planner.plan(request, graph, guardrails, AT);
  }

  @Benchmark
  public ChainGraph graph() {
    return ChainGraph.ofSnapshots(List.of(snapshot));
  }
}
