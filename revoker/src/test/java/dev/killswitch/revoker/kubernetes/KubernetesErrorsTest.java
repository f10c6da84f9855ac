package dev.killswitch.revoker.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.revoker.RevocationProvider.Outcome;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class KubernetesErrorsTest {

  static KubernetesClientException status(int code, String message) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void throttlingConflictsServerErrorsAndConnectionFailuresAreRetriable() {
    assertThat(KubernetesErrors.classify("x", status(429, "too many requests"))).isInstanceOf(Outcome.RetriableFailure.class);
    assertThat(KubernetesErrors.classify("x", status(409, "the object has been modified"))).isInstanceOf(Outcome.RetriableFailure.class);
    assertThat(KubernetesErrors.classify("x", status(503, "unavailable"))).isInstanceOf(Outcome.RetriableFailure.class);
    assertThat(KubernetesErrors.classify("x", new KubernetesClientException("io", new ConnectException("refused"))))
        .isInstanceOf(Outcome.RetriableFailure.class);
  }

  @Test
  void forbiddenAndInvalidArePermanentAndSayWhy() {
    Outcome forbidden = KubernetesErrors.classify("deleting Secret ci/x",
        status(403, "secrets \"x\" is forbidden: User \"killswitch\" cannot delete resource \"secrets\""));

    assertThat(forbidden).isInstanceOf(Outcome.PermanentFailure.class);
    assertThat(forbidden.detail()).isEqualTo("deleting Secret ci/x failed: HTTP 403 secrets \"x\" is forbidden: "
        + "User \"killswitch\" cannot delete resource \"secrets\"");
    assertThat(KubernetesErrors.classify("x", status(422, "invalid"))).isInstanceOf(Outcome.PermanentFailure.class);
  }
}
