package dev.killswitch.revoker;

import static dev.killswitch.revoker.Harness.MAX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.killswitch.revoker.kubernetes.KubernetesClusters;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.testkit.KafkaClusterExtension;
import dev.killswitch.testkit.KafkaTestCluster;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A chain's binding through the whole revoker into a (mock) cluster: planned from the chain edge that links the
 * run's user to the binding, removed by the fabric8 provider, and restored when the temporary lock ends.
 */
@ExtendWith(KafkaClusterExtension.class)
@EnableKubernetesMockClient(crud = true)
class KubernetesRevocationIT {

  KubernetesClient client;

  @Test
  void aRunsBindingSubjectIsRemovedFromTheClusterAndRestoredWhenTheLockEnds(KafkaTestCluster kafka) throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    String user = "ci:acme/app";
    client.rbac().roleBindings().inNamespace("ci").resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
        .withNewMetadata().withName("deploy").withNamespace("ci").endMetadata()
        .withSubjects(new Subject("rbac.authorization.k8s.io", "User", user, null),
            new Subject(null, "ServiceAccount", "argo", "ci"))
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "edit")
        .build()).create();
    KubernetesClusters clusters = KubernetesClusters.of(Map.of("prod", client));
    ProviderRegistry providers = new ProviderRegistry();
    clusters.providers().forEach(providers::register);

    try (Harness h = new Harness(kafka, clock, c -> c)) {
      h.start(providers);
      String run = Harness.run("k8s-" + UUID.randomUUID());
      String userRef = IdentityRef.k8sUser("prod", user).toString();
      String binding = IdentityRef.k8sBinding("prod", "ci", "deploy").toString();
      Instant t = clock.instant();
      h.publishChain(run, List.of(
          new ChainSnapshot.Edge(run, userRef, "authenticated-as", 1.0, List.of("ev-1"), t, t, 1),
          new ChainSnapshot.Edge(userRef, binding, "minted", 1.0, List.of("ev-2"), t, t, 1),
          new ChainSnapshot.Edge(binding, userRef, "credential-of", 1.0, List.of("ev-2"), t, t, 1)));
      Instant expiresAt = t.plus(Duration.ofHours(1));

      String requestId = h.request(new RevocationRequested("req-" + UUID.randomUUID(), run, Cascade.DOWNSTREAM,
          "hold the pipeline's access during review", "user:soc", Mode.ENFORCE, t, expiresAt, false));

      await().atMost(MAX).untilAsserted(() -> {
        RevocationResult r = h.result(requestId, binding);
        assertThat(r.outcome()).isEqualTo(RevocationResult.Outcome.REVOKED);
        assertThat(r.detail()).startsWith("removed User " + user + " from RoleBinding ci/deploy; restore: ");
      });
      assertThat(subjects()).containsExactly("argo");

      clock.advance(Duration.ofHours(1));

      await().atMost(MAX).untilAsserted(() ->
          assertThat(h.result(requestId, binding).outcome()).isEqualTo(RevocationResult.Outcome.LIFTED));
      assertThat(subjects()).containsExactlyInAnyOrder("argo", user);
    }
  }

  List<String> subjects() {
    RoleBinding b = client.rbac().roleBindings().inNamespace("ci").withName("deploy").get();
    return b.getSubjects().stream().map(Subject::getName).toList();
  }
}
