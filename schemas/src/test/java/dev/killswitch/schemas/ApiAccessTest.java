package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.schemas.ApiAccess.Grant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tokens limited to ingest sources: the limit applies to the ingest role only, and only to other sources. */
class ApiAccessTest {

  private final ApiAccess access = new ApiAccess(List.of(
      new Grant("k8s-audit-token-0123", EnumSet.of(Role.INGEST, Role.ANALYST), Set.of("k8s-audit")),
      new Grant("every-source-token-0123", EnumSet.of(Role.INGEST))));

  @Test
  void aTokenLimitedToASourceHoldsTheIngestRoleThereOnly() {
    assertThat(access.allows("Bearer k8s-audit-token-0123", Role.INGEST, "k8s-audit")).isTrue();
    assertThat(access.allows("Bearer k8s-audit-token-0123", Role.INGEST, "gcp-audit")).isFalse();
    assertThat(access.allows("Bearer every-source-token-0123", Role.INGEST, "gcp-audit")).isTrue();
    assertThat(access.allows("Bearer unknown-token-0123", Role.INGEST, "k8s-audit")).isFalse();
  }

  @Test
  void sourcesDoNotLimitTheOtherRoles() {
    assertThat(access.allows("Bearer k8s-audit-token-0123", Role.ANALYST)).isTrue();
    assertThat(access.allows("Bearer k8s-audit-token-0123", Role.ANALYST, "gcp-audit")).isTrue();
    assertThat(new Grant("k8s-audit-token-0123", EnumSet.of(Role.INGEST), Set.of("k8s-audit")).toString())
        .doesNotContain("k8s-audit-token-0123").contains("k8s-audit");
  }
}
