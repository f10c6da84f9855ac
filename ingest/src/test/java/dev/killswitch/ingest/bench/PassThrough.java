package dev.killswitch.ingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.internal.Bodies;
import dev.killswitch.ingest.internal.JsonSpans;
import dev.killswitch.ingest.internal.K8sAuditNormalizer;
import dev.killswitch.ingest.internal.Normalized;
import dev.killswitch.ingest.internal.Publisher;
import dev.killswitch.ingest.internal.Redactor;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.Json;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The bench's second baseline: what any audit-webhook-to-Kafka bridge has to do, on ingest's own HTTP stack and
 * with its own pieces, and nothing more. Reads the body as ingest does ({@link Bodies#read}), splits the EventList
 * into its items with ingest's streaming parse ({@link JsonSpans}), sends each item's bytes unchanged as one
 * record keyed by its actor (the identity reference ingest uses as partition key) and answers 200 once Kafka
 * acknowledged them all ({@link Publisher#publishAll}, as ingest waits). No authentication, normalization,
 * redaction, CloudEvent encoding, dedupe or metrics.
 */
final class PassThrough implements Handler {

  static final String PATH = "/bench/pass-through/{cluster}";
  private static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
  private static final String SA_PREFIX = "system:serviceaccount:";

  private final Publisher publisher;
  private final String topic;

  PassThrough(Producer<String, byte[]> producer, String topic) {
    this.publisher = new Publisher(producer, topic + ".dlq", Duration.ofSeconds(30), Clock.systemUTC());
    this.topic = topic;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    String cluster = ctx.pathParam("cluster");
    JsonSpans parsed = JsonSpans.parse(Bodies.read(ctx, 8L << 20));
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (JsonNode item : parsed.root().path("items")) {
      JsonSpans.Span span = parsed.source(item);
      byte[] value = span == null ? Json.mapper().writeValueAsBytes(item)
          : Arrays.copyOfRange(span.bytes(), span.offset(), span.offset() + span.length());
      records.add(new ProducerRecord<>(topic, actorKey(cluster, item), value));
    }
    publisher.publishAll(records);
    ctx.status(200).contentType("application/json").result("{\"accepted\":" + records.size() + "}");
  }

  /**
   * The actor as ingest names it ({@code K8sAuditNormalizer}): the token when the event carries its credential
   * id, else the service account, else the user.
   */
  static String actorKey(String cluster, JsonNode event) {
    JsonNode user = event.path("user");
    String jti = user.path("extra").path(CREDENTIAL_ID).path(0).asText(null);
    if (jti != null && jti.startsWith("JTI=")) {
      return IdentityRef.k8sToken(cluster, jti.substring(4)).toString();
    }
    String username = user.path("username").asText();
    String[] sa = username.startsWith(SA_PREFIX) ? username.substring(SA_PREFIX.length()).split(":", -1) : null;
    return sa != null && sa.length == 2 ? IdentityRef.k8sServiceAccount(cluster, sa[0], sa[1]).toString()
        : IdentityRef.k8sUser(cluster, username).toString();
  }

  /** Refuses to run when {@link #actorKey} does not give ingest's partition key for every kind of bench event. */
  static void checkKeys(IngestBench.Events events) throws Exception {
    K8sAuditNormalizer normalizer = new K8sAuditNormalizer("killswitch.dev/ci-run", new Redactor());
    for (int i = 0; i < 6; i++) {
      JsonNode event = Json.mapper().readTree(events.next());
      String ingestKey = ((Normalized.Publish) normalizer.normalize("bench", event.deepCopy())).event().partitionKey();
      String ours = actorKey("bench", event);
      if (!ours.equals(ingestKey)) {
        throw new IllegalStateException("pass-through key " + ours + " is not ingest's " + ingestKey);
      }
    }
  }
}
