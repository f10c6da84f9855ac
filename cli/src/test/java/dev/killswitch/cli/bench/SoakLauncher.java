package dev.killswitch.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link Soak} through surefire (the exec plugin does not resolve offline). Not part of any build: the name
 * matches neither *Test nor *IT, and it only runs with {@code -Dkillswitch.soak=true}. From the repository root,
 * with {@code ./killswitch run} up in another terminal:
 * <pre>
 * mvn -B -o -q -pl cli test -Dtest=SoakLauncher -Dsurefire.failIfNoSpecifiedTests=false -Dkillswitch.soak=true \
 *     -Dkillswitch.soak.args="--duration PT1H --rate 20 --data-dir ../.killswitch --examples ../examples"
 * </pre>
 * (surefire runs in the cli directory: relative paths start there.)
 */
class SoakLauncher {

  @Test
  @EnabledIfSystemProperty(named = "killswitch.soak", matches = "true")
  void runTheSoak() throws Exception {
    String args = System.getProperty("killswitch.soak.args", "").trim();
    if (!Soak.run(args.isEmpty() ? new String[0] : args.split("\\s+"))) {
      throw new AssertionError("the soak got answers other than 2xx (see its last line)");
    }
  }
}
