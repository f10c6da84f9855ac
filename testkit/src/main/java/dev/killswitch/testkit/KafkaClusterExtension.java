package dev.killswitch.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension giving tests a real Kafka cluster: {@code @ExtendWith(KafkaClusterExtension.class)}, then
 * declare a {@link KafkaTestCluster} parameter on a test, lifecycle method or constructor.
 *
 * <p>One cluster per test JVM, started lazily by the first test class that asks and shared by all the
 * others (tests keep apart through {@link KafkaTestCluster#newTopics()}). By default it is an in-process
 * single-node KRaft cluster; with {@code KILLSWITCH_TEST_KAFKA=testcontainers} it is an
 * {@code apache/kafka} container instead (Docker required). It stops when JUnit closes its root
 * context, or at JVM exit.
 */
public final class KafkaClusterExtension implements BeforeAllCallback, ParameterResolver {

  private static final Logger log = LoggerFactory.getLogger(KafkaClusterExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaClusterExtension.class);

  private static Running running;

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaTestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context);
  }

  private static KafkaTestCluster cluster(ExtensionContext context) {
    Running r = sharedCluster();
    // Closing the root store (end of the test run) stops the cluster; the shutdown hook is the fallback.
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> r, Running.class);
    return r.cluster;
  }

  private static synchronized Running sharedCluster() {
    if (running == null || running.closed) {
      running = Running.start();
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "killswitch-test-kafka-shutdown"));
    }
    return running;
  }

  /** A started backend with the cluster facade over it. */
  private static final class Running implements AutoCloseable {
    private final KafkaBackend backend;
    private final KafkaTestCluster cluster;
    private volatile boolean closed;

    private Running(KafkaBackend backend) {
      this.backend = backend;
      this.cluster = new KafkaTestCluster(backend.bootstrapServers());
    }

    static Running start() {
      long t0 = System.nanoTime();
      KafkaBackend backend = KafkaBackend.start(System.getenv("KILLSWITCH_TEST_KAFKA"));
      log.info("test Kafka ({}) up at {} in {} ms", backend.kind(), backend.bootstrapServers(),
          (System.nanoTime() - t0) / 1_000_000);
      return new Running(backend);
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      cluster.close();
      backend.close();
    }
  }
}
