package dev.killswitch.ingest;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import dev.killswitch.schemas.Topics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Ingest's routes on a real Javalin server on a free port, called over real HTTP. */
public final class IngestServer implements AutoCloseable {

  public static final String GITHUB_SECRET = "it-github-secret";
  public static final String GITLAB_TOKEN = "it-gitlab-token";
  public static final String INGEST_TOKEN = "it-ingest-token";
  public static final String ANALYST_TOKEN = "it-analyst-token";

  private final Producer<String, byte[]> producer;
  private final Javalin app;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private IngestServer(IngestConfig config, Topics topics, Producer<String, byte[]> producer) {
    this.producer = producer;
    Ingest ingest = new Ingest(config, topics, producer, registry, Clock.systemUTC());
    this.app = Javalin.create(cfg -> ingest.addRoutes(cfg.routes)).start("127.0.0.1", 0);
  }

  public static IngestConfig config() {
    ApiAccess access = new ApiAccess(List.of(
        new ApiAccess.Grant(INGEST_TOKEN, EnumSet.of(Role.INGEST)),
        new ApiAccess.Grant(ANALYST_TOKEN, EnumSet.of(Role.ANALYST))));
    return IngestConfig.of(GITHUB_SECRET, GITLAB_TOKEN, access);
  }

  /** A server whose producer uses {@link Ingest#producerDefaults()} against these bootstrap servers. */
  public static IngestServer start(IngestConfig config, Topics topics, String bootstrapServers,
                                   Map<String, Object> overrides) {
    Map<String, Object> props = Ingest.producerDefaults();
    props.put("bootstrap.servers", bootstrapServers);
    props.putAll(overrides);
    return new IngestServer(config, topics,
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer()));
  }

  public static IngestServer start(Topics topics, String bootstrapServers) {
    return start(config(), topics, bootstrapServers, Map.of());
  }

  public HttpResponse<String> post(String path, byte[] body, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public double counter(String source, String outcome, String reason) {
    var c = registry.find("killswitch.ingest.events").tag("source", source).tag("outcome", outcome)
        .tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Override
  public void close() {
    app.stop();
    producer.close(Duration.ofSeconds(5));
  }
}
