package dev.killswitch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code killswitch} command. {@code main} only wires the verbs; each verb is a class of its own.
 *
 * <p>Exit codes (documented in docs/cli.md, stable for playbooks): 0 success, 1 the operation failed,
 * 2 usage error, 3 settings invalid, 4 not found, 5 unauthorized, 6 Killswitch unreachable.
 */
@Command(name = "killswitch",
    mixinStandardHelpOptions = true,
    versionProvider = Killswitch.Version.class,
    description = "Event-driven revocation of non-human identities (CI tokens, Kubernetes tokens, cloud sessions) on Apache Kafka.",
    subcommands = {RunCommand.class, RoleCommand.Ingest.class, RoleCommand.Correlator.class,
        RoleCommand.Revoker.class, CommandLine.HelpCommand.class})
public final class Killswitch {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_SETTINGS = 3;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Killswitch())
        .setExitCodeExceptionMapper(e -> e instanceof Settings.InvalidSettingsException ? EXIT_SETTINGS : EXIT_FAILED)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("killswitch: " + e.getMessage());
          return cmd.getExitCodeExceptionMapper().getExitCode(e);
        });
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Killswitch.class.getPackage().getImplementationVersion();
      return new String[] {"killswitch " + (v == null ? "dev" : v)};
    }
  }
}
