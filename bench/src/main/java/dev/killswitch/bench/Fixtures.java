package dev.killswitch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Fixture files the bench module copies from ingest's test resources and examples/ (see bench/pom.xml). */
public final class Fixtures {

  private Fixtures() {}

  /** The bytes of {@code bench-fixtures/<path>} on the class path. */
  public static byte[] bytes(String path) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream("bench-fixtures/" + path)) {
      if (in == null) {
        throw new IllegalStateException("fixture not on the class path: bench-fixtures/" + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
