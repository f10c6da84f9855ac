package dev.killswitch.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.cli.Settings.Secret;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code killswitch config check}: the settings as {@code run} would read them, every problem, no secret. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Settings.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand {

  /** Client settings whose values are credentials: shown as "(set)". */
  private static final List<String> SECRET_WORDS = List.of("password", "secret", "jaas", "token", "key", "credential");

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Load the settings (environment and --config), report every problem, print the effective settings",
          "without secrets, and check that an external Kafka answers.",
          "Exit 0 when all is well, 3 when a setting is invalid, 6 when the external Kafka cannot be reached."})
  static final class Check implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML settings file; environment variables override it")
    Path config;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json")
    ClientOptions.Format output;

    @Option(names = "--kafka-timeout", paramLabel = "DURATION", defaultValue = "10s",
        description = "how long to wait for an external Kafka to answer (default ${DEFAULT-VALUE})")
    String kafkaTimeout;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, String> env = ((Killswitch) spec.root().userObject()).env();
      Settings settings;
      try {
        settings = Settings.load(config, env);
      } catch (Settings.InvalidSettingsException e) {
        if (output == ClientOptions.Format.json) {
          ObjectNode o = JsonNodeFactory.instance.objectNode().put("valid", false);
          o.putArray("problems").addAll(e.problems().stream().map(JsonNodeFactory.instance::textNode).toList());
          print(out, o);
        } else {
          out.println("Settings are invalid:");
          e.problems().forEach(p -> out.println("  - " + p));
          out.flush();
        }
        return Killswitch.EXIT_SETTINGS;
      }
      List<String> tokenProblems = new ArrayList<>();
      List<ApiTokens.Token> tokens = ApiTokens.read(settings.yaml(), tokenProblems);
      if (!tokenProblems.isEmpty()) {
        if (output == ClientOptions.Format.json) {
          ObjectNode o = JsonNodeFactory.instance.objectNode().put("valid", false);
          o.putArray("problems").addAll(tokenProblems.stream().map(JsonNodeFactory.instance::textNode).toList());
          print(out, o);
        } else {
          out.println("Settings are invalid:");
          tokenProblems.forEach(p -> out.println("  - " + p));
          out.flush();
        }
        return Killswitch.EXIT_SETTINGS;
      }
      List<String> warnings = new ArrayList<>();
      Map<String, String> secrets = new LinkedHashMap<>();
      for (Secret s : Secret.values()) {
        secrets.put(s.env(), describeSecret(settings, s, warnings));
      }
      settings.ingestAuth().sourceTokens().keySet().forEach(source -> secrets.put(IngestAuth.tokenEnv(source),
          "set (environment or config file), only for " + source));
      String kafka = settings.embeddedKafka() ? "embedded broker on 127.0.0.1:" + settings.embeddedKafkaPort()
          + " (data in " + settings.dataDir().resolve("kafka") + ")" : settings.kafkaBootstrapServers();
      String reachability = null;
      if (!settings.embeddedKafka()) {
        reachability = kafkaReachable(settings, Durations.parse(kafkaTimeout, "--kafka-timeout").toMillis());
      }

      if (output == ClientOptions.Format.json) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("valid", true);
        o.putArray("problems");
        ObjectNode s = o.putObject("settings");
        s.put("kafka", settings.embeddedKafka() ? "embedded" : settings.kafkaBootstrapServers());
        if (settings.embeddedKafka()) {
          s.put("embeddedKafkaPort", settings.embeddedKafkaPort());
        }
        ObjectNode props = s.putObject("kafkaClientProps");
        clientProps(settings).forEach(props::put);
        s.put("dataDir", settings.dataDir().toString()).put("httpHost", settings.httpHost())
            .put("httpPort", settings.httpPort()).put("topicPrefix", settings.topicPrefix());
        ObjectNode sec = s.putObject("secrets");
        secrets.forEach(sec::put);
        var tok = s.putArray("tokens");
        for (ApiTokens.Token t : tokens) {
          ObjectNode entry = tok.addObject().put("name", t.name()).put("source", t.source());
          entry.set("roles", JsonNodeFactory.instance.arrayNode().addAll(t.roles().stream()
              .map(r -> JsonNodeFactory.instance.textNode(r.name().toLowerCase(Locale.ROOT))).toList()));
          if (!t.sources().isEmpty()) {
            entry.set("sources", JsonNodeFactory.instance.arrayNode().addAll(t.sources().stream()
                .map(JsonNodeFactory.instance::textNode).toList()));
          }
        }
        s.put("ingestAuthentication", settings.ingestAuth().toString());
        if (reachability != null) {
          o.put("kafkaReachable", reachability.isEmpty());
          if (!reachability.isEmpty()) {
            o.withArray("problems").add(reachability);
          }
        }
        o.putArray("warnings").addAll(warnings.stream().map(JsonNodeFactory.instance::textNode).toList());
        print(out, o);
      } else {
        out.println("Settings are valid" + (config != null ? " (" + config + " and the environment)" : " (environment)"));
        out.printf("  %-26s %s%n", "Kafka", kafka);
        clientProps(settings).forEach((k, v) -> out.printf("  %-26s %s%n", "  " + k, v));
        out.printf("  %-26s %s%n", "Data directory", settings.dataDir());
        out.printf("  %-26s http://%s:%d%n", "HTTP", settings.httpHost(), settings.httpPort());
        out.printf("  %-26s %s%n", "Topic prefix", settings.topicPrefix());
        secrets.forEach((k, v) -> out.printf("  %-26s %s%n", k, v));
        for (ApiTokens.Token t : tokens) {
          out.printf("  %-26s %s%s, from %s%n", "token " + t.name(), t.roles().toString().toLowerCase(Locale.ROOT),
              t.sources().isEmpty() ? "" : " on " + t.sources(), t.source());
        }
        out.printf("  %-26s %s%n", "Ingest authentication", settings.ingestAuth().describe());
        warnings.forEach(w -> out.println("warning: " + w));
        if (reachability != null) {
          out.println(reachability.isEmpty() ? "Kafka at " + settings.kafkaBootstrapServers() + " answered."
              : "problem: " + reachability);
        }
        out.flush();
      }
      return reachability == null || reachability.isEmpty() ? Killswitch.EXIT_OK : Killswitch.EXIT_UNREACHABLE;
    }

    private static void print(PrintWriter out, ObjectNode o) {
      try {
        out.println(dev.killswitch.schemas.Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
      } catch (java.io.IOException e) {
        throw CliException.failed(e.getMessage());
      }
      out.flush();
    }
  }

  private static Map<String, String> clientProps(Settings settings) {
    Map<String, String> out = new java.util.TreeMap<>();
    settings.kafkaClientProps().forEach((k, v) -> {
      String lower = k.toLowerCase(Locale.ROOT);
      out.put(k, SECRET_WORDS.stream().anyMatch(lower::contains) ? "(set)" : String.valueOf(v));
    });
    return out;
  }

  /** Where a secret comes from; never its value. */
  private static String describeSecret(Settings settings, Secret s, List<String> warnings) {
    if (settings.secrets().containsKey(s)) {
      return "set (environment or config file)";
    }
    Path file = settings.dataDir().resolve("secrets").resolve(s.fileName());
    if (!Files.isRegularFile(file)) {
      return "not set: generated into " + file + " on first start";
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        warnings.add(file + " is readable by others (" + java.nio.file.attribute.PosixFilePermissions.toString(perms)
            + "); chmod 600 it");
      }
    } catch (UnsupportedOperationException | java.io.IOException e) {
      // not a POSIX file system: nothing to check
    }
    return "from " + file;
  }

  /** Empty when the cluster answered, else the problem. */
  private static String kafkaReachable(Settings settings, long timeoutMs) {
    Map<String, Object> props = new java.util.HashMap<>(settings.kafkaClientProps());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
      return "";
    } catch (Exception e) {
      String why = e.getCause() != null ? e.getCause().toString() : e.toString();
      return "Kafka at " + settings.kafkaBootstrapServers() + " did not answer within " + timeoutMs + " ms: " + why;
    }
  }
}
