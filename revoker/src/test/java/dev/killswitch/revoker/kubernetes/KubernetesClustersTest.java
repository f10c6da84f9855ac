package dev.killswitch.revoker.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.RevokerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesClustersTest {

  static final String KUBECONFIG = """
      apiVersion: v1
      kind: Config
      clusters:
        - name: prod-eks
          cluster: {server: "https://prod.k8s.example.internal:6443"}
        - name: staging-gke
          cluster: {server: "https://staging.k8s.example.internal"}
      users:
        - name: killswitch
          user: {token: "invented-not-a-token"}
      contexts:
        - name: prod-admin
          context: {cluster: prod-eks, user: killswitch}
        - name: staging-admin
          context: {cluster: staging-gke, user: killswitch}
      current-context: staging-admin
      """;

  @Test
  void eachClusterNameGetsAClientOnItsOwnContextOfTheKubeconfig(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);

    try (KubernetesClusters clusters = KubernetesClusters.fromKubeconfig(
        Map.of("prod", "prod-admin", "staging", "staging-admin"), file)) {
      assertThat(clusters.names()).containsExactlyInAnyOrder("prod", "staging");
      assertThat(clusters.client("prod").orElseThrow().getMasterUrl().toString())
          .startsWith("https://prod.k8s.example.internal:6443");
      assertThat(clusters.client("staging").orElseThrow().getMasterUrl().toString())
          .startsWith("https://staging.k8s.example.internal");
      assertThat(clusters.client("dev")).isEmpty();
      assertThat(clusters.providers()).extracting(p -> p.actionId()).containsExactly("k8s.delete-secret-token",
          "k8s.delete-bound-object", "k8s.remove-binding-subject", "k8s.rotate-service-account");
    }
  }

  @Test
  void reportsAnUnknownContextAndAMissingFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);

    assertThatThrownBy(() -> KubernetesClusters.fromKubeconfig(Map.of("prod", "no-such-context"), file))
        .isInstanceOf(RevokerException.class)
        .hasMessageContaining("cluster prod: no context 'no-such-context' in the kubeconfig");
    assertThatThrownBy(() -> KubernetesClusters.fromKubeconfig(Map.of("prod", "prod-admin"), dir.resolve("missing")))
        .isInstanceOf(RevokerException.class)
        .hasMessageContaining("is not a readable file");
  }
}
