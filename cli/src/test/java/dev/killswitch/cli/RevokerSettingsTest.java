package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.revoker.RevokerConfig;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class RevokerSettingsTest {

  @Test
  void readsProvidersGuardrailsAndTriggerModeFromTheYamlSections() {
    Map<String, Object> yaml = new Yaml().load("""
        correlator:
          trigger-mode: enforce
          clusters: {"https://oidc.eks.eu-west-1.amazonaws.com/id/ABC": prod-eu}
        revoker:
          default-mode: dry-run
          approval-required: [aws.revoke-role-sessions]
          protected: ["aws:123456789012:role/break-glass"]
          kubernetes:
            clusters: {prod: prod-admin}
          aws:
            accounts:
              "123456789012": {role-arn: "arn:aws:iam::123456789012:role/killswitch", external-id: killswitch-ext-1}
              "210987654321": direct
            escalate-unbound-sessions: true
          gcp:
            projects: [acme-prod]
        """);

    RevokerSettings s = RevokerSettings.from(yaml);
    RevokerConfig config = s.apply(RevokerConfig.defaults(new ApiAccess(List.of())));

    assertThat(s.triggerMode()).isEqualTo(Mode.ENFORCE);
    assertThat(s.clusters()).containsEntry("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "prod-eu");
    assertThat(config.defaultMode()).isEqualTo(Mode.DRY_RUN);
    assertThat(config.approvalRequired()).containsExactly("aws.revoke-role-sessions");
    assertThat(config.protectedIdentities()).contains("aws:123456789012:role/break-glass");
    assertThat(config.kubernetesContexts()).containsEntry("prod", "prod-admin");
    assertThat(s.aws().accounts()).containsOnlyKeys("123456789012", "210987654321");
    assertThat(s.aws().escalateUnboundSessions()).isTrue();
    assertThat(s.gcp().projects()).containsExactly("acme-prod");
  }

  @Test
  void withoutTheSectionsNothingIsConfiguredBeyondTheDefaults() {
    RevokerSettings s = RevokerSettings.from(Map.of());

    assertThat(s.aws()).isNull();
    assertThat(s.gcp()).isNull();
    assertThat(s.kubernetesContexts()).isEmpty();
    assertThat(s.triggerMode()).isNull();
  }

  @Test
  void reportsEveryProblemTogether() {
    Map<String, Object> yaml = new Yaml().load("""
        correlator: {trigger-mode: sometimes}
        revoker:
          default-mode: maybe
          aws: {accounts: {"123456789012": {external-id: only}}}
          gcp: {projects: acme-prod}
        """);

    assertThatThrownBy(() -> RevokerSettings.from(yaml))
        .isInstanceOfSatisfying(Settings.InvalidSettingsException.class, e -> assertThat(e.problems())
            .hasSize(4)
            .anySatisfy(p -> assertThat(p).contains("correlator.trigger-mode"))
            .anySatisfy(p -> assertThat(p).contains("revoker.default-mode"))
            .anySatisfy(p -> assertThat(p).contains("revoker.aws.accounts.123456789012"))
            .anySatisfy(p -> assertThat(p).contains("revoker.gcp.projects must be a list")));
  }
}
