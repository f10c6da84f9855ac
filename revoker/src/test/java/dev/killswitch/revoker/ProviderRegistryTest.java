package dev.killswitch.revoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.event.RevocationAction;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

  record Fake(String actionId) implements RevocationProvider {
    @Override
    public Outcome execute(RevocationAction action) {
      return new Outcome.Revoked("fake");
    }
  }

  @Test
  void findsTheProviderRegisteredForAnAction() {
    ProviderRegistry registry = new ProviderRegistry().register(new Fake("aws.deactivate-access-key"));

    assertThat(registry.find("aws.deactivate-access-key")).isPresent();
    assertThat(registry.find("k8s.deny-token")).isEmpty();
    assertThat(registry.actions()).containsExactly("aws.deactivate-access-key");
  }

  @Test
  void refusesAnUnknownActionAndASecondProviderForOneAction() {
    ProviderRegistry registry = new ProviderRegistry().register(new Fake("k8s.deny-token"));

    assertThatThrownBy(() -> registry.register(new Fake("k8s.deny-tokens"))).hasMessageContaining("unknown action");
    assertThatThrownBy(() -> registry.register(new Fake("k8s.deny-token"))).hasMessageContaining("already registered");
  }
}
