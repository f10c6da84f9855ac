package dev.killswitch.revoker.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.internal.ClientProps;
import dev.killswitch.revoker.plan.Actions;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Topics;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code k8s.deny-token}: revokes one bound service-account token by putting its JTI on the compacted
 * {@code killswitch.denylist} topic, which every instance's authorization webhook reads. Kubernetes itself cannot
 * revoke a single bound token before it expires; an authorizer that denies every request made with it can.
 *
 * <p>Writes {@code killswitch.denylist} (key: token reference; value: {@link DenylistEntry} JSON). Needs Kafka
 * WRITE on that topic, nothing in the cluster. Writing the same entry twice is harmless (compacted, same key).
 */
public final class DenyTokenProvider implements RevocationProvider, AutoCloseable {

  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

  private final Producer<String, byte[]> producer;
  private final boolean ownsProducer;
  private final Topics topics;
  private final Clock clock;

  /** A provider writing with the caller's producer (acks=all, idempotent), which the caller closes. */
  public DenyTokenProvider(Producer<String, byte[]> producer, Topics topics, Clock clock) {
    this(producer, false, topics, clock);
  }

  private DenyTokenProvider(Producer<String, byte[]> producer, boolean owns, Topics topics, Clock clock) {
    this.producer = producer;
    this.ownsProducer = owns;
    this.topics = topics;
    this.clock = clock;
  }

  /** A provider with its own producer, closed with the provider (the registry closes it). */
  public static DenyTokenProvider create(Map<String, Object> kafkaProps, Topics topics, Clock clock) {
    Producer<String, byte[]> producer = new KafkaProducer<>(
        ClientProps.producer(kafkaProps, "killswitch-revoker-denylist"), new StringSerializer(),
        new ByteArraySerializer());
    return new DenyTokenProvider(producer, true, topics, clock);
  }

  @Override
  public String actionId() {
    return Actions.K8S_DENY_TOKEN;
  }

  @Override
  public Outcome execute(RevocationAction action) {
    IdentityRef token;
    try {
      token = IdentityRef.parse(action.target());
    } catch (InvalidIdentityRefException e) {
      return new Outcome.PermanentFailure(e.getMessage());
    }
    if (token.kind() != IdentityRef.Kind.K8S_TOKEN) {
      return new Outcome.PermanentFailure(actionId() + " works on k8s:<cluster>:token/<jti>, not " + action.target());
    }
    DenylistEntry entry = new DenylistEntry(token.leaf(), token.scope(), action.actionId(), action.requestId(),
        clock.instant(), action.expiresAt());
    try {
      byte[] value = Json.mapper().writeValueAsBytes(entry);
      producer.send(new ProducerRecord<>(topics.denylist(), token.toString(), value))
          .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (JsonProcessingException e) {
      return new Outcome.PermanentFailure("cannot write the denylist entry: " + e.getOriginalMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.RetriableFailure("interrupted before the denylist write was acknowledged");
    } catch (TimeoutException e) {
      return new Outcome.RetriableFailure("denylist write not acknowledged within " + ACK_TIMEOUT);
    } catch (ExecutionException e) {
      return classify(e.getCause());
    }
    return new Outcome.Revoked("JTI " + token.leaf() + " denied by the authorization webhook of cluster "
        + token.scope() + (entry.expiresAt() == null ? "" : " until " + entry.expiresAt()));
  }

  /** Removes the token from the denylist (a tombstone): the webhook no longer denies it. */
  @Override
  public Outcome lift(RevocationAction action, RevocationResult revoked) {
    IdentityRef token;
    try {
      token = IdentityRef.parse(action.target());
    } catch (InvalidIdentityRefException e) {
      return new Outcome.PermanentFailure(e.getMessage());
    }
    try {
      producer.send(new ProducerRecord<>(topics.denylist(), token.toString(), null))
          .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.RetriableFailure("interrupted before the denylist tombstone was acknowledged");
    } catch (TimeoutException e) {
      return new Outcome.RetriableFailure("denylist tombstone not acknowledged within " + ACK_TIMEOUT);
    } catch (ExecutionException e) {
      return classify(e.getCause());
    }
    return new Outcome.Revoked("JTI " + token.leaf() + " removed from the denylist of cluster " + token.scope());
  }

  /** The one place this provider's errors are classified. */
  private static Outcome classify(Throwable cause) {
    if (cause instanceof RetriableException) {
      return new Outcome.RetriableFailure("denylist write failed: " + cause);
    }
    return new Outcome.PermanentFailure("denylist write failed: " + cause);
  }

  @Override
  public void close() {
    if (ownsProducer) {
      producer.close(Duration.ofSeconds(10));
    }
  }
}
