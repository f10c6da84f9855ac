package dev.killswitch.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.cli.Application;
import dev.killswitch.cli.Role;
import dev.killswitch.cli.Settings;
import dev.killswitch.testkit.SingleKafkaNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka transport security passes through: a broker whose only client listener is SASL_SSL with SCRAM-SHA-512
 * (its certificate made by keytool), and Killswitch with every role in one process, configured only through
 * KAFKA_* variables. Killswitch becomes ready (topics, Streams, revoker views, all over SASL_SSL), ingest gets
 * an event acknowledged, and every Kafka client the roles created (producers, consumers, admin clients, the
 * Kafka Streams clients) received the security settings, as a metrics reporter named the same way records.
 */
class KafkaSaslSslPassThroughIT {

  private static final String PASSWORD = "changeit";
  private static final String SCRAM_USER = "killswitch-app";
  private static final String SCRAM_PASSWORD = "scram-password-0123456789";

  @TempDir Path dir;

  @Test
  void everyClientOfEveryRoleConnectsOverSaslSslWithScramFromKafkaVariablesAlone() throws Exception {
    Path keystore = dir.resolve("broker.p12");
    keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    Path truststore = truststoreWithBrokerCertificate(keystore);

    int internal = freePort();
    int external = freePort();
    int controller = freePort();
    Path logDir = dir.resolve("kafka");
    Properties p = SingleKafkaNode.serverProperties(logDir, internal, controller);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external
        + ",CONTROLLER://127.0.0.1:" + controller);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_SSL");
    p.put("listener.name.external.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put("listener.name.external.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("listener.name.external.ssl.keystore.location", keystore.toString());
    p.put("listener.name.external.ssl.keystore.password", PASSWORD);
    p.put("listener.name.external.ssl.key.password", PASSWORD);
    p.put("listener.name.external.ssl.keystore.type", "PKCS12");
    KafkaConfig config = KafkaConfig.fromProps(p, false);
    SingleKafkaNode.format(config, logDir, Uuid.randomUuid().toString());
    KafkaRaftServer broker = new KafkaRaftServer(config, Time.SYSTEM);
    broker.startup();
    try {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + internal))) {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), SCRAM_PASSWORD))).all().get(30, TimeUnit.SECONDS);
      }
      ClientConfigRecorder.CONFIGS.clear();
      Map<String, String> env = new HashMap<>();
      env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + external);
      env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
      env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
      env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + SCRAM_USER + "\" password=\"" + SCRAM_PASSWORD + "\";");
      env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString());
      env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", PASSWORD);
      env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
      env.put("KAFKA_METRIC_REPORTERS", ClientConfigRecorder.class.getName());
      env.put("KILLSWITCH_DATA_DIR", dir.resolve("data").toString());
      env.put("KILLSWITCH_HTTP_PORT", Integer.toString(freePort()));
      env.put("KILLSWITCH_INGEST_TOKEN", "sasl-ssl-ingest-token-0123456789");
      Settings settings = Settings.load(null, env);

      try (Application app = Application.start(settings, EnumSet.allOf(Role.class),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.httpPort() + "/readyz")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> ingested = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/ingest/k8s-audit/prod"))
            .header("Authorization", "Bearer sasl-ssl-ingest-token-0123456789")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofFile(Path.of("..", "examples", "k8s", "tokenrequest.json"))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
      }

      List<Map<String, String>> clients = List.copyOf(ClientConfigRecorder.CONFIGS);
      String seen = clients.stream().map(c -> c.getOrDefault("client.id", "?")).sorted().collect(Collectors.joining(", "));
      assertThat(clients).as(seen).allSatisfy(c -> {
        assertThat(c).as(c.get("client.id")).containsEntry("security.protocol", "SASL_SSL")
            .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
            .containsEntry("ssl.truststore.location", truststore.toString())
            .containsKey("sasl.jaas.config");
        assertThat(c.get("bootstrap.servers")).contains("127.0.0.1:" + external);
      });
      List<Map<String, String>> producers = clients.stream().filter(c -> c.containsKey("key.serializer")).toList();
      List<Map<String, String>> consumers = clients.stream().filter(c -> c.containsKey("key.deserializer")).toList();
      List<Map<String, String>> others = clients.stream()
          .filter(c -> !c.containsKey("key.serializer") && !c.containsKey("key.deserializer")).toList();
      assertThat(producers).as("producers: " + seen).hasSizeGreaterThanOrEqualTo(3);  // ingest, revoker, deny-token (+ Streams)
      assertThat(consumers).as("consumers: " + seen).hasSizeGreaterThanOrEqualTo(5);  // revoker groups and views, Streams
      assertThat(others).as("admin clients: " + seen).isNotEmpty();
      assertThat(seen).contains("StreamThread").contains("killswitch-revoker");
    } finally {
      broker.shutdown();
      broker.awaitShutdown();
    }
  }

  private Path truststoreWithBrokerCertificate(Path keystore) throws Exception {
    KeyStore source = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      source.load(in, PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("broker", source.getCertificate("broker"));
    Path out = dir.resolve("truststore.p12");
    try (OutputStream o = Files.newOutputStream(out)) {
      trust.store(o, PASSWORD.toCharArray());
    }
    return out;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
