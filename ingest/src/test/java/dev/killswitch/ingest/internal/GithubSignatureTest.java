package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GithubSignatureTest {

  /** The example of GitHub's "Validating webhook deliveries" documentation. */
  @Test
  void matchesGithubsDocumentedExample() {
    GithubSignature signature = new GithubSignature("It's a Secret to Everybody");
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    String documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    assertThat(signature.sign(body)).isEqualTo(documented);
    assertThat(signature.verifies(body, documented)).isTrue();
  }

  @Test
  void refusesAnotherBodyAnotherSecretAMissingOrMalformedHeader() {
    GithubSignature signature = new GithubSignature("s");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String good = signature.sign(body);

    assertThat(signature.verifies("{ }".getBytes(StandardCharsets.UTF_8), good)).isFalse();
    assertThat(new GithubSignature("t").verifies(body, good)).isFalse();
    assertThat(signature.verifies(body, null)).isFalse();
    assertThat(signature.verifies(body, "sha1=" + good.substring(7))).isFalse();
    assertThat(signature.verifies(body, "sha256=zz")).isFalse();
    assertThat(signature.verifies(body, good.substring(0, good.length() - 2))).isFalse();
  }
}
