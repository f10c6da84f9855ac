package dev.killswitch.bench.jmh;

import dev.killswitch.schemas.IdentityRef;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Identity references: {@link IdentityRef#parse} (grammar and validation) and {@link IdentityRef#toString} (the
 * canonical form) of the references of the github-irsa scenario's chain, one kind per parameter value.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdentityRefBench {

  @Param({
      "ci:github:acme/payments/runs/12345678901",
      "k8s:prod-eu:token/8c1a3f4e-2b7d-4e9a-9f61-0d3c5b7a1e22",
      "k8s:prod-eu:sa/payments/billing-api",
      "k8s:prod-eu:user/github:repo:acme/payments:ref:refs/heads/main",
      "aws:111122223333:session/ASIAIRSAEXAMPLE00001",
      "aws:111122223333:role/billing-api-irsa"})
  public String ref;

  private IdentityRef parsed;

  @Setup
  public void parseOnce() {
    parsed = IdentityRef.parse(ref);
    if (!parsed.toString().equals(ref)) {
      throw new IllegalStateException("not canonical: " + ref + " formats as " + parsed);
    }
  }

  @Benchmark
  public IdentityRef parse() {
    return IdentityRef.parse(ref);
  }

  @Benchmark
  public String format() {
    return parsed.toString();
  }
}
