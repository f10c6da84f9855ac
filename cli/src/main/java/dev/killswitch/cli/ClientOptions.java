package dev.killswitch.cli;

import dev.killswitch.cli.Settings.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every client verb shares: where Killswitch is, which token to present, and the output format.
 * Defaults come from the same settings {@code killswitch run} reads, so on the machine that runs Killswitch the
 * verbs need no options at all.
 */
final class ClientOptions {

  enum Format { table, json }

  @Option(names = "--url", paramLabel = "URL",
      description = "Killswitch's HTTP server (default: http://KILLSWITCH_HTTP_HOST:KILLSWITCH_HTTP_PORT, i.e. http://127.0.0.1:8080)")
  String url;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the bearer token (default: KILLSWITCH_API_TOKEN, else <data dir>/secrets/api-token)")
  Path tokenFile;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (for people, the default) or json (for scripts)")
  Format output;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML settings file; environment variables override it")
  Path config;

  private Settings settings;

  boolean json() {
    return output == Format.json;
  }

  /** The settings of this machine (environment and --config); invalid ones exit 3. */
  Settings settings(Map<String, String> env) {
    if (settings == null) {
      settings = Settings.load(config, env);
    }
    return settings;
  }

  URI baseUrl(Map<String, String> env) {
    if (url != null && !url.isBlank()) {
      try {
        URI u = URI.create(url.strip());
        if (u.getScheme() == null || u.getHost() == null) {
          throw CliException.usage("--url must be an absolute http(s) URL, got '" + url + "'");
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--url is not a URL: " + e.getMessage());
      }
    }
    Settings s = settings(env);
    String host = s.httpHost();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) {
      host = "127.0.0.1";
    }
    return URI.create("http://" + Settings.hostPort(host, s.httpPort()));
  }

  /** The token for the API (analyst, revoker, approver roles). */
  String apiToken(Map<String, String> env) {
    if (tokenFile != null) {
      return readToken(tokenFile, "--token-file");
    }
    String token = secret(env, Secret.API_TOKEN);
    if (token == null) {
      throw CliException.unauthorized("no API token: set KILLSWITCH_API_TOKEN, pass --token-file, or run where "
          + settings(env).dataDir().resolve("secrets").resolve(Secret.API_TOKEN.fileName()) + " exists");
    }
    return token;
  }

  /**
   * A secret as {@code killswitch run} on this machine knows it: configured (environment or YAML), else the file
   * it generated into the data directory; null when neither exists. Never generates one.
   */
  String secret(Map<String, String> env, Secret secret) {
    Settings s = settings(env);
    String configured = s.secrets().get(secret);
    if (configured != null) {
      return configured;
    }
    Path file = s.dataDir().resolve("secrets").resolve(secret.fileName());
    return Files.isRegularFile(file) ? readToken(file, secret.env()) : null;
  }

  private static String readToken(Path file, String what) {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) {
        throw CliException.unauthorized(what + ": " + file + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw CliException.usage(what + ": cannot read " + file + ": " + e.getMessage());
    }
  }
}
