package dev.killswitch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The typed settings of one Killswitch process, built from an optional YAML file and the environment
 * (environment wins). Every problem is collected and reported together by {@link #load}.
 *
 * <p>Keys: the environment variable names of DESIGN.md ("Settings every deployment has"). In YAML the same
 * names are written lower-case with dots, e.g. {@code killswitch.http.port: 8080} or
 * {@code kafka.bootstrap.servers: host:9092}; {@code KAFKA_*} variables (and {@code kafka.*} YAML keys) other
 * than the bootstrap servers pass through to the Kafka clients ({@code KAFKA_SASL_MECHANISM} becomes
 * {@code sasl.mechanism}).
 *
 * @param kafkaBootstrapServers external Kafka; null means: start the embedded broker
 * @param kafkaClientProps pass-through Kafka client settings (never includes bootstrap.servers)
 * @param secrets configured secrets by name; a missing one is generated into the data directory
 * @param httpAdvertisedHost {@code KILLSWITCH_HTTP_ADVERTISED_HOST}: the host name or address (IPv6 with or
 *     without brackets) other instances reach this one at (correlator query routing); null means the HTTP host,
 *     or this machine's address when the HTTP host is a wildcard ({@code 0.0.0.0}, {@code ::}), see
 *     {@link #httpAdvertisedAddress()}
 * @param httpTls HTTPS (and mutual TLS) for the HTTP server from {@code KILLSWITCH_HTTP_TLS_CERT},
 *     {@code KILLSWITCH_HTTP_TLS_KEY} and {@code KILLSWITCH_HTTP_CLIENT_CA}; null for plain HTTP
 * @param ingestAuth per-source ingest tokens, Pub/Sub push token verification, apiserver client certificates
 */
public record Settings(
    String kafkaBootstrapServers,
    Map<String, Object> kafkaClientProps,
    Path dataDir,
    String httpHost,
    int httpPort,
    int embeddedKafkaPort,
    String topicPrefix,
    Map<Secret, String> secrets,
    Map<String, Object> yaml,
    String httpAdvertisedHost,
    HttpTls httpTls,
    IngestAuth ingestAuth) {

  /** A host name, an IPv4 address or an IPv6 address (bare or in brackets). */
  private static final String HOST = "[A-Za-z0-9._-]+|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|\\[[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*]";

  /** Variables of Kafka's own shell scripts, which are not client settings. */
  private static final java.util.Set<String> KAFKA_SCRIPT_VARIABLES = java.util.Set.of(
      "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_JMX_OPTS",
      "KAFKA_GC_LOG_OPTS", "KAFKA_DEBUG", "KAFKA_HOME");

  /** The secrets every deployment has; each is generated on first start when unset. */
  public enum Secret {
    API_TOKEN("KILLSWITCH_API_TOKEN", "api-token"),
    INGEST_TOKEN("KILLSWITCH_INGEST_TOKEN", "ingest-token"),
    GITHUB_SECRET("KILLSWITCH_GITHUB_SECRET", "github-secret"),
    GITLAB_TOKEN("KILLSWITCH_GITLAB_TOKEN", "gitlab-token"),
    AUTHZ_TOKEN("KILLSWITCH_AUTHZ_TOKEN", "authz-token");

    private final String env;
    private final String fileName;

    Secret(String env, String fileName) {
      this.env = env;
      this.fileName = fileName;
    }

    public String env() {
      return env;
    }

    /** The file under {@code <data dir>/secrets/} that holds a generated value. */
    public String fileName() {
      return fileName;
    }
  }

  /** Settings problems, all of them. */
  public static final class InvalidSettingsException extends RuntimeException {
    private final List<String> problems;

    InvalidSettingsException(List<String> problems) {
      super("invalid settings:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Reads the YAML file (when given) and the environment. */
  public static Settings load(Path configFile, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Object> yaml = Map.of();
    if (configFile != null) {
      yaml = readYaml(configFile, problems);
      flatten("", yaml, values);
    }
    for (var e : env.entrySet()) {
      if (e.getKey().startsWith("KILLSWITCH_")
          || (e.getKey().startsWith("KAFKA_") && !KAFKA_SCRIPT_VARIABLES.contains(e.getKey()))) {
        values.put(e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
      }
    }

    String bootstrap = blankToNull(values.get("kafka.bootstrap.servers"));
    Map<String, Object> clientProps = new LinkedHashMap<>();
    for (var e : values.entrySet()) {
      if (e.getKey().startsWith("kafka.") && !e.getKey().equals("kafka.bootstrap.servers")) {
        clientProps.put(e.getKey().substring("kafka.".length()), e.getValue());
      }
    }
    Path dataDir = Path.of(values.getOrDefault("killswitch.data.dir", ".killswitch")).toAbsolutePath().normalize();
    String host = values.getOrDefault("killswitch.http.host", "127.0.0.1");
    int port = port(values, "killswitch.http.port", 8080, problems);
    int kafkaPort = port(values, "killswitch.embedded.kafka.port", 9092, problems);
    String advertised = blankToNull(values.get("killswitch.http.advertised.host"));
    if (advertised != null && !advertised.matches(HOST)) {
      problems.add("KILLSWITCH_HTTP_ADVERTISED_HOST must be a host name or an IPv4 or IPv6 address, got '"
          + advertised + "'");
    }
    HttpTls tls = httpTls(values, problems);
    IngestAuth ingestAuth = IngestAuth.from(values, tls, problems);
    String topicPrefix = values.getOrDefault("killswitch.topic.prefix", "killswitch");
    if (!topicPrefix.matches("[A-Za-z0-9._-]+")) {
      problems.add("KILLSWITCH_TOPIC_PREFIX must be letters, digits, '.', '_' or '-', got '" + topicPrefix + "'");
    }

    Map<Secret, String> secrets = new LinkedHashMap<>();
    for (Secret s : Secret.values()) {
      String v = blankToNull(values.get(s.env().toLowerCase(Locale.ROOT).replace('_', '.')));
      if (v != null) {
        if (v.length() < 16) {
          problems.add(s.env() + " must be at least 16 characters (got " + v.length() + ")");
        }
        secrets.put(s, v);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new Settings(bootstrap, Map.copyOf(clientProps), dataDir, host, port, kafkaPort, topicPrefix,
        Map.copyOf(secrets), yaml, advertised, tls, ingestAuth);
  }

  /** HTTPS settings: certificate and key together, a client CA only with them; every file must be readable. */
  private static HttpTls httpTls(Map<String, String> values, List<String> problems) {
    String cert = blankToNull(values.get("killswitch.http.tls.cert"));
    String key = blankToNull(values.get("killswitch.http.tls.key"));
    String clientCa = blankToNull(values.get("killswitch.http.client.ca"));
    if (cert == null && key == null) {
      if (clientCa != null || blankToNull(values.get("killswitch.http.client.auth")) != null) {
        problems.add("KILLSWITCH_HTTP_CLIENT_CA and KILLSWITCH_HTTP_CLIENT_AUTH need KILLSWITCH_HTTP_TLS_CERT and"
            + " KILLSWITCH_HTTP_TLS_KEY (mutual TLS is TLS)");
      }
      return null;
    }
    if (cert == null || key == null) {
      problems.add("KILLSWITCH_HTTP_TLS_CERT and KILLSWITCH_HTTP_TLS_KEY go together (PEM certificate chain and private key)");
      return null;
    }
    for (String[] f : new String[][] {{"KILLSWITCH_HTTP_TLS_CERT", cert}, {"KILLSWITCH_HTTP_TLS_KEY", key},
        {"KILLSWITCH_HTTP_CLIENT_CA", clientCa}}) {
      if (f[1] != null && !Files.isReadable(Path.of(f[1]))) {
        problems.add(f[0] + " " + f[1] + " is not a readable file");
      }
    }
    String clientAuth = values.getOrDefault("killswitch.http.client.auth", "required").strip().toLowerCase(Locale.ROOT);
    if (!clientAuth.equals("required") && !clientAuth.equals("optional")) {
      problems.add("KILLSWITCH_HTTP_CLIENT_AUTH must be required or optional, got '" + clientAuth + "'");
    } else if (clientAuth.equals("optional") && clientCa == null) {
      problems.add("KILLSWITCH_HTTP_CLIENT_AUTH=optional needs KILLSWITCH_HTTP_CLIENT_CA");
    }
    return new HttpTls(Path.of(cert), Path.of(key), clientCa == null ? null : Path.of(clientCa),
        clientAuth.equals("optional"));
  }

  /**
   * {@code host:port} under which other instances reach this one's HTTP server (the correlator's
   * {@code application.server}): the advertised host when set, else the HTTP host, else, for a wildcard HTTP host,
   * this machine's address (in a container or pod, its own IP). An IPv6 address is put in brackets.
   */
  public String httpAdvertisedAddress() {
    String host = httpAdvertisedHost;
    if (host == null) {
      host = isWildcard(httpHost) ? localAddress() : httpHost;
    }
    return hostPort(host, httpPort);
  }

  /** {@code host:port}, with an IPv6 address in brackets ({@code [fd00::2]:8080}) as URIs and Kafka write it. */
  static String hostPort(String host, int port) {
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean isWildcard(String host) {
    return host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static String localAddress() {
    try {
      return java.net.InetAddress.getLocalHost().getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new InvalidSettingsException(List.of("KILLSWITCH_HTTP_HOST is a wildcard and this machine's address is"
          + " unknown (" + e.getMessage() + "): set KILLSWITCH_HTTP_ADVERTISED_HOST"));
    }
  }

  /** True when no external Kafka is configured. */
  public boolean embeddedKafka() {
    return kafkaBootstrapServers == null;
  }

  private static int port(Map<String, String> values, String key, int dflt, List<String> problems) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p < 0 || p > 65535) {
        problems.add(key.toUpperCase(Locale.ROOT).replace('.', '_') + " must be a port number 0-65535, got " + v);
      }
      return p;
    } catch (NumberFormatException e) {
      problems.add(key.toUpperCase(Locale.ROOT).replace('.', '_') + " must be a port number, got '" + v + "'");
      return dflt;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readYaml(Path file, List<String> problems) {
    if (!Files.isRegularFile(file)) {
      problems.add("config file " + file + " does not exist");
      return Map.of();
    }
    try (InputStream in = Files.newInputStream(file)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (doc == null) {
        return Map.of();
      }
      if (!(doc instanceof Map)) {
        problems.add("config file " + file + " must be a YAML mapping");
        return Map.of();
      }
      return (Map<String, Object>) doc;
    } catch (IOException | RuntimeException e) {
      problems.add("config file " + file + " cannot be read: " + e.getMessage());
      return Map.of();
    }
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> map, Map<String, String> out) {
    for (var e : map.entrySet()) {
      String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m) {
        flatten(key, (Map<String, Object>) m, out);
      } else if (e.getValue() != null) {
        out.put(key.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.'), String.valueOf(e.getValue()));
      }
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @Override
  public String toString() {
    // Never print secret values.
    return "Settings[kafka=" + (embeddedKafka() ? "embedded" : kafkaBootstrapServers) + ", dataDir=" + dataDir
        + ", http" + (httpTls == null ? "" : "s") + "=" + httpHost + ":" + httpPort + ", secretsSet=" + secrets.keySet() + "]";
  }
}
