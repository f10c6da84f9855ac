package dev.killswitch.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topic catalogue idempotently; where creating is not permitted, checks that the topics exist.
 */
public final class TopicProvisioner {

  private TopicProvisioner() {}

  /**
   * Ensures every topic of the catalogue exists. The replication factor is min(3, brokers).
   *
   * @return the names that were created now (empty when all existed)
   * @throws IllegalStateException naming the missing topics when they cannot be created
   */
  public static List<String> ensure(Admin admin, Topics topics, int timeoutSeconds) {
    try {
      int brokers = admin.describeCluster().nodes().get(timeoutSeconds, TimeUnit.SECONDS).size();
      short replication = (short) Math.max(1, Math.min(3, brokers));
      Set<String> existing = admin.listTopics().names().get(timeoutSeconds, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec spec : topics.all()) {
        if (!existing.contains(spec.name())) {
          missing.add(new NewTopic(spec.name(), spec.partitions(), replication).configs(spec.configs()));
        }
      }
      List<String> created = new ArrayList<>();
      List<String> denied = new ArrayList<>();
      Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = admin.createTopics(missing).values();
      for (var e : results.entrySet()) {
        try {
          e.getValue().get(timeoutSeconds, TimeUnit.SECONDS);
          created.add(e.getKey());
        } catch (ExecutionException ex) {
          if (ex.getCause() instanceof TopicAuthorizationException) {
            denied.add(e.getKey());
          } else if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
        }
      }
      if (!denied.isEmpty()) {
        throw new IllegalStateException("topics missing and not permitted to create them: " + denied
            + " (create them as listed in docs/operations.md, or grant CREATE)");
      }
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka unreachable while creating topics: " + e, e);
    }
  }
}
