package dev.killswitch.ingest.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link IngestBench} (or, with {@code -Dkillswitch.bench=handler}, {@link HandlerBench}) through surefire, which has the test classpath offline (the exec plugin does not
 * resolve offline). Not part of any build: the name matches neither *Test nor *IT, and it only runs with
 * {@code -Dkillswitch.bench=true}:
 * <pre>
 * mvn -B -o -q -pl ingest -am test -Dtest=IngestBenchLauncher -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dkillswitch.bench=true -Dkillswitch.bench.args="--events 100000 --clients 4"
 * </pre>
 */
class IngestBenchLauncher {

  @Test
  @EnabledIfSystemProperty(named = "killswitch.bench", matches = "true")
  void runTheBenchmark() throws Exception {
    String args = System.getProperty("killswitch.bench.args", "").trim();
    IngestBench.main(args.isEmpty() ? new String[0] : args.split("\\s+"));
  }

  @Test
  @EnabledIfSystemProperty(named = "killswitch.bench", matches = "handler")
  void runTheHandlerBenchmark() {
    HandlerBench.main(new String[0]);
  }
}
