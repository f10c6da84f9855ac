package dev.killswitch.revoker.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs a bench main on surefire's class path, on demand only (skipped unless {@code -Dkillswitch.bench} names it):
 * {@code mvn -B -o -q -pl revoker test -Dtest=RevokerBenchLauncher -Dsurefire.failIfNoSpecifiedTests=false
 * -Dkillswitch.bench=webhook} (or {@code fanout}).
 */
class RevokerBenchLauncher {

  @Test
  @EnabledIfSystemProperty(named = "killswitch.bench", matches = "webhook|all")
  void webhook() throws Exception {
    WebhookBench.run();
  }

  @Test
  @EnabledIfSystemProperty(named = "killswitch.bench", matches = "fanout|all")
  void fanOut() throws Exception {
    FanOutBench.run();
  }
}
