package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.killswitch.cli.Settings.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

  @TempDir Path dir;

  @Test
  void generatesEachUnsetSecretOnceIntoAPrivateFileAndReadsItBackOnTheNextStart() throws Exception {
    Settings settings = Settings.load(null, Map.of("KILLSWITCH_DATA_DIR", dir.toString()));

    Secrets first = Secrets.resolve(settings);
    Secrets second = Secrets.resolve(settings);

    for (Secret s : Secret.values()) {
      Path file = first.file(s);
      assertThat(file).isEqualTo(dir.resolve("secrets").resolve(s.fileName()));
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(first.get(s)).hasSizeGreaterThanOrEqualTo(32);
      assertThat(second.get(s)).isEqualTo(first.get(s));
    }
    assertThat(first.get(Secret.API_TOKEN)).isNotEqualTo(first.get(Secret.INGEST_TOKEN));
  }

  @Test
  void aConfiguredSecretIsUsedAndNothingIsWrittenForIt() {
    Settings settings = Settings.load(null, Map.of(
        "KILLSWITCH_DATA_DIR", dir.toString(), "KILLSWITCH_API_TOKEN", "configured-api-token-0123456789"));

    Secrets secrets = Secrets.resolve(settings);

    assertThat(secrets.get(Secret.API_TOKEN)).isEqualTo("configured-api-token-0123456789");
    assertThat(secrets.file(Secret.API_TOKEN)).isNull();
    assertThat(dir.resolve("secrets").resolve("api-token")).doesNotExist();
  }
}
