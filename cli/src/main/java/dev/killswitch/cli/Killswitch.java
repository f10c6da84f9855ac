package dev.killswitch.cli;

import dev.killswitch.cli.client.Printable;
import dev.killswitch.cli.replay.Progress;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code killswitch} command. {@code main} only wires the verbs; each verb is a class of its own.
 *
 * <p>Exit codes (documented in docs/cli.md, stable for playbooks): 0 success, 1 the operation failed,
 * 2 usage error, 3 settings invalid, 4 not found, 5 unauthorized or forbidden, 6 Killswitch (or, for
 * {@code config check}, Kafka) unreachable or unavailable.
 */
@Command(name = "killswitch",
    mixinStandardHelpOptions = true,
    versionProvider = Killswitch.Version.class,
    description = "Event-driven revocation of non-human identities (CI tokens, Kubernetes tokens, cloud sessions) on Apache Kafka.",
    footer = {"", "Exit codes: 0 ok, 1 failed, 2 usage, 3 settings invalid, 4 not found,",
        "5 unauthorized or forbidden, 6 Killswitch unreachable. See docs/cli.md."},
    subcommands = {RunCommand.class, DemoCommand.class, RoleCommand.Ingest.class, RoleCommand.Correlator.class,
        RoleCommand.Revoker.class, RevokeCommand.class, RevocationsCommand.class, ChainsCommand.class,
        IdentitiesCommand.class, ReplayCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class Killswitch {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_SETTINGS = 3;
  public static final int EXIT_NOT_FOUND = 4;
  public static final int EXIT_UNAUTHORIZED = 5;
  public static final int EXIT_UNREACHABLE = 6;

  private final Map<String, String> env;
  private final boolean stderrIsTerminal;

  private Killswitch(Map<String, String> env, boolean stderrIsTerminal) {
    this.env = Map.copyOf(env);
    this.stderrIsTerminal = stderrIsTerminal;
  }

  public static void main(String[] args) {
    useShippedLogConfig();
    System.exit(commandLine(System.getenv(), Progress.stderrIsTerminal()).execute(args));
  }

  /** The system property naming logback's configuration, which wins over every configuration file it finds. */
  static final String LOGBACK_CONFIGURATION = "logback.configurationFile";

  /**
   * Names Killswitch's own {@code logback.xml} (standard error, {@code KILLSWITCH_LOG_LEVEL}, control characters in
   * messages written as {@code ?}) unless the operator named a configuration. Without it logback would prefer the
   * testkit's {@code logback-test.xml}, which the jar and the image hold because {@code killswitch demo} runs the
   * testkit's cloud fakes. Called before anything logs.
   */
  static void useShippedLogConfig() {
    if (System.getProperty(LOGBACK_CONFIGURATION) == null) {
      System.setProperty(LOGBACK_CONFIGURATION, "logback.xml");
    }
  }

  /** The command line reading the process environment. */
  static CommandLine commandLine() {
    return commandLine(System.getenv(), false);
  }

  /** The command line reading {@code env} instead of the process environment (tests, the demo). */
  static CommandLine commandLine(Map<String, String> env) {
    return commandLine(env, false);
  }

  private static CommandLine commandLine(Map<String, String> env, boolean stderrIsTerminal) {
    return new CommandLine(new Killswitch(env, stderrIsTerminal))
        .setExitCodeExceptionMapper(Killswitch::exitCode)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println("killswitch: " + Printable.lines(e.getMessage()));
          cmd.getErr().flush();
          return exitCode(e);
        });
  }

  private static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException) {
      return EXIT_USAGE;
    }
    if (e instanceof CliException c) {
      return c.reason().exitCode();
    }
    return e instanceof Settings.InvalidSettingsException ? EXIT_SETTINGS : EXIT_FAILED;
  }

  /** The environment the verbs read. */
  Map<String, String> env() {
    return env;
  }

  /** True when the progress bar may draw on stderr (set by {@code main} only). */
  boolean stderrIsTerminal() {
    return stderrIsTerminal;
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
