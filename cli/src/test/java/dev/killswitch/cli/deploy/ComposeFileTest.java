package dev.killswitch.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.killswitch.schemas.TopicSpec;
import dev.killswitch.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * compose/docker-compose.yml checked without Docker: its structure (brokers, quorum, roles, health checks,
 * dependencies, settings), the topic script against the catalogue, the gateway against the services; and
 * {@code docker compose config -q} where a Docker Compose exists.
 */
class ComposeFileTest {

  static final Path COMPOSE_DIR = Path.of("..", "compose");
  static final Path COMPOSE = COMPOSE_DIR.resolve("docker-compose.yml");
  static final List<String> ROLES = List.of("ingest", "correlator", "revoker");
  static final List<String> SECRETS = List.of("KILLSWITCH_API_TOKEN", "KILLSWITCH_INGEST_TOKEN",
      "KILLSWITCH_GITHUB_SECRET", "KILLSWITCH_GITLAB_TOKEN", "KILLSWITCH_AUTHZ_TOKEN");

  private final Map<String, Object> compose = load(COMPOSE);
  private final Map<String, Object> services = map(compose.get("services"));

  @Test
  void threeCombinedKraftBrokersOfThePinnedImageWithDistinctNodeIdsAndOneQuorum() {
    Map<String, Map<String, Object>> brokers = new TreeMap<>();
    services.forEach((name, s) -> {
      if (String.valueOf(map(s).get("image")).startsWith("apache/kafka") && env(name).containsKey("KAFKA_NODE_ID")) {
        brokers.put(name, map(s));
      }
    });
    assertThat(brokers).hasSize(3);
    assertThat(brokers.values()).allSatisfy(b -> assertThat(b.get("image")).isEqualTo("apache/kafka:4.3.1"));

    Set<String> nodeIds = new HashSet<>();
    Set<String> voters = new HashSet<>();
    Set<String> clusterIds = new HashSet<>();
    Map<String, String> expectedVoters = new TreeMap<>();
    for (String name : brokers.keySet()) {
      Map<String, String> env = env(name);
      nodeIds.add(env.get("KAFKA_NODE_ID"));
      voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
      clusterIds.add(env.get("CLUSTER_ID"));
      assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
      assertThat(env.get("KAFKA_LISTENERS")).contains("CONTROLLER://:9093").contains("INTERNAL://:19092");
      assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("INTERNAL://" + name + ":19092");
      assertThat(env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")).isEqualTo("false");
      assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).isEqualTo("2");
      assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")).isEqualTo("3");
      assertThat(map(brokers.get(name).get("healthcheck"))).containsKey("test");
      expectedVoters.put(env.get("KAFKA_NODE_ID"), env.get("KAFKA_NODE_ID") + "@" + name + ":9093");
    }
    assertThat(nodeIds).hasSize(3);
    assertThat(clusterIds).hasSize(1).doesNotContainNull();
    assertThat(voters).hasSize(1);
    // every voter is one of the brokers, with its own node id, on the controller port
    assertThat(Set.of(voters.iterator().next().split(","))).isEqualTo(new HashSet<>(expectedVoters.values()));
  }

  @Test
  void twoInstancesOfEveryRoleOnTheBrokersWithTheSameSecretsAndTheirOwnDataVolume() {
    Set<String> brokerAddresses = services.keySet().stream().filter(n -> env(n).containsKey("KAFKA_NODE_ID"))
        .map(n -> n + ":19092").collect(Collectors.toSet());
    Set<String> volumes = new HashSet<>();
    for (String role : ROLES) {
      List<String> instances = killswitchServices().entrySet().stream()
          .filter(e -> e.getValue().equals(role)).map(Map.Entry::getKey).toList();
      assertThat(instances).as(role).hasSize(2);
      for (String name : instances) {
        Map<String, String> env = env(name);
        assertThat(Set.of(env.get("KAFKA_BOOTSTRAP_SERVERS").split(","))).as(name).isEqualTo(brokerAddresses);
        assertThat(env).as(name).containsEntry("KILLSWITCH_HTTP_HOST", "0.0.0.0")
            .containsEntry("KILLSWITCH_HTTP_PORT", "8080")
            .containsEntry("KILLSWITCH_DATA_DIR", "/var/lib/killswitch")
            .containsEntry("KILLSWITCH_HTTP_ADVERTISED_HOST", name);
        for (String secret : SECRETS) {
          assertThat(env.get(secret)).as(name + " " + secret).startsWith("${" + secret + ":?");
        }
        Map<String, Object> s = map(services.get(name));
        assertThat(s.get("read_only")).as(name).isEqualTo(true);
        assertThat(s.get("cap_drop")).as(name).isEqualTo(List.of("ALL"));
        assertThat(String.valueOf(s.get("tmpfs"))).as(name).contains("/tmp:exec");
        List<?> mounts = (List<?>) s.get("volumes");
        assertThat(mounts).as(name).hasSize(1);
        String volume = String.valueOf(mounts.get(0));
        assertThat(volume).as(name).endsWith(":/var/lib/killswitch");
        volumes.add(volume.substring(0, volume.indexOf(':')));
      }
    }
    assertThat(volumes).as("one data volume per instance").hasSize(6);
    assertThat(map(compose.get("volumes")).keySet()).containsAll(volumes);
  }

  @Test
  void everyKillswitchInstanceIsHealthyOnlyWhenReadyzAnswers200AndStartsAfterTheTopicsExist() {
    for (String name : killswitchServices().keySet()) {
      Map<String, Object> s = map(services.get(name));
      String test = String.join(" ", strings(map(s.get("healthcheck")).get("test")));
      assertThat(test).as(name).contains("GET /readyz").contains("127.0.0.1/8080").contains(" 200 ");
      assertThat(map(map(s.get("depends_on")).get("kafka-setup")).get("condition"))
          .isEqualTo("service_completed_successfully");
    }
    Map<String, Object> setup = map(services.get("kafka-setup"));
    assertThat(setup.get("restart")).isEqualTo("no");
    Map<String, Object> setupDeps = map(setup.get("depends_on"));
    assertThat(setupDeps.keySet()).containsExactlyInAnyOrder("kafka-1", "kafka-2", "kafka-3");
    setupDeps.values().forEach(d -> assertThat(map(d).get("condition")).isEqualTo("service_healthy"));
  }

  @Test
  void everyDependencyNamesAServiceAndPublishedPortsAreDistinctAndOnLoopback() {
    Set<String> hostPorts = new HashSet<>();
    services.forEach((name, s) -> {
      Object deps = map(s).get("depends_on");
      if (deps != null) {
        assertThat(services.keySet()).as(name + " depends_on").containsAll(map(deps).keySet());
      }
      for (String port : strings(map(s).get("ports"))) {
        assertThat(port).as(name).startsWith("127.0.0.1:");
        assertThat(hostPorts.add(port.split(":")[1])).as("host port of " + port + " taken twice").isTrue();
      }
    });
  }

  @Test
  void theTopicScriptCreatesExactlyTheCatalogueWithItsPartitionsAndPolicies() throws IOException {
    String script = Files.readString(COMPOSE_DIR.resolve("create-topics.sh"), StandardCharsets.UTF_8);
    Map<String, String> vars = new LinkedHashMap<>();
    Matcher v = Pattern.compile("(?m)^([A-Z]+)=(\\d+)$").matcher(script);
    while (v.find()) {
      vars.put(v.group(1), v.group(2));
    }
    Map<String, String> scripted = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^\\s+\"([a-z0-9.]+)\\s+(\\d+)\\s+(\\S+)\"$").matcher(script);
    while (m.find()) {
      String configs = m.group(3);
      for (var e : vars.entrySet()) {
        configs = configs.replace("$" + e.getKey(), e.getValue());
      }
      scripted.put("killswitch." + m.group(1), m.group(2) + " " + sorted(configs));
    }
    Map<String, String> catalogue = new TreeMap<>();
    for (TopicSpec spec : Topics.defaults().all()) {
      String configs = spec.configs().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(","));
      catalogue.put(spec.name(), spec.partitions() + " " + sorted(configs));
    }
    assertThat(scripted).isEqualTo(catalogue);
  }

  @Test
  void theGatewaySendsEachApiPathToTheRoleThatServesItAndThePageToACorrelator() throws IOException {
    String conf = Files.readString(COMPOSE_DIR.resolve("gateway.conf"), StandardCharsets.UTF_8);
    Map<String, String> upstreams = new TreeMap<>();
    Matcher u = Pattern.compile("upstream (\\w+)\\s*\\{([^}]*)}").matcher(conf);
    while (u.find()) {
      List<String> servers = Pattern.compile("server ([\\w-]+):8080").matcher(u.group(2)).results()
          .map(r -> r.group(1)).toList();
      assertThat(servers).as(u.group(1)).hasSize(2);
      servers.forEach(s -> assertThat(killswitchServices().get(s)).as(s).isEqualTo(u.group(1)));
      upstreams.put(u.group(1), String.join(",", servers));
    }
    assertThat(upstreams.keySet()).containsExactlyInAnyOrderElementsOf(ROLES);
    Map<String, String> routes = new TreeMap<>();
    Pattern.compile("location =?\\s*(\\S+)\\s*\\{ proxy_pass http://(\\w+); }").matcher(conf).results()
        .forEach(r -> routes.put(r.group(1), r.group(2)));
    assertThat(routes).containsEntry("/v1/ingest/", "ingest").containsEntry("/v1/chains", "correlator")
        .containsEntry("/v1/identities/", "correlator").containsEntry("/v1/revocations", "revoker")
        .containsEntry("/v1/k8s/authorize/", "revoker").containsEntry("/", "correlator");
    assertThat(map(map(services.get("gateway")).get("depends_on")).keySet())
        .containsExactlyInAnyOrderElementsOf(killswitchServices().keySet());
  }

  @Test
  void dockerComposeConfigAcceptsTheFileWhereDockerComposeExists() throws Exception {
    assumeTrue(Commands.works("docker", "compose", "version"), "docker compose is not installed here; the structural checks above ran");
    Process p = new ProcessBuilder("docker", "compose", "--env-file", ".env.example", "-f", "docker-compose.yml",
        "config", "-q").directory(COMPOSE_DIR.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
  }

  /** Service name -> role, for the services running the Killswitch image. */
  private Map<String, String> killswitchServices() {
    Map<String, String> out = new TreeMap<>();
    services.forEach((name, s) -> {
      if (String.valueOf(map(s).get("image")).contains("KILLSWITCH_IMAGE")) {
        List<String> command = strings(map(s).get("command"));
        assertThat(command).as(name + " command").hasSize(1);
        out.put(name, command.get(0));
      }
    });
    return out;
  }

  private Map<String, String> env(String service) {
    Map<String, String> out = new TreeMap<>();
    Object env = map(services.get(service)).get("environment");
    if (env != null) {
      map(env).forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    return out;
  }

  private static String sorted(String csv) {
    return Arrays.stream(csv.split(",")).sorted().collect(Collectors.joining(","));
  }

  static Map<String, Object> load(Path file) {
    try {
      return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  static List<String> strings(Object o) {
    if (o == null) {
      return List.of();
    }
    assertThat(o).isInstanceOf(List.class);
    return ((List<?>) o).stream().map(String::valueOf).toList();
  }
}
