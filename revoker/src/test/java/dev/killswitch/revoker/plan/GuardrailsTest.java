package dev.killswitch.revoker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuardrailsTest {

  @Test
  void globStarMatchesAnyRunOfCharactersAndNothingElseIsSpecial() {
    assertThat(Guardrails.matches("k8s:*:sa/kube-system/*", "k8s:prod:sa/kube-system/coredns")).isTrue();
    assertThat(Guardrails.matches("k8s:*:sa/kube-system/*", "k8s:prod:sa/default/coredns")).isFalse();
    assertThat(Guardrails.matches("k8s:prod:user/a.b", "k8s:prod:user/axb")).isFalse();
    assertThat(Guardrails.matches("a*b*c", "abc")).isTrue();
    assertThat(Guardrails.matches("a*b*c", "ac")).isFalse();
    assertThat(Guardrails.matches("a*a", "a")).isFalse();
    assertThat(Guardrails.matches("*", "")).isTrue();
  }

  @Test
  void protectsKubeSystemControllersNodesAndTheSystemMastersBindingsByDefault() {
    Guardrails g = Guardrails.defaults();

    assertThat(g.protectingPattern("k8s:prod:sa/kube-system/replicaset-controller")).isPresent();
    assertThat(g.protectingPattern("k8s:prod:user/system:kube-controller-manager")).isPresent();
    assertThat(g.protectingPattern("k8s:prod:user/system:node:ip-10-0-0-1")).isPresent();
    assertThat(g.protectingPattern("k8s:prod:binding/_cluster/cluster-admin")).isPresent();
    assertThat(g.protectingPattern("k8s:prod:sa/ci/deployer")).isEmpty();
    assertThat(g.protectingPattern("k8s:prod:token/7c2b9e1f")).isEmpty();
  }

  @Test
  void addsConfiguredIdentitiesToTheDefaults() {
    Guardrails g = Guardrails.withDefaults(java.util.List.of("aws:123456789012:role/break-glass"), 10);

    assertThat(g.protectingPattern("aws:123456789012:role/break-glass")).contains("aws:123456789012:role/break-glass");
    assertThat(g.protectedPatterns()).containsAll(Guardrails.DEFAULT_PROTECTED);
    assertThat(g.maxActionsPerRequest()).isEqualTo(10);
  }
}
