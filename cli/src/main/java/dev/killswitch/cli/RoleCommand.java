package dev.killswitch.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One role per process, for scale-out on a real Kafka cluster (KAFKA_BOOTSTRAP_SERVERS required). */
abstract class RoleCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, description = "YAML settings file; environment variables override it")
  Path config;

  abstract Role role();

  /** Audit log files to follow; only the ingest role has any. */
  java.util.List<Application.AuditLogTail> tails() {
    return java.util.List.of();
  }

  @Override
  public Integer call() throws Exception {
    Settings settings = Settings.load(config, System.getenv());
    if (settings.embeddedKafka()) {
      throw new Settings.InvalidSettingsException(java.util.List.of(
          "'killswitch " + role().name().toLowerCase() + "' runs one role against a real Kafka cluster: set "
              + "KAFKA_BOOTSTRAP_SERVERS (or use 'killswitch run' for everything on the embedded broker)"));
    }
    return RunCommand.serve(config, EnumSet.of(role()), tails());
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "Run only ingest: the /v1/ingest/* receivers, publishing CloudEvents to Kafka.")
  static final class Ingest extends RoleCommand {
    @picocli.CommandLine.Mixin
    TailOptions tail = new TailOptions();

    @Override
    Role role() {
      return Role.INGEST;
    }

    @Override
    java.util.List<Application.AuditLogTail> tails() {
      return tail.specs();
    }
  }

  @Command(name = "correlator", mixinStandardHelpOptions = true,
      description = "Run only the correlator: the Kafka Streams topology and the /v1/chains and /v1/identities queries.")
  static final class Correlator extends RoleCommand {
    @Override
    Role role() {
      return Role.CORRELATOR;
    }
  }

  @Command(name = "revoker", mixinStandardHelpOptions = true,
      description = "Run only the revoker: planner, executors, /v1/revocations and the authorization webhook.")
  static final class Revoker extends RoleCommand {
    @Override
    Role role() {
      return Role.REVOKER;
    }
  }
}
