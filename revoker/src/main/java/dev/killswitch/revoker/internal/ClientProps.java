package dev.killswitch.revoker.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Kafka client settings of the revoker: the deployment's pass-through settings plus the team conventions. */
public final class ClientProps {

  private ClientProps() {}

  /** acks=all, idempotent: an acknowledged write is on every in-sync replica, once. */
  public static Map<String, Object> producer(Map<String, Object> base, String clientId) {
    Map<String, Object> p = new HashMap<>(base);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /**
   * A consumer that commits by hand, reads committed data only, and starts at the beginning when its group has
   * no offsets yet (a request must not be lost because the group is new; replays are idempotent).
   *
   * @param groupId null for a view that assigns partitions itself
   */
  public static Map<String, Object> consumer(Map<String, Object> base, String groupId, String clientId) {
    Map<String, Object> p = new HashMap<>(base);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    } else {
      p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /** Only the settings an admin client understands matter; Kafka ignores (and logs) the rest. */
  public static Map<String, Object> admin(Map<String, Object> base, String clientId) {
    Map<String, Object> p = new HashMap<>(base);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }
}
