package dev.killswitch.cli;

import dev.killswitch.cli.Settings.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;

/**
 * The secrets of one deployment: the configured ones, and for each one left unset a value generated once
 * into {@code <data dir>/secrets/<name>} with mode 0600 and read from there on later starts.
 */
public final class Secrets {

  private final Map<Secret, String> values;
  private final Map<Secret, Path> files;

  private Secrets(Map<Secret, String> values, Map<Secret, Path> files) {
    this.values = values;
    this.files = files;
  }

  /** Resolves every secret, generating the missing ones. */
  public static Secrets resolve(Settings settings) {
    Map<Secret, String> values = new EnumMap<>(Secret.class);
    Map<Secret, Path> files = new EnumMap<>(Secret.class);
    Path dir = settings.dataDir().resolve("secrets");
    for (Secret s : Secret.values()) {
      String configured = settings.secrets().get(s);
      if (configured != null) {
        values.put(s, configured);
        continue;
      }
      Path file = dir.resolve(s.fileName());
      values.put(s, readOrCreate(dir, file));
      files.put(s, file);
    }
    return new Secrets(values, files);
  }

  public String get(Secret s) {
    return values.get(s);
  }

  /** Where a generated secret lives; null when the secret came from the environment or the config file. */
  public Path file(Secret s) {
    return files.get(s);
  }

  private static String readOrCreate(Path dir, Path file) {
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      createPrivateDir(dir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.writeString(file, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create secret file " + file, e);
    }
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir);
    }
  }
}
