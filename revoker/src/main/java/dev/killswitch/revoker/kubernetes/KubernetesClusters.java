package dev.killswitch.revoker.kubernetes;

import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.revoker.RevokerException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fabric8 client per Kubernetes cluster that Killswitch revokes in, by cluster name: the {@code <cluster>} of
 * {@code k8s:<cluster>:...} references, mapped to a kubeconfig context in {@link RevokerConfig#kubernetesContexts()}.
 * Closing this closes every client.
 */
public final class KubernetesClusters implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesClusters.class);

  private final Map<String, KubernetesClient> byCluster;

  private KubernetesClusters(Map<String, KubernetesClient> byCluster) {
    this.byCluster = Map.copyOf(byCluster);
  }

  /** Clients made elsewhere (tests, or a caller with its own configuration). */
  public static KubernetesClusters of(Map<String, KubernetesClient> byCluster) {
    return new KubernetesClusters(byCluster);
  }

  /**
   * A client per configured cluster, from the configured kubeconfig file (or {@code KUBECONFIG}, or
   * {@code ~/.kube/config}), each with its own context. Every problem (a missing file, an unknown context) is
   * reported together.
   */
  public static KubernetesClusters fromConfig(RevokerConfig config) {
    return fromKubeconfig(config.kubernetesContexts(), config.kubeconfig());
  }

  /** See {@link #fromConfig}. */
  public static KubernetesClusters fromKubeconfig(Map<String, String> contextsByCluster, Path kubeconfig) {
    List<String> problems = new ArrayList<>();
    if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
      problems.add("kubeconfig " + kubeconfig + " is not a readable file");
    }
    Map<String, KubernetesClient> clients = new TreeMap<>();
    if (problems.isEmpty()) {
      for (Map.Entry<String, String> e : new TreeMap<>(contextsByCluster).entrySet()) {
        try {
          Config config = kubeconfig == null
              ? Config.autoConfigure(e.getValue())
              : Config.fromKubeconfig(e.getValue(), kubeconfig.toFile());
          if (config.getCurrentContext() == null || !e.getValue().equals(config.getCurrentContext().getName())) {
            problems.add("cluster " + e.getKey() + ": no context '" + e.getValue() + "' in the kubeconfig");
            continue;
          }
          clients.put(e.getKey(), new KubernetesClientBuilder().withConfig(config).build());
          LOG.info("Kubernetes cluster {}: context {} at {}", e.getKey(), e.getValue(), config.getMasterUrl());
        } catch (RuntimeException ex) {
          problems.add("cluster " + e.getKey() + " (context " + e.getValue() + "): " + ex.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      clients.values().forEach(KubernetesClient::close);
      throw RevokerException.invalidConfig(problems);
    }
    return new KubernetesClusters(clients);
  }

  /**
   * The fabric8 providers, one per {@code k8s.*} action that acts in a cluster, sharing these clients (register
   * each in the {@code ProviderRegistry}; {@code k8s.deny-token} is {@link DenyTokenProvider}, which needs Kafka
   * only). The caller closes this object after the registry.
   */
  public List<RevocationProvider> providers() {
    return List.of(new DeleteSecretTokenProvider(this), new DeleteBoundObjectProvider(this),
        new RemoveBindingSubjectProvider(this), new RotateServiceAccountProvider(this));
  }

  /** The client of the cluster, if one is configured. */
  public Optional<KubernetesClient> client(String cluster) {
    return Optional.ofNullable(byCluster.get(cluster));
  }

  public Set<String> names() {
    return byCluster.keySet();
  }

  @Override
  public void close() {
    byCluster.values().forEach(KubernetesClient::close);
  }
}
