package dev.killswitch.cli.deploy;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Whether a command-line tool the deployment checks use is installed here. */
final class Commands {

  private Commands() {}

  /** True when {@code command} (e.g. {@code kubectl version --client}) runs and exits 0 within 30 s. */
  static boolean works(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
